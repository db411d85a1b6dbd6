"""sitemap.xml and robots.txt: what search engines may index, and nothing before it is public.

The sitemap is an index of files of at most 30,000 addresses (the limit is
50,000), each holding a fixed run of submissions, so a new submission rewrites
only the last one. Addresses are absolute when `[site] base_url` is set (search
engines require it) and relative to the site's root otherwise.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from publish.i18n import LANGUAGES
from publish.layout import submission_path
from publish.output import BuildOutput

CHUNK = 5000  # submissions per sitemap file, times six languages

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


class Sitemap:
    def __init__(self, output: BuildOutput, base_url: str) -> None:
        self.output = output
        self.base = base_url
        self.files: list[str] = []
        self._chunk: list[str] = []

    def _loc(self, path: str) -> str:
        return f"  <url><loc>{escape(self.base + path)}</loc></url>\n"

    def add(self, slug: str) -> None:
        self._chunk.append(slug)
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        name = f"sitemaps/submissions-{len(self.files) + 1}.xml"
        lines = [
            self._loc(f"{lang}/{submission_path(slug)}".removesuffix("index.html"))
            for slug in self._chunk
            for lang in LANGUAGES
        ]
        self._write(name, _HEAD + _URLSET + "".join(lines) + "</urlset>\n")
        self.files.append(name)
        self._chunk = []

    def finish(self, preview: bool) -> None:
        if self._chunk:
            self._flush()
        pages = [self._loc("")] + [self._loc(f"{lang}/") for lang in LANGUAGES]
        self._write("sitemaps/pages.xml", _HEAD + _URLSET + "".join(pages) + "</urlset>\n")
        entries = "".join(
            f"  <sitemap><loc>{escape(self.base + name)}</loc></sitemap>\n"
            for name in ["sitemaps/pages.xml", *self.files]
        )
        self._write(
            "sitemap.xml",
            _HEAD
            + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + entries
            + "</sitemapindex>\n",
        )
        self._write("robots.txt", robots(preview, self.base))

    def _write(self, name: str, text: str) -> None:
        self.output.write_text(name, text)
        self.output.settle(name)


def robots(preview: bool, base_url: str) -> str:
    """A preview is never indexed; the public site points crawlers at its sitemap."""
    if preview:
        return "User-agent: *\nDisallow: /\n"
    if not base_url:
        return "User-agent: *\nAllow: /\n"
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n"
