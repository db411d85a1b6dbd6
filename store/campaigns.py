"""Duplicates and campaigns, kept in the database so intake never rebuilds an index.

A text that resembles no earlier one becomes a *leader*: its MinHash signature is
stored and its LSH band keys go into SimilarityBucket. A later text looks up its own
band keys (one indexed query), and is compared only with the few leaders found there,
never with every text. A text that matches a leader joins that leader's campaign,
which the first match creates. The site shows a campaign once: its representative's
text, the count, and the members' organisations (`campaign_organisations`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, col, select

from store.bulk import insert_rows, table_of, update_rows
from store.models import Campaign, Moderation, SimilarityBucket, SimilarityLeader, Submission
from store.queries import Visibility, visible

MAX_CANDIDATES = 20  # leaders compared at most per text: the bound on work per message
CHUNK = 2000  # values per IN list, well inside SQLite's and PostgreSQL's limits


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    representative_id: int
    representative: str  # its reference
    size: int


def first_with_keys(session: Session, keys: list[str], *, exclude: list[int]) -> dict[str, int]:
    """For each duplicate key, the first submission (outside `exclude`) that has it and is no
    duplicate itself: one indexed query for a whole page."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        rows = session.exec(
            select(Submission.duplicate_key, func.min(Submission.id))
            .where(
                col(Submission.duplicate_key).in_(keys[start : start + CHUNK]),
                col(Submission.duplicate_of_id).is_(None),
                col(Submission.id).not_in(exclude),
            )
            .group_by(col(Submission.duplicate_key))
        )
        found.update({str(key): int(first) for key, first in rows if key and first is not None})
    return found


def leaders_among(session: Session, ids: list[int]) -> set[int]:
    """Which of these submissions are leaders already (a re-run leaves their place alone)."""
    if not ids:
        return set()
    rows = session.exec(
        select(SimilarityLeader.submission_id).where(col(SimilarityLeader.submission_id).in_(ids))
    )
    return {int(sid) for sid in rows}


def leaders_in_buckets(session: Session, buckets: list[int]) -> list[tuple[int, int]]:
    """(bucket, leader) for every leader with one of these band keys: one indexed query per
    few thousand keys, whatever the number of texts."""
    found: list[tuple[int, int]] = []
    for start in range(0, len(buckets), CHUNK):
        rows = session.exec(
            select(SimilarityBucket.bucket, SimilarityBucket.leader_id).where(
                col(SimilarityBucket.bucket).in_(buckets[start : start + CHUNK])
            )
        )
        found.extend((int(bucket), int(leader)) for bucket, leader in rows)
    return found


def signatures(session: Session, leader_ids: list[int]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for start in range(0, len(leader_ids), CHUNK):
        rows = session.exec(
            select(SimilarityLeader.submission_id, SimilarityLeader.signature).where(
                col(SimilarityLeader.submission_id).in_(leader_ids[start : start + CHUNK])
            )
        )
        found.update({int(sid): bytes(signature) for sid, signature in rows})
    return found


def lead_all(session: Session, leaders: list[tuple[int, bytes, list[int]]]) -> None:
    """Make these texts leaders later texts are compared with: one INSERT per table."""
    if not leaders:
        return
    insert_rows(
        session,
        SimilarityLeader,
        [{"submission_id": sid, "signature": signature} for sid, signature, _ in leaders],
    )
    insert_rows(
        session,
        SimilarityBucket,
        [
            {"bucket": bucket, "leader_id": sid}
            for sid, _, buckets in leaders
            for bucket in sorted(set(buckets))
        ],
    )


def join_all(session: Session, joins: list[tuple[int, int]], now: datetime) -> dict[int, int]:
    """Put each (member, leader) in the leader's campaign, made on its first member; returns
    each member's campaign id. The leaders' rows are locked and read fresh, in id order, so two
    daemons never make two campaigns of one text."""
    if not joins:
        return {}
    leader_ids = sorted({leader for _, leader in joins})
    current = {
        int(sid): campaign_id
        for sid, campaign_id in session.execute(
            select(Submission.id, Submission.campaign_id)
            .where(col(Submission.id).in_(leader_ids))
            .order_by(col(Submission.id))
            .with_for_update()
        )
    }
    members = Counter(leader for _, leader in joins)
    # Campaigns are made in the order of their first members, as if they had come one by one.
    new = [leader for leader in dict.fromkeys(ld for _, ld in joins) if current[leader] is None]
    if new:
        made = session.execute(
            insert(Campaign).returning(col(Campaign.id), col(Campaign.representative_id)),
            [
                {
                    "representative_id": leader,
                    "size": 1 + members[leader],
                    "created_at": now,
                    "updated_at": now,
                }
                for leader in new
            ],
        )
        current.update({int(leader): int(cid) for cid, leader in made})
    grown = [leader for leader in leader_ids if leader not in new]
    if grown:
        table = table_of(Campaign)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_campaign"))
            .values(size=table.c.size + bindparam("b_more"), updated_at=now),
            [{"b_campaign": current[leader], "b_more": members[leader]} for leader in grown],
        )
    placed = {member: current[leader] for member, leader in joins}
    update_rows(
        session,
        Submission,
        [
            {"id": sid, "campaign_id": cid}
            for sid, cid in [*placed.items(), *((leader, current[leader]) for leader in new)]
        ],
    )
    return {member: int(cid) for member, cid in placed.items() if cid is not None}


