"""What the consultation's rules found about a submission, saved in one place.

Ingest decides (ingest.classification); this module finds the submissions waiting for
the rules, holds them while they are judged, and writes the findings without undoing
an operator's decision: a confirmed group, a country the operator typed, a moderation
decision an operator made all stay as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from store.models import (
    Attachment,
    Channel,
    Moderation,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)
from store.moderation import record_event
from store.rules import RULES

OPERATOR_SOURCES = ("operator", "form")  # a country someone typed is not replaced by a guess


@dataclass(frozen=True, slots=True)
class FormContent:
    """A form's fields, mapped onto the submission (a form that emails its contents)."""

    sender_name: str = ""
    sender_address: str = ""
    organisation: str = ""
    subject: str = ""
    body_text: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    received_header_at: datetime | None = None
    auth_results: dict[str, str] = field(default_factory=dict)
    spam_reason: str | None = None
    hold_reasons: list[str] = field(default_factory=list)
    group: StakeholderGroup | None = None
    group_rule: str | None = None
    country: str | None = None
    country_source: str | None = None
    duplicate_key: str | None = None
    duplicate_of_id: int | None = None
    request_for_id: int | None = None
    request_kind: str | None = None
    country_reason: str | None = None
    organisation_suggested: str | None = None
    organisation_reason: str | None = None


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


def apply_form(session: Session, submission: Submission, form: FormContent) -> None:
    """A form's fields replace what the form-mailer's envelope said."""
    for name in ("sender_name", "sender_address", "organisation", "subject", "body_text"):
        value = getattr(form, name)
        if value:
            setattr(submission, name, value)
    submission.channel = Channel.FORM
    session.add(submission)


def save_classification(
    session: Session, submission: Submission, found: Classification, now: datetime
) -> None:
    submission.received_header_at = found.received_header_at
    submission.auth_results = json.dumps(found.auth_results) if found.auth_results else None
    submission.spam_reason = found.spam_reason
    submission.hold_reasons = json.dumps(found.hold_reasons) if found.hold_reasons else None
    if not submission.group_confirmed:
        submission.stakeholder_group = found.group or StakeholderGroup.UNCLASSIFIED
        submission.group_rule = found.group_rule
    if submission.country_source not in OPERATOR_SOURCES:
        submission.country = found.country
        submission.country_source = found.country_source
        submission.country_reason = found.country_reason
    if not submission.organisation_confirmed:
        submission.organisation_suggested = found.organisation_suggested
        submission.organisation_reason = found.organisation_reason
    submission.sender_key = submission.sender_address.lower() or None
    submission.duplicate_key = found.duplicate_key
    submission.duplicate_of_id = found.duplicate_of_id
    submission.request_for_id = found.request_for_id
    submission.request_kind = found.request_kind
    submission.classified_at = now
    session.add(submission)


def apply_rules_state(
    session: Session, submission: Submission, state: Moderation, reason: str, now: datetime
) -> bool:
    """Set what the rules decided, unless an operator has decided; True if it changed."""
    if submission.moderated_by is not None:
        return False
    if submission.moderation == state and submission.moderation_reason == reason:
        return False
    before = submission.moderation
    submission.moderation = state
    submission.moderation_reason = reason
    session.add(submission)
    record_event(
        session,
        submission,
        at=now,
        by=RULES,
        action="rules",
        from_state=before,
        to_state=state,
        reason=reason,
    )
    return True


def hold_reasons_of(submission: Submission) -> list[str]:
    if not submission.hold_reasons:
        return []
    loaded = json.loads(submission.hold_reasons)
    return [str(item) for item in loaded] if isinstance(loaded, list) else []
