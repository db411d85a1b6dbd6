"""Invariant 1: a poller killed with SIGKILL anywhere in a batch loses and duplicates nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from ingest import MailboxSettings, PollReport, poll_once
from store import Store, StoreSettings
from store.models import Message, Submission, SubmissionStatus
from tests.conftest import imap_mailbox
from tests.dovecot import Dovecot
from tests.messages import comment

MESSAGES = 10  # batch_size 4: batches of 4, 4 and 2


def poll_after_crash(mailbox: MailboxSettings, store: Store) -> PollReport:
    """Poll as a restarted daemon would. PostgreSQL notices the killed client's closed socket
    a moment later (sooner or later under load); until then its mailbox lock is still held and
    the poll is skipped, as it must be. The lock must be gone within seconds."""
    deadline = time.monotonic() + 30
    while True:
        report = poll_once(mailbox, store, prefix="DESA-10-3078", now=lambda: datetime.now(UTC))
        if not report.skipped_locked or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "nth"),
    [
        ("archived", 1),  # first message of the first batch is on disk, nothing recorded
        ("archived", 6),  # in the middle of the second batch
        ("recorded", 2),  # second batch flushed, not committed
        ("committed", 1),  # first batch committed, not flagged
        ("committed", 3),  # last batch committed, not flagged
        ("parsing", 3),  # stored and flagged, killed while parsing
    ],
)
def test_a_killed_poller_resumes_with_every_message_stored_exactly_once(
    dovecot: Dovecot,
    store: Store,
    store_settings: StoreSettings,
    point: str,
    nth: int,
) -> None:
    folder = dovecot.fresh_folder()
    uids = dovecot.append(
        folder, [comment(n, body=f"Comment {n} {point}") for n in range(MESSAGES)]
    )
    mailbox = imap_mailbox(dovecot, folder)
    settings = {
        "database": store_settings.url,
        "archive": str(store_settings.archive),
        "mailbox": json.loads(mailbox.model_dump_json()),
    }
    killed = subprocess.run(
        [sys.executable, "-m", "tests.crash_poller", json.dumps(settings), point, str(nth)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr

    report = poll_after_crash(mailbox, store)
    assert not report.skipped_locked and report.errors == []

    with store.session() as session:
        messages = session.exec(select(Message)).all()
        submissions = session.exec(select(Submission).order_by(Submission.number)).all()
    assert sorted(m.uid for m in messages) == uids
    assert [s.number for s in submissions] == list(range(1, MESSAGES + 1))  # none lost, no gaps
    assert {s.status for s in submissions} == {SubmissionStatus.PARSED}
    assert sorted(s.body_text for s in submissions) == sorted(
        f"Comment {n} {point}" for n in range(MESSAGES)
    )
    # The archive and the database agree: every row's bytes are there, every blob is named.
    row_shas = {m.sha256 for m in messages}
    assert all(store.archive.get(sha) for sha in row_shas)
    assert set(store.archive) == row_shas
    assert all(b"$MailroomStored" in f for f in dovecot.flags(folder).values())


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_daemon_killed_from_outside_while_parsing_never_sets_a_message_aside(
    dovecot: Dovecot, store: Store, store_settings: StoreSettings
) -> None:
    """Three kills of the poller while its workers parse: nothing is charged to the message
    (only a message that itself brings a worker down is set aside; see test_extraction)."""
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1)])
    mailbox = imap_mailbox(dovecot, folder)
    settings = {
        "database": store_settings.url,
        "archive": str(store_settings.archive),
        "mailbox": json.loads(mailbox.model_dump_json()),
    }
    for _ in range(3):
        killed = subprocess.run(
            [sys.executable, "-m", "tests.crash_poller", json.dumps(settings), "parsing", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert killed.returncode == -9, killed.stderr
    report = poll_after_crash(mailbox, store)
    assert (report.parsed, report.failed) == (1, 0)
    with store.session() as session:
        submission = session.exec(select(Submission)).one()
    assert submission.status == SubmissionStatus.PARSED and submission.error is None
