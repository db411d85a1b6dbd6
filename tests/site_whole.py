"""Whether the public site is one complete build: the check the fault campaign makes after
every kill (invariant 6: the old site or the new one, never half)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path


def site_problems(site: Path, *, must_exist: bool) -> list[str]:
    """What makes the public folder other than one complete build (empty list: whole)."""
    if not site.exists() and not site.is_symlink():
        return ["no site, though one was published"] if must_exist else []
    if not site.is_symlink():
        return [f"{site} is not the link a swap makes"]
    public = site.resolve()
    build = public.parent
    manifest = build / "manifest"
    if public.name != "public" or not (manifest / "singles.json").is_file():
        return [f"{site} points at {public}, not a finished build"]
    problems = []
    withheld = _withheld(manifest)
    for ledger in sorted(manifest.glob("*.jsonl")):
        for line in ledger.read_text(encoding="utf-8").splitlines():
            made = json.loads(line)[2]  # a unit's files: names, or records of served files
            for item in made:
                record = json.loads(item) if item.startswith("{") else {"path": item}
                name = record.get("path")
                if name and name not in withheld and not (public / name).is_file():
                    problems.append(f"{name} (listed in {ledger.name}) is missing")
    homes = [public / "index.html", *sorted(public.glob("*/index.html"))]
    for home in homes:
        for link in _local_links(home.read_text(encoding="utf-8")):
            target = (home.parent / link).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{home.relative_to(public)} links {link}, which is missing")
    return problems


def _withheld(manifest: Path) -> set[str]:
    path = manifest / "privacy.json"
    if not path.is_file():
        return set()
    report = json.loads(path.read_text(encoding="utf-8"))
    return {str(item.get("path")) for item in report.get("withheld", [])}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _local_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    local = []
    for link in parser.links:
        path = link.split("#", 1)[0].split("?", 1)[0]
        if path and not re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.IGNORECASE):
            local.append(path)
    return sorted(set(local))


def site_files(site: Path) -> list[str]:
    public = site.resolve()
    return sorted(p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file())
