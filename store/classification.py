"""What the consultation's rules found about a submission, saved in one place.

Ingest decides (ingest.classification); this module finds the submissions waiting for
the rules, holds them while they are judged, and writes the findings without undoing
an operator's decision: a confirmed group, a country the operator typed, a moderation
decision an operator made all stay as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.bulk import update_rows
from store.models import (
    Attachment,
    Channel,
    Moderation,
    ReceivedVia,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)

OPERATOR_SOURCES = ("operator", "form")  # a country someone typed is not replaced by a guess


@dataclass(frozen=True, slots=True)
class FormContent:
    """A form's fields, mapped onto the submission (a form that emails its contents)."""

    sender_name: str = ""
    sender_address: str = ""
    organisation: str = ""
    subject: str = ""
    body_text: str = ""


def awaiting_rules(
    session: Session, *, after_id: int = 0, limit: int = 200, redo: bool = False
) -> list[int]:
    """Parsed submissions the rules have not judged yet (or, with `redo`, every parsed one)."""
    query = select(Submission.id).where(
        Submission.status == SubmissionStatus.PARSED, col(Submission.id) > after_id
    )
    if not redo:
        query = query.where(col(Submission.classified_at).is_(None))
    rows = session.exec(query.order_by(col(Submission.id)).limit(limit))
    return [sid for sid in rows if sid is not None]


def claim_for_rules(session: Session, ids: list[int], *, redo: bool = False) -> list[Submission]:
    """Hold these rows for this transaction; rows another daemon is judging now are skipped."""
    query = select(Submission).where(
        col(Submission.id).in_(ids), Submission.status == SubmissionStatus.PARSED
    )
    if not redo:
        query = query.where(col(Submission.classified_at).is_(None))
    locked = query.order_by(col(Submission.id)).with_for_update(skip_locked=not redo)
    return list(session.exec(locked))


def attachments_by_submission(session: Session, ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of a page of submissions, in one query."""
    found: dict[int, list[Attachment]] = {i: [] for i in ids}
    for attachment in session.exec(
        select(Attachment)
        .where(col(Attachment.submission_id).in_(ids))
        .order_by(col(Attachment.submission_id), col(Attachment.position))
    ):
        found[attachment.submission_id].append(attachment)
    return found


def attachments_of(session: Session, submission_id: int) -> list[Attachment]:
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.submission_id == submission_id)
            .order_by(col(Attachment.position))
        )
    )


@dataclass(frozen=True, slots=True)
class RulesState:
    """What judging a submission must know of its row: the operator's decisions among it."""

    id: int
    number: int
    reference: str
    sha256: str
    channel: Channel
    received_at: datetime
    received_via: ReceivedVia
    language: str | None
    sender_address: str
    on_time_override: bool | None
    classified_at: datetime | None
    moderated_by: str | None
    moderation: Moderation
    moderation_reason: str | None
    group_confirmed: bool
    stakeholder_group: StakeholderGroup
    group_rule: str | None
    country: str | None
    country_source: str | None
    country_reason: str | None
    organisation_confirmed: bool
    organisation_suggested: str | None
    organisation_reason: str | None
    campaign_id: int | None
    receipt: str | None


def references_of(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Submission.id, Submission.reference).where(col(Submission.id).in_(sorted(set(ids))))
    )
    return {int(sid): str(reference) for sid, reference in rows if sid is not None}


def rules_state(session: Session, ids: list[int]) -> list[RulesState]:
    """These submissions' state, in id order: one query for a page."""
    columns = [getattr(Submission, name) for name in RulesState.__dataclass_fields__]
    rows = session.execute(
        select(*columns).where(col(Submission.id).in_(ids)).order_by(col(Submission.id))
    )
    return [RulesState(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the rules decided about one submission, as its row will hold it."""

    id: int
    received_header_at: datetime | None
    auth_results: dict[str, str]
    spam_reason: str | None
    hold_reasons: list[str]
    stakeholder_group: StakeholderGroup
    group_rule: str | None
    country: str | None
    country_source: str | None
    country_reason: str | None
    organisation_suggested: str | None
    organisation_reason: str | None
    sender_key: str | None
    duplicate_key: str | None
    duplicate_of_id: int | None
    request_for_id: int | None
    request_kind: str | None
    moderation: Moderation
    moderation_reason: str | None
    receipt: str | None


def save_judgements(session: Session, judged: list[Judgement], now: datetime) -> None:
    """Every judgement of a page in one UPDATE (the operator's decisions were kept by the
    caller: a confirmed group, a country they typed, their moderation)."""
    if not judged:
        return
    update_rows(
        session,
        Submission,
        [
            {
                "id": j.id,
                "received_header_at": j.received_header_at,
                "auth_results": json.dumps(j.auth_results) if j.auth_results else None,
                "spam_reason": j.spam_reason,
                "hold_reasons": json.dumps(j.hold_reasons) if j.hold_reasons else None,
                "stakeholder_group": j.stakeholder_group,
                "group_rule": j.group_rule,
                "country": j.country,
                "country_source": j.country_source,
                "country_reason": j.country_reason,
                "organisation_suggested": j.organisation_suggested,
                "organisation_reason": j.organisation_reason,
                "sender_key": j.sender_key,
                "duplicate_key": j.duplicate_key,
                "duplicate_of_id": j.duplicate_of_id,
                "request_for_id": j.request_for_id,
                "request_kind": j.request_kind,
                "moderation": j.moderation,
                "moderation_reason": j.moderation_reason,
                "receipt": j.receipt,
                "classified_at": now,
            }
            for j in judged
        ],
    )


def apply_forms(session: Session, forms: list[tuple[int, FormContent]]) -> None:
    """A form's fields replace what the form-mailer's envelope said (empty fields do not)."""
    names = ("sender_name", "sender_address", "organisation", "subject", "body_text")
    for submission_id, form in forms:
        values = {name: getattr(form, name) for name in names if getattr(form, name)}
        session.execute(
            update(Submission)
            .where(col(Submission.id) == submission_id)
            .values(**values, channel=Channel.FORM)
        )


def hold_reasons_of(submission: Submission) -> list[str]:
    if not submission.hold_reasons:
        return []
    loaded = json.loads(submission.hold_reasons)
    return [str(item) for item in loaded] if isinstance(loaded, list) else []
