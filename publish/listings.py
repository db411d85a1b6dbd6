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
from publish.layout import Site, page_edge, page_name

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
        entries = (json.loads(m[4]) for m in members)
        for previous, (name, page), following in _with_neighbours(_named(_cut(entries, page_size))):
            data = {
                "facet": facet.name,
                "facet_title": facet.title,
                "value": value,
                "count": count.count if previous is None else None,  # on the first page only
                "previous": previous[0] if previous else None,
                "next": following[0] if following else None,
                "entries": [_listed(e) for e in page],
            }
            site.render_unit(
                "listings",
                [index, key, value, page[0]["number"]],
                "listing.html",
                f"{facet.name}/{slug}/{name}",
                data,
            )


Page = list[dict[str, Any]]


def _cut(entries: Iterator[dict[str, Any]], page_size: int) -> Iterator[Page]:
    """A value's list in pages of about `page_size` (from a half to twice that).

    Pages end at edges chosen by the submissions' numbers, not at every `page_size` entries:
    hiding or adding one comment changes the page that shows it (and, rarely, its neighbour),
    not every page after it, so a publish after a few changes renders a few list pages.
    """
    page: Page = []
    for entry in entries:
        page.append(entry)
        full = len(page) >= 2 * page_size
        if full or (len(page) >= page_size // 2 and page_edge(int(entry["number"]), page_size)):
            yield page
            page = []
    if page:
        yield page


def _named(pages: Iterator[Page]) -> Iterator[tuple[str, Page]]:
    """A list page's file: `index.html` for the first, the others named by their first
    comment's number, so a page keeps its name when the pages before it change."""
    for position, page in enumerate(pages):
        yield ("index.html" if position == 0 else f"from-{page[0]['number']}.html"), page


def _with_neighbours(items: Iterator[T]) -> Iterator[tuple[T | None, T, T | None]]:
    """Each page with the one before and the one after (the pager links them); three in memory."""
    previous: T | None = None
    current = next(items, None)
    while current is not None:
        following = next(items, None)
        yield previous, current, following
        previous, current = current, following


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
