"""What is public at a given moment. Everything that decides visibility lives here.

A submission is public when it parsed cleanly, its moderation state is `approved`, and
it is an original comment: not a duplicate of an earlier one from the same sender, not
a reply asking something about another submission. The moderation state carries the
consultation's rules: pre-moderation leaves new comments `pending` until the operator
approves them; post-moderation approves them at intake unless a rule holds them (spam,
DMARC failure, automatic mail, the late policy); hidden and withdrawn comments are
never public. The site and every export read through `PUBLIC`.
"""

from __future__ import annotations

from datetime import datetime

from store.models import Moderation, Submission, SubmissionStatus
from store.queries import Visibility
from store.rules import is_on_time
from store.settings import ConsultationSettings

PUBLISHABLE = (SubmissionStatus.PARSED,)
PUBLIC_STATES = (Moderation.APPROVED,)
PUBLIC = Visibility(statuses=PUBLISHABLE, moderation=PUBLIC_STATES, originals_only=True)
ANONYMOUS = "Anonymous"
LATE = "Received after the deadline"


def site_is_due(consultation: ConsultationSettings, now: datetime) -> bool:
    """Nothing reaches the public folder before the posting date."""
    return now >= consultation.posting_date


def is_published(submission: Submission) -> bool:
    """The same rule as PUBLIC, for one submission in hand."""
    return (
        submission.status in PUBLISHABLE
        and submission.moderation in PUBLIC_STATES
        and submission.duplicate_of_id is None
        and submission.request_for_id is None
    )


def public_identity(submission: Submission) -> tuple[str, str]:
    """The sender's name and organisation as the site may show them.

    The operator's edits win; a sender who asked for anonymity is shown as Anonymous,
    with their organisation only if the operator set a public one.
    """
    if submission.anonymous:
        return ANONYMOUS, submission.public_organisation or ""
    name = submission.public_name if submission.public_name is not None else submission.sender_name
    organisation = (
        submission.public_organisation
        if submission.public_organisation is not None
        else submission.organisation or submission.organisation_suggested or ""
    )
    return name, organisation


def late_label(submission: Submission, consultation: ConsultationSettings) -> str | None:
    """The mark a published late comment carries, or None when it arrived on time."""
    return None if is_on_time(submission, consultation) else LATE