def campaign(session: Session, campaign_id: int) -> CampaignView | None:
    row = session.exec(
        select(Campaign, Submission.reference)
        .join(Submission, col(Submission.id) == col(Campaign.representative_id))
        .where(Campaign.id == campaign_id)
    ).first()
    if row is None:
        return None
    found, reference = row
    assert found.id is not None
    return CampaignView(found.id, found.representative_id, reference, found.size)


def iter_campaigns(session: Session, *, page: int = 500) -> Iterator[CampaignView]:
    """Every campaign, largest first within each page of ids, a page at a time."""
    after = 0
    while True:
        rows = session.exec(
            select(Campaign, Submission.reference)
            .join(Submission, col(Submission.id) == col(Campaign.representative_id))
            .where(col(Campaign.id) > after)
            .order_by(col(Campaign.id))
            .limit(page)
        ).all()
        if not rows:
            return
        for found, reference in rows:
            assert found.id is not None
            yield CampaignView(found.id, found.representative_id, reference, found.size)
        after = rows[-1][0].id or after


def campaign_organisations(
    session: Session, campaign_id: int, *, limit: int = 1000
) -> list[tuple[str, int]]:
    """The members' organisations (the operator's public edit first), with how many sent it.

    Only what may be published: anonymous members, and members withdrawn or hidden,
    are left out; see publish.due for the rule this mirrors.
    """
    name = func.coalesce(Submission.public_organisation, Submission.organisation)
    rows = session.exec(
        select(name, func.count())
        .where(
            Submission.campaign_id == campaign_id,
            col(Submission.anonymous).is_(False),
            Submission.moderation == Moderation.APPROVED,
            name != "",
        )
        .group_by(name)
        .order_by(func.count().desc(), name)
        .limit(limit)
    ).all()
    return [(str(org), int(n)) for org, n in rows]


def campaign_references(
    session: Session, campaign_id: int, visibility: Visibility, *, limit: int = 50
) -> tuple[list[str], int]:
    """The first references of a campaign's visible members, and how many are visible."""
    members = visible(select(Submission.reference), visibility).where(
        Submission.campaign_id == campaign_id
    )
    references = list(session.exec(members.order_by(col(Submission.number)).limit(limit)))
    total = session.exec(
        visible(select(func.count()).select_from(Submission), visibility).where(
            Submission.campaign_id == campaign_id
        )
    ).one()
    return [str(r) for r in references], int(total)


@dataclass(frozen=True)
class CampaignSummary:
    """What the site shows of one campaign: its visible size, its first visible copy, and the
    organisations among its members (the most frequent first, at most `shown` of them)."""

    size: int
    first: str
    organisations: list[tuple[str, int]]
    more_organisations: int


def campaign_summaries(
    session: Session, visibility: Visibility, *, shown: int = 50, limit: int = 1000
) -> dict[int, CampaignSummary]:
    """Every campaign with at least two visible members, in three queries for the whole build
    (one per campaign cost a publish 13 ms each). The same answers as campaign_references and
    campaign_organisations; memory grows with the campaigns, not with their copies."""
    sizes = session.exec(
        visible(
            select(Submission.campaign_id, func.count(), func.min(Submission.number)), visibility
        )
        .where(col(Submission.campaign_id).is_not(None))
        .group_by(col(Submission.campaign_id))
    ).all()
    counted = {int(cid): (int(n), int(first)) for cid, n, first in sizes if cid and n >= 2}
    numbers = [first for _, first in counted.values()]
    references: dict[int, str] = {}
    for start in range(0, len(numbers), 500):
        rows = session.exec(
            select(Submission.number, Submission.reference).where(
                col(Submission.number).in_(numbers[start : start + 500])
            )
        )
        references.update((int(number), str(reference)) for number, reference in rows)
    organisations: dict[int, list[tuple[str, int]]] = {cid: [] for cid in counted}
    distinct: Counter[int] = Counter()
    name = func.coalesce(Submission.public_organisation, Submission.organisation)
    grouped = session.exec(
        select(col(Submission.campaign_id), name, func.count())
        .where(
            col(Submission.campaign_id).is_not(None),
            col(Submission.anonymous).is_(False),
            Submission.moderation == Moderation.APPROVED,
            name != "",
        )
        .group_by(col(Submission.campaign_id), name)
        .order_by(col(Submission.campaign_id), func.count().desc(), name)
    )
    for cid, organisation, n in grouped:  # streamed: only `shown` kept per campaign
        if cid is None or cid not in organisations:
            continue
        distinct[cid] += 1
        if distinct[cid] <= shown:
            organisations[cid].append((str(organisation), int(n)))
    return {
        cid: CampaignSummary(
            size=size,
            first=references[first],
            organisations=organisations[cid],
            more_organisations=max(0, min(distinct[cid], limit) - shown),
        )
        for cid, (size, first) in counted.items()
    }
