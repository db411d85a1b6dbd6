"""The operator's decisions about submissions, each one recorded with who and when.

Nothing here deletes: hiding keeps the submission and the reason, withdrawing keeps
it too, and every change leaves a ModerationEvent that `mailroom history` shows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models import (
    Moderation,
    ModerationEvent,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)
from store.queries import find_submission


class ModerationError(Exception):
    """An action that cannot be done as asked; the message says why and what to do."""


def record_event(
    session: Session,
    submission: Submission,
    *,
    at: datetime,
    by: str,
    action: str,
    from_state: Moderation | None = None,
    to_state: Moderation | None = None,
    reason: str | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    assert submission.id is not None
    session.add(
        ModerationEvent(
            submission_id=submission.id,
            at=at,
            by=by,
            action=action,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value if to_state else None,
            reason=reason,
            changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
        )
    )


def decide(
    session: Session,
    submission: Submission,
    state: Moderation,
    *,
    by: str,
    at: datetime,
    reason: str | None,
    action: str,
) -> None:
    """An operator's approve, hide or withdraw: from now on the rules leave the state alone."""
    if state == Moderation.HIDDEN and not (reason and reason.strip()):
        raise ModerationError("hiding needs a reason (--reason): it is kept with the submission")
    if (
        submission.moderation == Moderation.WITHDRAWN
        and state != Moderation.WITHDRAWN
        and not (reason and reason.strip())
    ):
        raise ModerationError(
            f"{submission.reference} was withdrawn at the sender's request; "
            "give --reason to reverse that"
        )
    before = submission.moderation
    submission.moderation = state
    submission.moderation_reason = reason
    submission.moderated_by = by
    submission.moderated_at = at
    session.add(submission)
    record_event(
        session,
        submission,
        at=at,
        by=by,
        action=action,
        from_state=before,
        to_state=state,
        reason=reason,
    )


def edit_public(
    session: Session,
    submission: Submission,
    *,
    by: str,
    at: datetime,
    name: str | None = None,
    organisation: str | None = None,
    anonymous: bool | None = None,
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Change what the site shows as the sender; the original header values stay as data."""
    changes: dict[str, list[Any]] = {}
    for field, value in (
        ("public_name", name),
        ("public_organisation", organisation),
        ("anonymous", anonymous),
    ):
        if value is not None and getattr(submission, field) != value:
            changes[field] = [getattr(submission, field), value]
            setattr(submission, field, value)
    if changes:
        session.add(submission)
        record_event(
            session, submission, at=at, by=by, action="edit", reason=reason, changes=changes
        )
    return changes


def set_on_time(
    session: Session,
    submission: Submission,
    value: bool | None,
    *,
    by: str,
    at: datetime,
    reason: str | None,
) -> None:
    """The operator's ruling on the deadline (None: back to the mailbox's clock). Run the
    rules on the submission again afterwards, so a state the rules gave it follows."""
    if value is not None and not (reason and reason.strip()):
        raise ModerationError("a ruling on the deadline needs a reason (--reason)")
    changes = {"on_time_override": [submission.on_time_override, value]}
    submission.on_time_override = value
    submission.on_time_reason = reason if value is not None else None
    session.add(submission)
    record_event(
        session, submission, at=at, by=by, action="on_time", reason=reason, changes=changes
    )


def set_group(
    session: Session,
    submission: Submission,
    group: StakeholderGroup,
    *,
    by: str,
    at: datetime,
) -> None:
    """The operator confirms or changes the stakeholder group; the rules no longer touch it."""
    changes: dict[str, list[Any]] = {}
    if submission.stakeholder_group != group:
        changes["stakeholder_group"] = [submission.stakeholder_group.value, group.value]
    if not submission.group_confirmed:
        changes["group_confirmed"] = [False, True]
    submission.stakeholder_group = group
    submission.group_confirmed = True
    if "stakeholder_group" in changes:
        submission.group_rule = f"operator {by}"
    session.add(submission)
    record_event(session, submission, at=at, by=by, action="group", changes=changes)


def set_country(
    session: Session, submission: Submission, country: str | None, *, by: str, at: datetime
) -> None:
    changes = {"country": [submission.country, country]}
    submission.country = country
    submission.country_source = "operator"
    session.add(submission)
    record_event(session, submission, at=at, by=by, action="country", changes=changes)


def set_file_policy(
    session: Session,
    submission: Submission,
    changes: dict[str, str | None],
    *,
    by: str,
    at: datetime,
    reason: str | None,
) -> dict[str, list[Any]]:
    """The operator's publication policy for some of a submission's files (`{"2": "text"}`,
    or `{"all": "withheld"}`; None: back to the [site.attachments] default)."""
    if not (reason and reason.strip()):
        raise ModerationError("a publication policy needs a reason (--reason): it is kept")
    current = json.loads(submission.file_policy) if submission.file_policy else {}
    recorded: dict[str, list[Any]] = {}
    for key, value in changes.items():
        if current.get(key) != value:
            recorded[f"file {key}"] = [current.get(key), value]
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    if recorded:
        submission.file_policy = json.dumps(current, sort_keys=True) if current else None
        session.add(submission)
        record_event(
            session, submission, at=at, by=by, action="files", reason=reason, changes=recorded
        )
    return recorded


def find_for_update(session: Session, reference: str) -> Submission | None:
    """A submission by reference (or number), its row held until the commit."""
    view = find_submission(session, reference)
    if view is None:
        return None
    return session.exec(
        select(Submission).where(Submission.id == view.submission.id).with_for_update()
    ).one()


def from_sender(session: Session, address: str, *, limit: int = 500) -> list[Submission]:
    """A sender's submissions, oldest first, held until the commit."""
    return list(
        session.exec(
            select(Submission)
            .where(func.lower(Submission.sender_address) == address.lower())
            .order_by(col(Submission.number))
            .limit(limit)
            .with_for_update()
        )
    )


