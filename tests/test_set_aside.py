"""Invariant 1, its second half: only a message that itself brings the parser down is set
aside; the operator sees it (`status`, `queue`), and it is read again by `reparse --failed`
and by the first poll of another Mailroom version. Real worker processes, one of them made
to die on the poison message as a parser crashing in C would (tests/crash_worker.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from ingest import PollReport, poll_once, workers
from ingest.submissions import mailroom_version
from mailroom.config import Settings, load_settings
from store import Store, open_store
from store.models import Submission, SubmissionStatus
from tests.cli import mailroom, write_config
from tests.crash_worker import KILL_THE_PARSER
from tests.messages import comment

NOW = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
POISON = "DESA-10-3078/0003"
REASON = "parsing stopped its worker process 3 times (signal SIGKILL); set aside"


def consultation_with_poison(root: Path, database: str) -> Settings:
    """Five ordinary comments and, third, one whose parse kills its worker."""
    box = root / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (box / sub).mkdir(parents=True)
    for n in range(1, 6):
        body = f"{KILL_THE_PARSER}\n" if n == 3 else f"Comment {n} on enhanced cooperation.\n"
        (box / "new" / f"{1288000000 + n}.M{n}.test").write_bytes(comment(n, body=body))
    config = write_config(
        root,
        database=database,
        mailboxes=f'[[mailbox]]\nname = "box"\nurl = "maildir:{box}"\n',
    )
    return load_settings(config)


def poll(settings: Settings, store: Store) -> PollReport:
    return poll_once(
        settings.mailboxes[0],
        store,
        prefix=settings.consultation.submission_prefix,
        now=lambda: NOW,
        limits=settings.limits,
        rules=settings.intake_rules,
    )


def states(store: Store) -> dict[str, tuple[SubmissionStatus, str | None, str | None]]:
    with store.reader() as session:
        rows = session.exec(select(Submission).order_by(col(Submission.number))).all()
    return {s.reference: (s.status, s.error, s.failed_version) for s in rows}


@pytest.mark.slow
def test_only_the_poison_message_is_set_aside_and_the_operator_sees_it_and_reads_it_again(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = consultation_with_poison(tmp_path, database)
    store = open_store(settings.store)
    try:
        monkeypatch.setattr(workers, "WORKER", "tests.crash_worker")
        report = poll(settings, store)
        assert (report.parsed, report.failed) == (4, 1)
        found = states(store)
        assert found.pop(POISON) == (SubmissionStatus.FAILED, REASON, mailroom_version())
        assert {status for status, _, _ in found.values()} == {SubmissionStatus.PARSED}

        # The same Mailroom polls again: what it set aside stays aside, charged nothing more.
        again = poll(settings, store)
        assert (again.parsed, again.failed) == (0, 0)
        assert states(store)[POISON][0] == SubmissionStatus.FAILED
    finally:
        store.close()
    config = str(settings.path)

    status = json.loads(mailroom("status", "--json", "--config", config, cwd=tmp_path).stdout)
    assert status["set_aside_total"] == 1
    assert status["set_aside"] == [
        {"reference": POISON, "reason": REASON, "mailroom_version": mailroom_version()}
    ]
    text = mailroom("status", "--config", config, cwd=tmp_path).stdout
    assert "Set aside, not parsed: 1" in text and f"{POISON}  {REASON}" in text
    queue = mailroom("queue", "--config", config, cwd=tmp_path)
    assert queue.returncode == 0, queue.stderr
    assert f"{POISON}  {REASON}" in queue.stdout and "reparse --failed" in queue.stdout

    # With a parser that survives it (the real worker), reparse --failed reads it, and only it.
    reparsed = mailroom("reparse", "--failed", "--config", config, cwd=tmp_path)
    assert reparsed.returncode == 0, reparsed.stderr
    assert "1 parsed, 0 could not be read" in reparsed.stdout
    store = open_store(settings.store)
    try:
        assert states(store)[POISON] == (SubmissionStatus.PARSED, None, None)
        with store.reader() as session:
            poison = session.exec(select(Submission).where(Submission.reference == POISON)).one()
        assert poison.classified_at is not None  # judged by the rules, so it can be published
    finally:
        store.close()
    status = json.loads(mailroom("status", "--json", "--config", config, cwd=tmp_path).stdout)
    assert (status["set_aside_total"], status["set_aside"]) == (0, [])


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("older", [None, "0.0.1"])
def test_a_poll_under_another_mailroom_version_reads_again_what_was_set_aside(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch, older: str | None
) -> None:
    """`older` None: set aside before Mailroom recorded its version (such as the 140 good
    comments the old attempt counter set aside)."""
    settings = consultation_with_poison(tmp_path, database)
    store = open_store(settings.store)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(workers, "WORKER", "tests.crash_worker")
            poll(settings, store)
        with store.session() as session:
            session.execute(
                update(Submission)
                .where(col(Submission.reference) == POISON)
                .values(failed_version=older)
            )
            session.commit()
        report = poll(settings, store)  # the upgraded Mailroom, whose parser survives it
        assert (report.parsed, report.failed) == (1, 0)
        assert report.rules is not None and report.rules.judged == 1
        assert {status for status, _, _ in states(store).values()} == {SubmissionStatus.PARSED}
    finally:
        store.close()
