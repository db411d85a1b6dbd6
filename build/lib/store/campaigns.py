"""Duplicates and campaigns, kept in the database so intake never rebuilds an index.

A text that resembles no earlier one becomes a *leader*: its MinHash signature is
stored and its LSH band keys go into SimilarityBucket. A later text looks up its own
band keys (one indexed query), and is compared only with the few leaders found there,
never with every text. A text that matches a leader joins that leader's campaign,
which the first match creates. The site shows a campaign once: its representative's
text, the count, and the members' organisations (`campaign_organisations`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from store.models import Campaign, Moderation, SimilarityBucket, SimilarityLeader, Submission
from store.queries import Visibility, visible

MAX_CANDIDATES = 20  # leaders compared at most per text: the bound on work per message


@dataclass(frozen=True, slots=True)
class Candidate:
    leader_id: int
    signature: bytes
    shared_buckets: int


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    representative_id: int
    representative: str  # its reference
    size: int


def find_duplicate(session: Session, key: str, submission_id: int) -> int | None:
    """The first earlier submission from the same sender with the same content, if any."""
    return session.exec(
        select(Submission.id)
        .where(
            Submission.duplicate_key == key,
            col(Submission.id) < submission_id,
            col(Submission.duplicate_of_id).is_(None),
        )
        .order_by(col(Submission.id))
        .limit(1)
    ).first()


def is_placed(session: Session, submission_id: int) -> bool:
    """Already a leader or a campaign member: its place does not change on a re-run."""
    if session.get(SimilarityLeader, submission_id) is not None:
        return True
    row = session.get(Submission, submission_id)
    return row is not None and row.campaign_id is not None


def candidates(session: Session, buckets: list[int], submission_id: int) -> list[Candidate]:
    """Leaders sharing at least one band with these keys, most shared first, at most a few:
    one indexed query, whatever the number of texts."""
    if not buckets:
        return []
    shared = func.count().label("shared")
    top = (
        select(col(SimilarityBucket.leader_id).label("leader_id"), shared)
        .where(
            col(SimilarityBucket.bucket).in_(sorted(set(buckets))),
            SimilarityBucket.leader_id != submission_id,
        )
        .group_by(col(SimilarityBucket.leader_id))
        .order_by(shared.desc(), col(SimilarityBucket.leader_id))
        .limit(MAX_CANDIDATES)
        .subquery()
    )
    rows = session.exec(
        select(top.c.leader_id, SimilarityLeader.signature, top.c.shared)
        .join(SimilarityLeader, col(SimilarityLeader.submission_id) == top.c.leader_id)
        .order_by(top.c.shared.desc(), top.c.leader_id)
    ).all()
    return [Candidate(int(leader), bytes(signature), int(n)) for leader, signature, n in rows]


def lead(session: Session, submission_id: int, signature: bytes, buckets: list[int]) -> None:
    """Make this text a leader later texts are compared with."""
    session.add(SimilarityLeader(submission_id=submission_id, signature=signature))
    session.execute(  # one statement for all its bands, not an object per row
        insert(SimilarityBucket),
        [{"bucket": bucket, "leader_id": submission_id} for bucket in sorted(set(buckets))],
    )


def join(session: Session, submission_id: int, leader_id: int, now: datetime) -> int:
    """Put a submission in its leader's campaign (made on the first match); the campaign's id."""
    leader = session.exec(
        select(Submission)
        .where(Submission.id == leader_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # what another daemon committed meanwhile
    ).one()
    member = session.get_one(Submission, submission_id)
    if leader.campaign_id is None:
        campaign = Campaign(representative_id=leader_id, size=2, created_at=now, updated_at=now)
        session.add(campaign)
        session.flush()
        assert campaign.id is not None
        leader.campaign_id = campaign.id
        session.add(leader)
    else:
        session.execute(
            update(Campaign)
            .where(col(Campaign.id) == leader.campaign_id)
            .values(size=col(Campaign.size) + 1, updated_at=now)
        )
    member.campaign_id = leader.campaign_id
    session.add(member)
    assert leader.campaign_id is not None
    return leader.campaign_id


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
