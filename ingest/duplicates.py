"""Duplicates and campaigns, decided for a page of submissions at once, in id order.

Each submission's duplicate key and fingerprint come with its assessment (ingest.assessment);
this module looks the whole page up in a few statements (the earlier submissions with the
same keys; the leaders sharing a band with any of the page's fingerprints, and their
signatures), then decides each submission in id order, in memory, exactly as if they had
come one at a time: a text that became a leader earlier in the page is a candidate for the
texts after it. The persistent LSH index itself is in store.campaigns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from ingest.rule_settings import CampaignSettings
from ingest.similarity import Fingerprint, similarity
from store import campaigns
from store.campaigns import MAX_CANDIDATES


@dataclass(frozen=True, slots=True)
class Placement:
    joined: bool  # it joined a campaign (rather than leading, or being too short to judge)
    compared: int  # signatures compared: bounded by store.campaigns.MAX_CANDIDATES
    campaign_id: int | None = None


def find_duplicates(session: Session, keyed: list[tuple[int, str | None]]) -> dict[int, int]:
    """For each (id, key), in id order, the first earlier submission with the same key that
    is no duplicate itself; ids without one are left out."""
    ids = [sid for sid, _ in keyed]
    earliest = campaigns.first_with_keys(
        session, sorted({key for _, key in keyed if key}), exclude=ids
    )
    first_here: dict[str, int] = {}
    found: dict[int, int] = {}
    for sid, key in sorted(keyed):
        if not key:
            continue
        earlier = [i for i in (earliest.get(key), first_here.get(key)) if i is not None and i < sid]
        if earlier:
            found[sid] = min(earlier)
        else:
            first_here.setdefault(key, sid)
    return found


def place_all(
    session: Session,
    prints: list[tuple[int, Fingerprint]],
    settings: CampaignSettings,
    now: datetime,
) -> dict[int, Placement]:
    """Join each text to the campaign of the first leader it resembles, or make it a leader."""
    if not prints:
        return {}
    prints = sorted(prints, key=lambda item: item[0])
    index: dict[int, list[int]] = defaultdict(list)
    for bucket, leader in campaigns.leaders_in_buckets(
        session, sorted({b for _, p in prints for b in p.buckets})
    ):
        index[bucket].append(leader)
    signatures = campaigns.signatures(session, sorted({i for ls in index.values() for i in ls}))
    placed: dict[int, Placement] = {}
    joins: list[tuple[int, int]] = []
    leaders: list[tuple[int, bytes, list[int]]] = []
    for sid, print_ in prints:
        shared: dict[int, int] = {}
        for bucket in set(print_.buckets):
            for leader in index.get(bucket, ()):
                if leader != sid:
                    shared[leader] = shared.get(leader, 0) + 1
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:MAX_CANDIDATES]
        needed = 1.0 if print_.exact else settings.threshold
        match = next(
            (
                (compared, leader)
                for compared, (leader, _) in enumerate(ranked, start=1)
                if similarity(signatures[leader], print_.signature) >= needed
            ),
            None,
        )
        if match is not None:
            joins.append((sid, match[1]))
            placed[sid] = Placement(True, match[0])
            continue
        leaders.append((sid, print_.signature, print_.buckets))
        signatures[sid] = print_.signature
        for bucket in set(print_.buckets):
            index[bucket].append(sid)
        placed[sid] = Placement(False, len(ranked))
    campaigns.lead_all(session, leaders)
    for sid, campaign_id in campaigns.join_all(session, joins, now).items():
        placed[sid] = Placement(True, placed[sid].compared, campaign_id)
    return placed
