"""Receipts exactly once as the sender sees it: a real poller process is killed (SIGKILL)
while sending receipts to a real SMTP server, then started again. A receipt the server had
accepted before the kill may be sent again, but only as the very same message (same
Message-ID, same bytes), and the store ends with every receipt sent once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from store import ConsultationSettings, Store, StoreSettings
from store.models import Receipt, ReceiptStatus, Submission
from store.receipts import LEASE, claim_due, create_receipt, interrupted_sends
from tests.cli import mailroom, write_config
from tests.rules import judge, mail, maildir_of, one, post_rules
from tests.smtp_peer import PASSWORD, smtp_peer

RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2010, 11, 10, 12, 5, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def poller(settings: dict[str, object], now: datetime, kill_at: str | None) -> int:
    """Run tests/crash_receipts.py; its exit status (-9 when it killed itself)."""
    env = {**os.environ, "MAILROOM_TEST_SMTP_PASSWORD": PASSWORD}
    env.pop("MAILROOM_TEST_KILL_AT", None)
    if kill_at:
        env["MAILROOM_TEST_KILL_AT"] = kill_at
    done = subprocess.run(
        [sys.executable, "-m", "tests.crash_receipts", json.dumps(settings), now.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


def receipts(store: Store) -> list[Receipt]:
    with store.reader() as session:
        return list(session.exec(select(Receipt).order_by(Receipt.id)))


@pytest.mark.slow
@pytest.mark.parametrize("point", ["accepted", "sending"])
def test_a_kill_while_sending_never_gives_a_sender_two_different_receipts(
    point: str,
    tmp_path: Path,
    store: Store,
    store_settings: StoreSettings,
    consultation: ConsultationSettings,
) -> None:
    messages = [
        mail(n, address=f"sender{n}@example.org", received=RECEIVED, message_id=f"c{n}@example.org")
        for n in (1, 2, 3)
    ]
    mailbox = maildir_of(tmp_path, messages)
    with smtp_peer(tmp_path) as peer:
        settings: dict[str, object] = {
            "database": store_settings.url,
            "archive": str(store_settings.archive),
            "mailbox": mailbox.model_dump(mode="json"),
            "port": peer.port,
            "ca_file": str(peer.ca_file),
            "consultation": {
                "title": "Consultations on enhanced cooperation",
                "reference": consultation.reference,
                "address": consultation.address,
                "timezone": consultation.timezone,
                "deadline": consultation.deadline.isoformat(),
                "posting_date": consultation.posting_date.isoformat(),
            },
        }
        # Killed at the second receipt: the first is sent, the third claimed but not tried.
        assert poller(settings, NOW, f"{point}:2") == -signal.SIGKILL
        first, second, third = receipts(store)
        assert first.status == ReceiptStatus.SENT
        assert second.status == ReceiptStatus.SENDING and second.sent_at is None
        assert third.status == ReceiptStatus.PENDING and third.attempts == 0  # never tried
        delivered_before = len(peer.delivered)
        assert delivered_before == (2 if point == "accepted" else 1)

        # Started again within the lease: another daemon may still be sending; nothing is.
        assert poller(settings, NOW + timedelta(minutes=1), None) == 0
        assert len(peer.delivered) == delivered_before
        assert receipts(store)[1].status == ReceiptStatus.SENDING

        # After the lease: the interrupted receipt goes again, as the same message.
        later = NOW + LEASE + timedelta(minutes=1)
        assert poller(settings, later, None) == 0
        delivered = list(peer.delivered)

    by_id: dict[str, list[bytes]] = {}
    for sent in delivered:
        by_id.setdefault(sent.message["Message-ID"], []).append(sent.data)
    rows = receipts(store)
    assert sorted(by_id) == sorted(f"<{row.message_id}>" for row in rows)
    copies = Counter({mid: len(data) for mid, data in by_id.items()})
    expected_twice = f"<{rows[1].message_id}>"
    assert copies[expected_twice] == (2 if point == "accepted" else 1)
    assert all(n == 1 for mid, n in copies.items() if mid != expected_twice)
    for data in by_id.values():
        assert all(copy == data[0] for copy in data), "a resent receipt differs from the first"
    assert [(r.status, r.interrupted) for r in rows] == [
        (ReceiptStatus.SENT, 0),
        (ReceiptStatus.SENT, 1),
        (ReceiptStatus.SENT, 0),
    ]
    assert rows[1].attempts == 2 and rows[1].sent_at == later
    with store.reader() as session:
        assert interrupted_sends(session) == 1
        labels = session.exec(select(Submission.receipt).order_by(Submission.number)).all()
    assert labels == ["sent", "sent", "sent"]
    (tmp_path / "cli").mkdir()
    config = write_config(tmp_path / "cli", database=store_settings.url)
    shown = json.loads(mailroom("receipts", "--json", "--config", str(config)).stdout)
    assert (shown["interrupted"], shown["receipts"]["sent"]) == (1, 3)


def test_a_receipt_cut_off_on_its_last_attempt_is_left_failed_saying_it_may_have_gone(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = post_rules(consultation)
    (submission,) = judge(tmp_path, store, [mail(1, received=RECEIVED)], rules, NOW)
    with store.session() as session:
        row = session.get_one(Submission, submission.id)
        receipt = create_receipt(
            session, row, recipient="sender1@example.org", status=ReceiptStatus.PENDING,
            reason=None, language="en", message_id="receipt.x@un.org", now=NOW,
        )  # fmt: skip
        session.flush()
        receipt.status, receipt.attempts = ReceiptStatus.SENDING, 3
        session.add(receipt)
        session.commit()
    with store.session() as session:
        assert claim_due(session, NOW, max_attempts=3, limit=10) == []
    (left,) = receipts(store)
    assert (left.status, left.interrupted, left.next_attempt_at) == (ReceiptStatus.FAILED, 1, None)
    assert left.error is not None and "may have been delivered" in left.error
    assert one(store, submission.reference).receipt == "failed"
