"""Atom 1.0 feeds: all submissions, and one per stakeholder group.

Each feed is paged and archived (RFC 5005): `feeds/<name>.atom` holds the newest
entries and links to `feeds/<name>/<n>.atom`, archives of FEED_PAGE entries each
in reference order. An archive never changes once full, so readers and caches
fetch it once.
"""

from __future__ import annotations

from typing import Any

from publish.layout import Site, submission_path

FEED_PAGE = 100


class Feed:
    """One feed, written an archive at a time as entries arrive in reference order."""

    def __init__(self, site: Site, name: str, group: str | None) -> None:
        self.site = site
        self.name = name
        self.group = group
        self.archives = 0
        self.chunk: list[dict[str, Any]] = []

    def add(self, page: dict[str, Any]) -> None:
        self.chunk.append(_feed_entry(self.site, page))
        if len(self.chunk) >= FEED_PAGE:
            self.archives += 1
            self._write(f"feeds/{self.name}/{self.archives}.atom", archive=self.archives)
            self.chunk = []

    def finish(self) -> None:
        self._write(f"feeds/{self.name}.atom", archive=None)

    def _write(self, path: str, archive: int | None) -> None:
        site = self.site
        language = site.default_language
        environment = site.environments[language]
        depth = path.count("/")
        base = site.base_url or "../" * depth
        previous = self.archives - 1 if archive is not None else self.archives
        updated = max((e["received_at"] for e in self.chunk), default=None)
        text = environment.get_template("feed.atom").render(
            consultation=site.consultation,
            feed_id=_tag(site, f"feed/{self.name}" + (f"/{archive}" if archive else "")),
            name=self.name,
            group=self.group,
            base=base,
            self_href=path.split("/")[-1],
            current_href=("../" if archive else "") + f"{self.name}.atom",
            archive=archive,
            previous_href=(
                (f"{previous}.atom" if archive else f"{self.name}/{previous}.atom")
                if previous > 0
                else None
            ),
            updated=updated or site.consultation.posting_date,
            entries=self.chunk,
            language=language,
        )
        site.output.write_text(path, text)
        site.output.settle(path)


def _feed_entry(site: Site, page: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _tag(site, page["reference"]),
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
