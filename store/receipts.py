"""The receipts log: one row per email submission a receipt was considered for.

A receipt is decided in the transaction that judges the submission, and sent after
the commit. Sending first claims the row with a short lease (committed), so no lock is
held while the SMTP server answers and two daemons never send the same receipt.

Just before the SMTP transaction the row is marked `sending` (committed), and `sent` just
after the server accepts the message. A process killed in between leaves `sending`: once
the lease runs out the receipt is claimed again, counted as interrupted, and sent again as
the same message (same Message-ID, same Date: `sending_at`), so a duplicate is one the
sender's mail client can recognise as such. Delivery to the SMTP server is at least once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from store.bulk import insert_rows
from store.models import Receipt, ReceiptStatus, Submission

LEASE = timedelta(minutes=10)  # a sender that died mid-send is retried after this
INTERRUPTED_LAST = (
    "the last attempt was interrupted before its outcome was recorded; it may have been "
    "delivered. `mailroom receipts` counts these; check the SMTP server's log"
)


@dataclass(frozen=True, slots=True)
class DueReceipt:
    receipt_id: int
    submission_id: int
    recipient: str
    message_id: str | None
    language: str | None
    attempts: int
    interrupted: bool = False  # its last send was cut off: it may have been delivered


def label(status: ReceiptStatus, reason: str | None) -> str:
    """What `mailroom list --json` prints as `receipt`."""
    if status == ReceiptStatus.SUPPRESSED:
        return f"suppressed: {reason or 'no reason recorded'}"
    return status.value


def receipt_for(session: Session, submission_id: int) -> Receipt | None:
    return session.exec(select(Receipt).where(Receipt.submission_id == submission_id)).first()


def create_receipt(
    session: Session,
    submission: Submission,
    *,
    recipient: str,
    status: ReceiptStatus,
    reason: str | None,
    language: str | None,
    message_id: str | None,
    now: datetime,
) -> Receipt:
    assert submission.id is not None
    receipt = Receipt(
        submission_id=submission.id,
        recipient=recipient.lower()[:320],
        status=status,
        reason=reason,
        language=language,
        message_id=message_id,
        created_at=now,
        next_attempt_at=now if status == ReceiptStatus.PENDING else None,
    )
    session.add(receipt)
    submission.receipt = label(status, reason)
    session.add(submission)
    return receipt


def recent_receipts(session: Session, recipient: str, since: datetime) -> int:
    """Receipts due or sent to this address since then: the per-sender limit counts these."""
    return session.exec(
        select(func.count())
        .select_from(Receipt)
        .where(
            Receipt.recipient == recipient.lower()[:320],
            col(Receipt.created_at) >= since,
            col(Receipt.status) != ReceiptStatus.SUPPRESSED,
        )
    ).one()


def answered_receipt(session: Session, message_ids: tuple[str, ...]) -> int | None:
    """The submission whose receipt one of these Message-IDs is: the mail answers our receipt."""
    if not message_ids:
        return None
    return session.exec(
        select(Receipt.submission_id)
        .where(col(Receipt.message_id).in_(list(message_ids)))
        .order_by(col(Receipt.id))
        .limit(1)
    ).first()


def with_receipts(session: Session, submission_ids: list[int]) -> set[int]:
    """Which of these submissions already have a receipt row (decided once, never again)."""
    if not submission_ids:
        return set()
    rows = session.exec(
        select(Receipt.submission_id).where(col(Receipt.submission_id).in_(submission_ids))
    )
    return {int(sid) for sid in rows}


def recent_counts(session: Session, recipients: list[str], since: datetime) -> dict[str, int]:
    """recent_receipts for many addresses in one query."""
    wanted = sorted({r.lower()[:320] for r in recipients if r})
    if not wanted:
        return {}
    rows = session.exec(
        select(Receipt.recipient, func.count())
        .where(
            col(Receipt.recipient).in_(wanted),
            col(Receipt.created_at) >= since,
            col(Receipt.status) != ReceiptStatus.SUPPRESSED,
        )
        .group_by(col(Receipt.recipient))
    )
    return {str(recipient): int(n) for recipient, n in rows}


def answered_receipts(session: Session, message_ids: list[str]) -> dict[str, tuple[int, int]]:
    """For each of these Message-IDs that names one of our receipts: (receipt id, submission)."""
    if not message_ids:
        return {}
    rows = session.exec(
        select(Receipt.message_id, Receipt.id, Receipt.submission_id).where(
            col(Receipt.message_id).in_(sorted(set(message_ids)))
        )
    )
    return {str(mid): (int(rid), int(sid)) for mid, rid, sid in rows if mid and rid is not None}


def create_receipts(session: Session, rows: list[dict[str, object]], now: datetime) -> None:
    """Receipt rows decided for a page, in one INSERT: submission_id, recipient, status,
    reason, language, message_id each."""
    if not rows:
        return
    insert_rows(
        session,
        Receipt,
        [
            {
                **row,
                "recipient": str(row["recipient"]).lower()[:320],
                "created_at": now,
                "next_attempt_at": now if row["status"] == ReceiptStatus.PENDING else None,
            }
            for row in rows
        ],
    )


def claim_due(
    session: Session, now: datetime, *, max_attempts: int, limit: int
) -> list[DueReceipt]:
    """Receipts to send now, leased to this sender; committed before any is sent.

    Claiming charges no attempt: a sender killed before it tries a receipt costs that
    receipt nothing but the lease's wait (an attempt is counted when the receipt is marked
    sending, or fails). A receipt left `sending` by a sender that died is due again when
    its lease runs out: it is counted as interrupted (it may have reached the server), and
    left failed if that was its last attempt."""
    rows = list(
        session.exec(
            select(Receipt)
            .where(
                col(Receipt.status).in_(
                    [ReceiptStatus.PENDING, ReceiptStatus.FAILED, ReceiptStatus.SENDING]
                ),
                col(Receipt.next_attempt_at).is_not(None),
                col(Receipt.next_attempt_at) <= now,
                or_(
                    col(Receipt.attempts) < max_attempts,
                    col(Receipt.status) == ReceiptStatus.SENDING,
                ),
            )
            .order_by(col(Receipt.next_attempt_at), col(Receipt.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    due = []
    for receipt in rows:
        assert receipt.id is not None
        interrupted = receipt.status == ReceiptStatus.SENDING
        if interrupted:
            receipt.interrupted += 1
        if receipt.attempts >= max_attempts:
            if interrupted:  # its last attempt was cut off: no more, and say why
                receipt.status = ReceiptStatus.FAILED
                receipt.error = INTERRUPTED_LAST
                receipt.next_attempt_at = None
                _mirror(session, receipt)
            continue
        receipt.next_attempt_at = now + LEASE
        session.add(receipt)
        due.append(
            DueReceipt(
                receipt_id=receipt.id,
                submission_id=receipt.submission_id,
                recipient=receipt.recipient,
                message_id=receipt.message_id,
                language=receipt.language,
                attempts=receipt.attempts + 1,  # the number this attempt will have
                interrupted=interrupted,
            )
        )
    session.commit()
    return due


def mark_sending(session: Session, receipt_id: int, now: datetime) -> datetime:
    """Before the SMTP transaction: from here until `mark_sent` a crash may leave a receipt
    delivered but not recorded. The lease starts again, so no other sender takes it while
    the server answers. Returns the receipt's Date: when it was first handed to the server."""
    receipt = session.get_one(Receipt, receipt_id)
    _attempted(receipt, now)
    receipt.status = ReceiptStatus.SENDING
    receipt.sending_at = receipt.sending_at or now
    receipt.next_attempt_at = now + LEASE
    _mirror(session, receipt)
    return receipt.sending_at


