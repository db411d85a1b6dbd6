"""The ways to browse: by stakeholder group, organisation, country, language, channel, timing, day.

Every submission has one value in each facet, so the listing pages number in
proportion to the submissions, never to combinations of filters. Entries are
sorted on disk (sorted runs merged with heapq), so memory stays flat.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from publish.files import organisation_slug
from publish.i18n import N_
from publish.output import _plain
from store.models import Channel, StakeholderGroup

NOT_GIVEN = "none"  # the slug of the value "not given"


def _order(members: list[str]) -> Callable[[str], str]:
    return lambda value: f"{members.index(value):02d}" if value in members else f"99{value}"


@dataclass(frozen=True)
class Facet:
    name: str  # its folder under each language
    title: str  # translated where printed
    value: Callable[[dict[str, Any]], str]
    sort_key: Callable[[str], str]
    slug: Callable[[str], str]


FACETS = (
    Facet(
        "groups",
        N_("Stakeholder group"),
        lambda e: str(e["group"]),
        _order([g.value for g in StakeholderGroup]),
        lambda v: v,
    ),
    Facet(
        "organisations",
        N_("Organisation"),
        lambda e: " ".join(str(e["organisation"]).split()),
        lambda v: f"1{v.casefold()}" if v else "0",
        organisation_slug,
    ),
    Facet(
        "countries",
        N_("Country"),
        lambda e: str(e["country"] or ""),
        lambda v: v or "~",
        lambda v: v.lower() or NOT_GIVEN,
    ),
    Facet(
        "languages",
        N_("Language"),
        lambda e: str(e["language"] or ""),
        lambda v: v or "~",
        lambda v: v.lower() or NOT_GIVEN,
    ),
    Facet(
        "channels",
        N_("Channel"),
        lambda e: str(e["channel"]),
        _order([c.value for c in Channel]),
        lambda v: v,
    ),
    Facet(
        "timing",
        N_("On time or late"),
        lambda e: "on-time" if e["on_time"] else "late",
        _order(["on-time", "late"]),
        lambda v: v,
    ),
    Facet(
        "dates",
        N_("Date received"),
        lambda e: str(e["day"]),
        lambda v: v,
        lambda v: v,
    ),
)

Item = tuple[int, str, str, int, str]  # facet index, sort key, value, number, entry as JSON


class FacetSorter:
    """Collects (facet, value, entry) for every submission and gives them back sorted."""

    def __init__(self, run_size: int = 50_000) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="mailroom-facets-")
        self._run_size = run_size
        self._buffer: list[Item] = []
        self._runs: list[Path] = []

    def add(self, entry: dict[str, Any]) -> None:
        encoded = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=_plain)
        for index, facet in enumerate(FACETS):
            value = facet.value(entry)
            self._buffer.append(
                (index, facet.sort_key(value), value, int(entry["number"]), encoded)
            )
        if len(self._buffer) >= self._run_size:
            self._spill()

    def _spill(self) -> None:
        self._buffer.sort()
        run = Path(self._folder.name) / f"run-{len(self._runs)}.jsonl"
        with run.open("w", encoding="utf-8") as out:
            for item in self._buffer:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        self._runs.append(run)
        self._buffer = []

    def sorted(self) -> Iterator[Item]:
        """Every item in (facet, value, reference) order; may be called more than once."""
        self._buffer.sort()
        readers = [_read_run(run) for run in self._runs]
        return heapq.merge(*readers, iter(list(self._buffer)))

    def close(self) -> None:
        self._folder.cleanup()


def _read_run(path: Path) -> Iterator[Item]:
    source: IO[str]
    with path.open(encoding="utf-8") as source:
        for line in source:
            index, key, value, number, encoded = json.loads(line)
            yield (index, key, value, number, encoded)


@dataclass
class ValueCount:
    facet: int
    key: str
    value: str
    count: int


def value_counts(items: Iterator[Item]) -> Iterator[ValueCount]:
    """How many entries each (facet, value) has, in the sorted order."""
    current: ValueCount | None = None
    for index, key, value, _number, _encoded in items:
        if current is not None and (current.facet, current.key, current.value) == (
            index,
            key,
            value,
        ):
            current.count += 1
            continue
        if current is not None:
            yield current
        current = ValueCount(index, key, value, 1)
    if current is not None:
        yield current
