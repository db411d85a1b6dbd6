"""Atom 1.0 feeds: all submissions, and one per stakeholder group.

Each feed is paged and archived (RFC 5005): `feeds/<name>.atom` holds the newest
entries and links to `feeds/<name>/from-<number>.atom`, archives of about FEED_PAGE
entries in reference order, each named by its first submission's number. Archives
end where the submissions' numbers say (publish.layout.page_edge), so hiding or
adding a comment changes the archive that holds it, not the archives after it; an
archive whose entries did not change is not rendered again but linked from the
previous build, and readers and caches fetch it once.
"""

from __future__ import annotations

from typing import Any

from publish.layout import Site, page_edge, submission_path
from publish.output import digest_of

FEED_PAGE = 100


class Feed:
    """One feed, written an archive at a time as entries arrive in reference order."""

    def __init__(self, site: Site, name: str, group: str | None) -> None:
        self.site = site
        self.name = name
        self.group = group
        self.previous: str | None = None  # the last archive written: its file name
        self.chunk: list[dict[str, Any]] = []

    def add(self, page: dict[str, Any]) -> None:
        self.chunk.append(_feed_entry(self.site, page))
        size = len(self.chunk)
        if size >= 2 * FEED_PAGE or (
            size >= FEED_PAGE // 2 and page_edge(int(page["number"]), FEED_PAGE)
        ):
            archive = f"from-{self.chunk[0]['number']}.atom"
            self._write(f"feeds/{self.name}/{archive}", archive=archive)
            self.previous = archive
            self.chunk = []

    def finish(self) -> None:
        self._write(f"feeds/{self.name}.atom", archive=None)

    def _write(self, path: str, archive: str | None) -> None:
        site = self.site
        language = site.default_language
        depth = path.count("/")
        previous = self.previous
        values: dict[str, Any] = {
            "feed_id": _tag(
                site, f"feed/{self.name}" + (f"/{archive.removesuffix('.atom')}" if archive else "")
            ),
            "name": self.name,
            "group": self.group,
            "base": site.base_url or "../" * depth,
            "self_href": path.split("/")[-1],
            "current_href": ("../" if archive else "") + f"{self.name}.atom",
            "archive": archive,
            "previous_href": (
                (previous if archive else f"{self.name}/{previous}") if previous else None
            ),
            "updated": max((e["received_at"] for e in self.chunk), default=None)
            or site.consultation.posting_date,
            "entries": self.chunk,
            "language": language,
        }

        def render() -> None:
            template = site.environments[language].get_template("feed.atom")
            site.output.write_text(path, template.render(consultation=site.consultation, **values))

        if archive is None:  # the current feed: always written, kept if its bytes are the same
            render()
            site.output.settle(path)
            return
        # An archive: one stream per feed, its archives in order, rendered only if changed.
        digest = digest_of(site.fingerprint, site.shared_digest(), path, values)
        site.output.unit(f"feed-{self.name}", [self.chunk[0]["number"]], digest, [path], render)


def _feed_entry(site: Site, page: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _tag(site, page["reference"]),
        "number": page["number"],
        "reference": page["reference"],
        "subject": page["subject"],
        "name": page["name"],
        "anonymous": page["anonymous"],
        "organisation": page["organisation"],
        "group": page["group"],
        "language": page["language"],
        "received_at": page["received_at"],
        "href": f"{site.default_language}/{submission_path(page['slug'])}".removesuffix(
            "index.html"
        ),
        "text": "".join(part["text"] for part in page["segments"]),
        "files": page["files"],
    }


def _tag(site: Site, specific: str) -> str:
    """A permanent id (RFC 4151 tag URI) from the consultation's address and posting date."""
    c = site.consultation
    authority = c.address.rpartition("@")[2] or "mailroom.invalid"
    return f"tag:{authority},{c.posting_date.date().isoformat()}:{c.submission_prefix}/{specific}"