def history(session: Session, submission_id: int) -> list[ModerationEvent]:
    return list(
        session.exec(
            select(ModerationEvent)
            .where(ModerationEvent.submission_id == submission_id)
            .order_by(col(ModerationEvent.id))  # the order they were made; clocks may be moved
        )
    )


def queue(
    session: Session, *, after_number: int = 0, limit: int = 500, held_only: bool = False
) -> list[Submission]:
    """Parsed submissions waiting for the operator, in reference order, a page at a time."""
    query = select(Submission).where(
        Submission.status == SubmissionStatus.PARSED,
        Submission.moderation == Moderation.PENDING,
        col(Submission.number) > after_number,
    )
    if held_only:
        query = query.where(col(Submission.hold_reasons).is_not(None))
    return list(session.exec(query.order_by(col(Submission.number)).limit(limit)))


def count_queue(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.status == SubmissionStatus.PARSED,
            Submission.moderation == Moderation.PENDING,
        )
    ).one()


def requests_waiting(session: Session, *, limit: int = 500) -> list[Submission]:
    """Replies to receipts asking to withdraw or publish anonymously, not applied yet."""
    return list(
        session.exec(
            select(Submission)
            .where(
                col(Submission.request_for_id).is_not(None),
                Submission.moderation == Moderation.PENDING,
            )
            .order_by(col(Submission.number))
            .limit(limit)
        )
    )


def latest_decision(session: Session) -> int | None:
    """The newest recorded decision's id: the daemon republishes when it changes."""
    return session.exec(select(func.max(ModerationEvent.id))).one()


def moderation_counts(session: Session) -> dict[str, int]:
    """Parsed submissions by moderation state: what `status` reports."""
    rows = session.exec(
        select(Submission.moderation, func.count())
        .where(Submission.status == SubmissionStatus.PARSED)
        .group_by(col(Submission.moderation))
    ).all()
    counts = {state.value: 0 for state in Moderation}
    counts.update({str(getattr(state, "value", state)): int(n) for state, n in rows})
    return counts
