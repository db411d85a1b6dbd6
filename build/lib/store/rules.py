"""The consultation's rules that every part must apply the same way."""

from __future__ import annotations

from store.models import Submission
from store.settings import ConsultationSettings


def is_on_time(submission: Submission, consultation: ConsultationSettings) -> bool:
    """Received by the mailbox by the deadline, unless the operator ruled otherwise."""
    if submission.on_time_override is not None:
        return submission.on_time_override
    return submission.received_at <= consultation.deadline
