"""The browse pages: for each facet an index of its values, and each value's paginated list.

Plain HTML, no script: filtering by organisation, country, language, channel,
timing or day is following a link to a page rendered in advance.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from publish.facets import FACETS, FacetSorter, Item, ValueCount, value_counts
from publish.layout import Site, page_name

T = TypeVar("T")

HOME_VALUES = 60  # a facet with at most this many values is listed on the home page


@dataclass
class FacetSummary:
    """What the home page says about one facet."""

    name: str
    title: str
    distinct: int = 0
    values: list[dict[str, Any]] = field(default_factory=list)


def write_listings(site: Site, sorter: FacetSorter, page_size: int) -> list[FacetSummary]:
    summaries = [FacetSummary(f.name, f.title) for f in FACETS]
    with tempfile.TemporaryDirectory(prefix="mailroom-counts-") as scratch:
        counts_file = Path(scratch) / "counts.jsonl"
        with counts_file.open("w", encoding="utf-8") as out:
            for count in value_counts(sorter.sorted()):
                out.write(json.dumps(count.__dict__, ensure_ascii=False) + "\n")
                summary = summaries[count.facet]
                summary.distinct += 1
                if summary.distinct <= HOME_VALUES:
                    facet = FACETS[count.facet]
                    summary.values.append(
                        {
                            "value": count.value,
                            "slug": facet.slug(count.value),
                            "count": count.count,
                        }
                    )
        for summary in summaries:
            if summary.distinct > HOME_VALUES:
                summary.values = []
        _write_value_pages(site, sorter.sorted(), _read_counts(counts_file), page_size)
        _write_facet_indexes(site, _read_counts(counts_file), page_size, summaries)
    return summaries


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched, which Python 3.11 does not have yet."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _read_counts(path: Path) -> Iterator[ValueCount]:
    with path.open(encoding="utf-8") as source:
        for line in source:
            yield ValueCount(**json.loads(line))


def _write_value_pages(
    site: Site, items: Iterator[Item], counts: Iterator[ValueCount], page_size: int
) -> None:
    grouped = itertools.groupby(items, key=lambda item: (item[0], item[1], item[2]))
    for (index, key, value), members in grouped:
        count = next(counts)
        assert (count.facet, count.key, count.value) == (index, key, value)
        facet = FACETS[index]
        slug = facet.slug(value)
        pages = -(-count.count // page_size)
        batches = _batched((json.loads(m[4]) for m in members), page_size)
        for number, batch in enumerate(batches, start=1):
            data = {
                "facet": facet.name,
                "facet_title": facet.title,
                "value": value,
                "count": count.count,
                "number": number,
                "pages": pages,
                "first": (number - 1) * page_size + 1,
                "entries": [_listed(e) for e in batch],
            }
            site.render_unit(
                "listings",
                [index, key, value, number],
                "listing.html",
                f"{facet.name}/{slug}/{page_name(number)}",
                data,
            )


def _listed(entry: dict[str, Any]) -> dict[str, Any]:
    """Only what a listing shows, so a change elsewhere in a submission leaves lists alone."""
    keys = (
        "reference slug subject name anonymous organisation group country language "
        "channel on_time day attachments"
    ).split()
    return {k: entry[k] for k in keys}


def _write_facet_indexes(
    site: Site, counts: Iterator[ValueCount], page_size: int, summaries: list[FacetSummary]
) -> None:
    for index, members in itertools.groupby(counts, key=lambda c: c.facet):
        facet = FACETS[index]
        values = (
            {"value": c.value, "slug": facet.slug(c.value), "count": c.count} for c in members
        )
        pages = -(-summaries[index].distinct // page_size)
        for number, batch in enumerate(_batched(values, page_size), start=1):
            site.render_unit(
                "facets",
                [index, number],
                "facet.html",
                f"{facet.name}/{page_name(number)}",
                {
                    "facet": facet.name,
                    "facet_title": facet.title,
                    "values": list(batch),
                    "number": number,
                    "pages": pages,
                },
            )
