"""Every local link of a built site, followed: a reader never meets a missing page or file.

Links are read by parsing (HTML, Atom, sitemaps, the open data), never by grepping:
href, src, srcset, action, formaction, poster, the search form's index, every Atom
<link>, every sitemap <loc>, and the paths in submissions.json and submissions.csv
(which are relative to the site's root, as the README says). A link with a scheme
or a host is not ours unless it starts with the site's `base_url`. A link to a
folder needs its index.html; a #fragment needs an element with that id.
"""

from __future__ import annotations

import csv
import json
import posixpath
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LINK_ATTRIBUTES = frozenset("href src action formaction poster".split())


class _Page(HTMLParser):
    """One page's links and the ids a fragment may point at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.links.append(value)
            elif name == "data-index":  # the search index's folder: search.js reads this file
                self.links.append(value + "shards.json")
            elif name in ("srcset", "imagesrcset"):
                self.links.extend(c.split()[0] for c in value.split(",") if c.strip())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


class LinkCheck:
    """Follows links from files of one built site; `broken` says what did not resolve."""

    def __init__(self, site: Path, base_url: str = "") -> None:
        self.site = site.resolve()
        self.base_url = base_url
        self.broken: list[str] = []
        self.followed = 0
        self._pages: dict[str, _Page] = {}

    def page(self, name: str) -> _Page:
        if name not in self._pages:
            self._pages[name] = _parse(self.site / name)
        return self._pages[name]

    def follow(self, origin: str, link: str, *, from_root: bool = False) -> None:
        """`link`, found in the file `origin` (relative to the site), must resolve."""
        if self.base_url and link.startswith(self.base_url):
            link, from_root = link.removeprefix(self.base_url), True
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            return  # another site's address (and never a javascript: one: html_checks)
        self.followed += 1
        here = "" if from_root else posixpath.dirname(origin)
        path = unquote(parts.path)
        if path.startswith("/"):
            self.broken.append(f"{origin}: {link} is absolute to the host; the site may move")
            return
        if not path:
            target = origin if not from_root else ""
        else:
            target = posixpath.normpath(posixpath.join(here, path))
            if target == ".":
                target = ""
        if target == ".." or target.startswith("../"):
            self.broken.append(f"{origin}: {link} leads out of the site")
            return
        file = self.site / target
        if not target or file.is_dir():
            target = posixpath.join(target, "index.html")
            file = self.site / target
        if not file.is_file():
            self.broken.append(f"{origin}: {link} -> {target} does not exist")
            return
        fragment = unquote(parts.fragment)
        if fragment and target.endswith(".html") and fragment not in self.page(target).ids:
            self.broken.append(f"{origin}: {link} -> no id {parts.fragment!r} in {target}")


def _files(site: Path, pattern: str) -> Iterator[str]:
    for path in sorted(site.rglob(pattern)):
        if path.is_file():
            yield path.relative_to(site).as_posix()


def check_links(site: Path, base_url: str = "") -> LinkCheck:
    """Follow every local link of every page, feed, sitemap and data file of `site`."""
    check = LinkCheck(site, base_url)
    root = check.site
    for name in _files(root, "*.html"):
        for link in check.page(name).links:
            check.follow(name, link)
    for name in _files(root, "*.atom"):
        for element in _xml(root / name).iter(f"{ATOM}link"):
            check.follow(name, element.get("href", ""))
    for name in _files(root, "*.xml"):
        for element in _xml(root / name).iter(f"{SITEMAP}loc"):
            check.follow(name, element.text or "", from_root=True)
    _search_index(check)
    _open_data(check)
    return check


def _xml(path: Path) -> ElementTree.ElementTree[ElementTree.Element]:
    return ElementTree.parse(path)  # noqa: S314 (our own build's files, not a sender's)


def _search_index(check: LinkCheck) -> None:
    """What the search page's script loads: shards.json, and each shard's pagefind.js."""
    shards = check.site / "pagefind" / "shards.json"
    if not shards.is_file():
        return
    for shard in json.loads(shards.read_text(encoding="utf-8"))["shards"]:
        check.follow("pagefind/shards.json", f"{shard['folder']}/pagefind.js")
        check.follow("pagefind/shards.json", f"{shard['folder']}/pagefind-entry.json")


def _open_data(check: LinkCheck) -> None:
    data = check.site / "data"
    if (data / "submissions.json").is_file():
        for row in json.loads((data / "submissions.json").read_text(encoding="utf-8")):
            check.follow("data/submissions.json", row["url"], from_root=True)
            for attachment in row.get("attachments", []):
                if attachment.get("path"):
                    check.follow("data/submissions.json", attachment["path"], from_root=True)
    if (data / "submissions.csv").is_file():
        with (data / "submissions.csv").open(encoding="utf-8", newline="") as source:
            for row in csv.DictReader(source):
                check.follow("data/submissions.csv", row["url"], from_root=True)
                for path in filter(None, (row.get("attachment_files") or "").split(" ")):
                    check.follow("data/submissions.csv", path, from_root=True)


def broken_links(site: Path, base_url: str = "") -> list[str]:
    """Every link of the site that does not resolve (empty when all do); raises if none
    was followed at all, so a check that read nothing cannot pass."""
    check = check_links(site, base_url)
    assert check.followed, f"no link found under {site}"
    return check.broken
