"""Where each page goes, and rendering one page in all six languages at once.

The layout is documented in the README; hosts, scripts and mirrors rely on it:
`<lang>/index.html`, `<lang>/submissions/<reference>/index.html`,
`<lang>/<facet>/<value>/index.html`, `files/<reference>/…`, `feeds/`, `data/`,
`pagefind/` (the search index), `static/`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from publish.i18n import LANGUAGES
from publish.output import BuildOutput, Key, digest_of
from publish.render import make_environment, templates_fingerprint
from store.settings import ConsultationSettings


def page_edge(number: int, size: int) -> bool:
    """Whether a page of a list, or an archive of a feed, may end after this submission.

    Decided by the submission's number alone, about one in size / 2: cut from half of `size`
    on, pages hold about `size` entries, and an edge stays where it is when comments are added
    or hidden, so a change rewrites the page that shows it, not every page after it.
    """
    return zlib.crc32(number.to_bytes(8, "big")) % max(size // 2, 1) == 0


def page_name(number: int) -> str:
    return "index.html" if number == 1 else f"page-{number}.html"


def submission_path(slug: str) -> str:
    """A submission's page under a language folder: it contains the reference, and never moves."""
    return f"submissions/{slug}/index.html"


@dataclass
class Site:
    """What every page of one build shares."""

    consultation: ConsultationSettings
    output: BuildOutput
    default_language: str
    base_url: str
    preview: bool

    def __post_init__(self) -> None:
        zone: ZoneInfo = self.consultation.zone
        self.environments: dict[str, Environment] = {
            language: make_environment(zone, language) for language in LANGUAGES
        }
        self.fingerprint = templates_fingerprint()
        self.pages = 0

    def render_unit(
        self,
        stream: str,
        key: Key,
        template: str,
        here: str,
        data: dict[str, Any],
        *,
        noindex: bool = False,
    ) -> bool:
        """`here` (e.g. `groups/civil_society/index.html`) in every language, unless unchanged."""
        files = [f"{language}/{here}" for language in LANGUAGES]
        self.pages += len(files)
        digest = digest_of(self.fingerprint, template, here, data, self.shared_digest(), noindex)

        def render() -> None:
            for language in LANGUAGES:
                self.write_page(language, template, here, data, noindex=noindex)

        return self.output.unit(stream, key, digest, files, render)

    def shared_digest(self) -> list[Any]:
        c = self.consultation
        return [
            [c.title.for_language(language) for language in LANGUAGES],
            c.reference,
            [c.organiser.for_language(language) for language in LANGUAGES],
            c.deadline,
            c.posting_date,
            c.timezone,
            self.default_language,
            self.base_url,
            self.preview,
        ]

    def write_page(
        self,
        language: str,
        template: str,
        here: str,
        data: dict[str, Any],
        *,
        top: bool = False,
        noindex: bool = False,
    ) -> None:
        """Render `template` for one language at `<language>/<here>` (or at the top)."""
        depth = here.count("/") + (0 if top else 1)
        root = "../" * depth
        home = "" if top else root + f"{language}/"
        text = (
            self.environments[language]
            .get_template(template)
            .render(
                consultation=self.consultation,
                preview=self.preview,
                noindex=noindex or self.preview,
                root=root,
                home=f"{language}/" if top else home,
                here=here,
                top=top,
                base_url=self.base_url,
                default_language=self.default_language,
                **data,
            )
        )
        self.output.write_text(here if top else f"{language}/{here}", text)
