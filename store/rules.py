"""The consultation's rules that every part must apply the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from store.models import Moderation, Submission
from store.settings import ConsultationSettings

RULES = "mailroom (rules)"  # who decided, in the history, when no operator did


def is_on_time(submission: Submission, consultation: ConsultationSettings) -> bool:
    """Received by the mailbox by the deadline, unless the operator ruled otherwise."""
    return on_time(submission.on_time_override, submission.received_at, consultation)


def on_time(
    override: bool | None, received_at: datetime, consultation: ConsultationSettings
) -> bool:
    """is_on_time, from the two values it reads."""
    if override is not None:
        return override
    return received_at <= consultation.deadline


def clocks_disagree(
    received_at: datetime, received_header_at: datetime | None, deadline: datetime
) -> bool:
    """The mailbox's clock and the receiving server's Received header fall either side of it."""
    if received_header_at is None:
        return False
    return (received_at <= deadline) != (received_header_at <= deadline)


def derive_moderation(
    mode: str, late: str, on_time: bool, holds: Sequence[str]
) -> tuple[Moderation, str]:
    """The state the rules give a submission no operator has decided on, and why.

    `mode` is "pre" (nothing public until approved) or "post" (public unless hidden);
    `late` is "hold", "publish" or "reject". Anything the rules hold goes to the queue
    in either mode.
    """
    if holds:
        return Moderation.PENDING, "held for the operator: " + "; ".join(holds)
    if not on_time:
        if late == "hold":
            return Moderation.PENDING, "received after the deadline: held for the operator"
        if late == "reject":
            return Moderation.HIDDEN, "received after the deadline: not published (late policy)"
    if mode == "pre":
        return Moderation.PENDING, "pre-moderation: waiting for approval"
    note = " (received after the deadline; published marked so)" if not on_time else ""
    return Moderation.APPROVED, "post-moderation: public unless hidden" + note
