"""What is public at a given moment. Everything that decides visibility lives here."""

from __future__ import annotations

from datetime import datetime

from store.models import Submission, SubmissionStatus
from store.settings import ConsultationSettings

PUBLISHABLE = (SubmissionStatus.PARSED,)


def site_is_due(consultation: ConsultationSettings, now: datetime) -> bool:
    """Nothing reaches the public folder before the posting date."""
    return now >= consultation.posting_date


def is_published(submission: Submission) -> bool:
    """Parsed cleanly. A submission that failed to parse waits for the operator."""
    return submission.status in PUBLISHABLE
