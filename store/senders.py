"""Who wrote from where: how many comments have an organisation and a country, given by the
sender, suggested by the rules from the letter, or confirmed by the operator; and the
operator's confirmation of a suggested organisation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from store.models import Submission, SubmissionStatus
from store.moderation import record_event

GIVEN_COUNTRY = ("domain", "group rule", "form")  # the sender's address or form said so
SUGGESTED_COUNTRY = ("letter", "signature")  # read from the text: a suggestion


def sender_counts(session: Session) -> dict[str, dict[str, int]]:
    """Parsed comments (originals) by where their organisation and country came from."""
    originals = (
        Submission.status == SubmissionStatus.PARSED,
        col(Submission.duplicate_of_id).is_(None),
        col(Submission.request_for_id).is_(None),
    )
    organisation = case(
        (col(Submission.organisation_confirmed).is_(True), "confirmed"),
        (col(Submission.public_organisation).is_not(None), "confirmed"),
        (col(Submission.organisation) != "", "given"),
        (col(Submission.organisation_suggested).is_not(None), "suggested"),
        else_="none",
    )
    country = case(
        (col(Submission.country).is_(None), "none"),
        (col(Submission.country_source) == "operator", "confirmed"),
        (col(Submission.country_source).in_(SUGGESTED_COUNTRY), "suggested"),
        else_="given",
    )
    report: dict[str, dict[str, int]] = {}
    for name, expression in (("organisation", organisation), ("country", country)):
        counts = {"given": 0, "suggested": 0, "confirmed": 0, "none": 0}
        rows = session.exec(
            select(expression, func.count()).where(*originals).group_by(expression)
        ).all()
        counts.update({str(key): int(n) for key, n in rows})
        report[name] = counts
    return report


def confirm_organisation(
    session: Session, submission: Submission, name: str | None, *, by: str, at: datetime
) -> str:
    """The operator confirms the organisation read from the letter, or gives another;
    the rules leave it alone from then on. Returns the organisation now shown."""
    value = (name or submission.organisation_suggested or submission.organisation or "").strip()
    if not value:
        raise ValueError(
            f"{submission.reference}: no organisation was suggested; give one: "
            f"`mailroom organisation {submission.reference} NAME`"
        )
    changes: dict[str, list[Any]] = {
        "organisation_suggested": [submission.organisation_suggested, value],
        "organisation_confirmed": [submission.organisation_confirmed, True],
    }
    submission.organisation_suggested = value
    submission.organisation_confirmed = True
    if name:
        submission.organisation_reason = f"operator {by}"
    session.add(submission)
    record_event(session, submission, at=at, by=by, action="organisation", changes=changes)
    return value


def confirm_country(session: Session, submission: Submission, *, by: str, at: datetime) -> str:
    """The operator confirms the country the rules suggested."""
    if submission.country is None:
        raise ValueError(
            f"{submission.reference}: no country was suggested; set one: "
            f"`mailroom country {submission.reference} CODE`"
        )
    changes = {"country_source": [submission.country_source, "operator"]}
    submission.country_source = "operator"
    session.add(submission)
    record_event(session, submission, at=at, by=by, action="country", changes=changes)
    return submission.country
