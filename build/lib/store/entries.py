"""What an operator keys in for a fax, a letter or a form, saved beside the parsed content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from store.models import StakeholderGroup, Submission


@dataclass(frozen=True, slots=True)
class EntryDetails:
    entered_by: str
    postmark_date: date | None = None
    group: StakeholderGroup | None = None  # the operator's own: confirmed
    country: str | None = None
    country_source: str = "operator"
    language: str | None = None


def submission_by_sha(session: Session, sha256: str) -> Submission | None:
    return session.exec(select(Submission).where(Submission.sha256 == sha256)).first()


def save_entry_details(session: Session, submission_id: int, details: EntryDetails) -> None:
    submission = session.get_one(Submission, submission_id)
    submission.entered_by = details.entered_by
    submission.postmark_date = details.postmark_date
    if details.group is not None:
        submission.stakeholder_group = details.group
        submission.group_confirmed = True
        submission.group_rule = f"operator entry by {details.entered_by}"
    if details.country:
        submission.country = details.country
        submission.country_source = details.country_source
    if details.language:
        submission.language = details.language
    session.add(submission)