def mark_sent(session: Session, receipt_id: int, now: datetime) -> None:
    receipt = session.get_one(Receipt, receipt_id)
    receipt.status = ReceiptStatus.SENT
    receipt.sent_at = now
    receipt.next_attempt_at = None
    receipt.error = None
    _mirror(session, receipt)


def mark_failed(
    session: Session, receipt_id: int, now: datetime, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt; `retry_at` None means no more attempts (a permanent refusal, or the
    last one allowed). One that failed before it was marked sending (the server could not
    be reached) is charged its attempt here."""
    receipt = session.get_one(Receipt, receipt_id)
    if receipt.status != ReceiptStatus.SENDING:
        _attempted(receipt, now)
    receipt.status = ReceiptStatus.FAILED
    receipt.error = error[:2000]
    receipt.next_attempt_at = retry_at
    _mirror(session, receipt)


def interrupted_sends(session: Session) -> int:
    """Sends cut off between the SMTP transaction and its record: each a possible duplicate
    (the same message, resent)."""
    total = session.exec(select(func.coalesce(func.sum(Receipt.interrupted), 0))).one()
    return int(total)


def receipt_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(Receipt.status, func.count()).group_by(col(Receipt.status))).all()
    counts = {status.value: 0 for status in ReceiptStatus}
    counts.update({str(getattr(status, "value", status)): n for status, n in rows})
    return counts


def _attempted(receipt: Receipt, now: datetime) -> None:
    receipt.attempts += 1
    receipt.last_attempt_at = now


def _mirror(session: Session, receipt: Receipt) -> None:
    session.add(receipt)
    submission = session.get_one(Submission, receipt.submission_id)
    submission.receipt = label(receipt.status, receipt.reason)
    session.add(submission)
