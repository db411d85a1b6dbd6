"""Themes in the store: each comment's vector (computed once per text), and the last
computed grouping (Theme, ThemeMember), replaced whole when themes are computed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from store.locks import serialized
from store.models import StakeholderGroup, Submission, Theme, ThemeMember, ThemeVector
from store.queries import Visibility, visible

PAGE = 1000


def fingerprint(session: Session, visibility: Visibility, settings: str) -> str:
    """What the themes were computed from: the visible comments (how many, which, the last
    change to any of them) and the method. Equal fingerprints: nothing to compute."""
    count, numbers, latest = session.exec(
        visible(
            select(
                func.count(),
                func.coalesce(func.sum(Submission.number), 0),
                func.max(Submission.classified_at),
            ).select_from(Submission),
            visibility,
        )
    ).one()
    return hashlib.sha256(f"{count}:{numbers}:{latest}:{settings}".encode()).hexdigest()


def stored_fingerprint(session: Session) -> str | None:
    return session.exec(select(Theme.fingerprint).limit(1)).first()


def vectors_of(session: Session, ids: Sequence[int]) -> dict[int, ThemeVector]:
    if not ids:
        return {}
    rows = session.exec(select(ThemeVector).where(col(ThemeVector.submission_id).in_(list(ids))))
    return {row.submission_id: row for row in rows}


def save_vectors(session: Session, model: str, rows: Sequence[tuple[int, str, bytes]]) -> None:
    """Store (submission id, text digest, vector) rows, one daemon at a time (another may be
    saving the same comments' vectors)."""
    serialized(session, "themes")
    for submission_id, sha, vector in rows:
        row = session.get(ThemeVector, submission_id)
        if row is None:
            row = ThemeVector(submission_id=submission_id, model=model, text_sha=sha, vector=vector)
        row.model, row.text_sha, row.vector = model, sha, vector
        session.add(row)


@dataclass
class NewTheme:
    """A theme as computed, before it is stored."""

    label: str
    keywords: list[str]
    excerpt: str
    excerpt_reference: str
    size: int
    units: int
    groups: dict[str, int]
    languages: dict[str, int]
    members: list[tuple[int, int, float]]  # (submission id, weight, similarity to the theme)


def replace_themes(session: Session, themes: Sequence[NewTheme], fingerprint: str, at: Any) -> None:
    """The new grouping replaces the old in one transaction, one daemon at a time (another's
    members inserted between the two deletes would break the second)."""
    serialized(session, "themes")
    session.execute(delete(ThemeMember))
    session.execute(delete(Theme))
    for position, found in enumerate(themes, start=1):
        row = Theme(
            position=position,
            label=found.label,
            keywords=json.dumps(found.keywords, ensure_ascii=False),
            excerpt=found.excerpt,
            excerpt_reference=found.excerpt_reference,
            size=found.size,
            units=found.units,
            groups=json.dumps(found.groups),
            languages=json.dumps(found.languages),
            fingerprint=fingerprint,
            computed_at=at,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for submission_id, weight, similarity in found.members:
            session.add(
                ThemeMember(
                    submission_id=submission_id,
                    theme_id=row.id,
                    weight=weight,
                    similarity=round(similarity, 4),
                )
            )


@dataclass(frozen=True)
class ThemeView:
    """A stored theme as the site, the digest and the command line show it."""

    position: int
    label: str
    keywords: list[str]
    excerpt: str
    excerpt_reference: str
    size: int
    units: int
    groups: dict[str, int]
    languages: dict[str, int]
    id: int


def stored_themes(session: Session) -> list[ThemeView]:
    """The last computed themes, largest first (themes are few next to comments)."""
    return [
        ThemeView(
            position=row.position,
            label=row.label,
            keywords=list(json.loads(row.keywords)),
            excerpt=row.excerpt,
            excerpt_reference=row.excerpt_reference,
            size=row.size,
            units=row.units,
            groups={str(k): int(v) for k, v in json.loads(row.groups).items()},
            languages={str(k): int(v) for k, v in json.loads(row.languages).items()},
            id=row.id or 0,
        )
        for row in session.exec(select(Theme).order_by(col(Theme.position)))
    ]


def theme_members(
    session: Session,
    theme_id: int,
    *,
    groups: Sequence[StakeholderGroup] | None = None,
    limit: int | None = None,
    visibility: Visibility | None = None,
) -> Iterator[tuple[str, int]]:
    """(reference, weight) of a theme's comments in reference order; a campaign is one
    member, at its first copy, with its size as the weight."""
    query = (
        select(Submission.reference, ThemeMember.weight)
        .join(ThemeMember, col(ThemeMember.submission_id) == col(Submission.id))
        .where(ThemeMember.theme_id == theme_id)
    )
    if groups is not None:
        query = query.where(col(Submission.stakeholder_group).in_(list(groups)))
    query = visible(query, visibility).order_by(col(Submission.number))
    if limit is not None:
        query = query.limit(limit)
    for reference, weight in session.exec(query):
        yield str(reference), int(weight)


def theme_groups(session: Session, theme_id: int, visibility: Visibility) -> dict[str, int]:
    """A theme's comments by stakeholder group (campaigns by their size), counting only the
    members visible now: one hidden since the themes were computed leaves its group."""
    weight = func.sum(ThemeMember.weight)
    query = (
        select(Submission.stakeholder_group, weight)
        .join(ThemeMember, col(ThemeMember.submission_id) == col(Submission.id))
        .where(ThemeMember.theme_id == theme_id)
        .group_by(col(Submission.stakeholder_group))
    )
    rows = session.exec(visible(query, visibility)).all()
    counted = {StakeholderGroup(group).value: int(n) for group, n in rows}
    return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


def is_visible(session: Session, reference: str, visibility: Visibility) -> bool:
    """Whether the submission with this reference passes `visibility` now."""
    query = visible(select(Submission.id).where(Submission.reference == reference), visibility)
    return session.exec(query).first() is not None
