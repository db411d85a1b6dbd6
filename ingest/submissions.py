"""Stored bytes become submission records: after intake, on recovery, and on reparse.

The reading is done in the worker processes (ingest.workers), outside any
transaction; this module hands them the stored messages a page at a time and saves
what comes back, page by page in the order given: one short transaction per page
claims its rows, saves their records with one statement per table, and at intake
judges them by the consultation's rules (ingest.classification) before it commits,
so a slow document never holds the database's write lock. A row another daemon saved
meanwhile is skipped (it is claimed with SKIP LOCKED and must still be waiting), and
the work done for it is dropped. Nothing is counted before a message is read: a
message is set aside only when reading it brought a worker down (ingest.workers).
What could not be read carries the Mailroom version that tried; `reparse --failed`,
and the first poll of another version, put it back in the queue.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache

from sqlalchemy.exc import StatementError
from sqlmodel import Session

from ingest.assessment import Assessment, AssessmentRules
from ingest.classification import RulesReport, judge
from ingest.rule_settings import IntakeRules
from ingest.settings import LimitSettings
from ingest.workers import Failed, Later, Parsed, WorkerPool
from store.content import (
    PendingParse,
    SubmissionContent,
    all_email_submissions,
    claim,
    failed_elsewhere,
    pending_parse,
    retry_failed,
    save_contents,
    save_failures,
)
from store.db import Store

log = logging.getLogger(__name__)

PAGE = 200
PAGES_AHEAD = 2  # pages in the workers' hands before the oldest is saved: what memory holds

Progress = Callable[[int], None]
Clock = Callable[[], datetime]


@contextmanager
def worker_pool(
    store: Store, limits: LimitSettings, rules: IntakeRules | None = None
) -> Iterator[WorkerPool]:
    """Workers for one poll or reparse: started on the first message, stopped at the end.
    With `rules`, they also assess each message for the rules."""
    assessment = AssessmentRules.of(rules) if rules is not None else None
    with WorkerPool(limits, store.archive.root, assessment) as pool:
        yield pool


class Records:
    """Pages of stored messages on their way through the workers and into the database."""

    def __init__(
        self,
        store: Store,
        pool: WorkerPool,
        now: Clock,
        *,
        rules: IntakeRules | None = None,
        waiting: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.now = now
        self.rules = rules
        self.waiting = waiting  # a reparse waits for rows another daemon holds; intake skips
        self.progress = progress
        self.parsed = 0
        self.failed = 0
        self.waiting_for_disk: list[str] = []  # why messages were left waiting (Later)
        self.report = RulesReport()
        self._pages: deque[list[PendingParse]] = deque()

    def add(self, page: list[PendingParse]) -> None:
        """Hand a page to the workers; save the pages before it that are done."""
        if not page:
            return
        for item in page:
            self.pool.submit(item.submission_id, item.sha256)
        log.info("records: %d stored messages handed to the workers", len(page))
        self._pages.append(page)
        while self._pages and (
            len(self._pages) > PAGES_AHEAD or self.pool.done(_ids(self._pages[0]))
        ):
            self._save(self._pages.popleft())

    def finish(self) -> None:
        """Save every page still in the workers' hands."""
        while self._pages:
            self._save(self._pages.popleft())

    def _save(self, page: list[PendingParse]) -> None:
        outcomes = self.pool.take(_ids(page))
        self.store.archive.flush()  # the files the workers stored are on disk before their rows
        now = self.now()
        with self.store.session() as session:
            claimed = claim(session, _ids(page), waiting=self.waiting)
            parsed: list[tuple[int, SubmissionContent]] = []
            assessed: dict[int, Assessment] = {}
            failures: list[tuple[int, str]] = []
            for item in claimed:
                outcome = outcomes[item.submission_id]
                if isinstance(outcome, Later):  # left waiting: the next poll reads it again
                    log.warning("%s: left waiting: %s", item.reference, outcome.reason)
                    if outcome.reason not in self.waiting_for_disk:
                        self.waiting_for_disk.append(outcome.reason)
                    continue
                if isinstance(outcome, Failed):
                    log.info("%s: %s", item.reference, outcome.reason)
                    failures.append((item.submission_id, outcome.reason))
                    continue
                assert isinstance(outcome, Parsed)
                parsed.append((item.submission_id, outcome.content))
                if outcome.assessment is not None:
                    assessed[item.submission_id] = outcome.assessment
            saved = _save_records(session, parsed, claimed, failures)
            save_failures(session, failures, at=now, version=mailroom_version())
            if self.rules is not None:
                judged = [(sid, assessed[sid]) for sid in saved if sid in assessed]
                judge(session, judged, self.rules, now, self.report)
            session.commit()
        log.info("records: %d saved, %d failed", len(saved), len(failures))
        self.parsed += len(saved)
        self.failed += len(failures)
        if self.progress:
            self.progress(len(page))


def _save_records(
    session: Session,
    parsed: list[tuple[int, SubmissionContent]],
    claimed: list[PendingParse],
    failures: list[tuple[int, str]],
) -> list[int]:
    """Save the page's records in one go; should the database refuse one (it happens with
    hostile content), find it and record it as a failure instead. Returns the ids saved."""
    try:
        with session.begin_nested():
            save_contents(session, parsed)
        return [sid for sid, _ in parsed]
    except (StatementError, ValueError):
        pass
    references = {item.submission_id: item.reference for item in claimed}
    saved = []
    for sid, content in parsed:
        try:
            with session.begin_nested():
                save_contents(session, [(sid, content)])
        except (StatementError, ValueError) as exc:  # content the database refused
            log.warning("%s: could not be saved: %s", references[sid], exc)
            failures.append((sid, f"could not be saved: {exc}"))
        else:
            saved.append(sid)
    return saved


def _ids(page: list[PendingParse]) -> list[int]:
    return [item.submission_id for item in page]


def parse_pending(
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    limits: LimitSettings | None = None,
    pool: WorkerPool | None = None,
) -> tuple[int, int]:
    """Parse every email submission still waiting; returns (parsed, failed)."""
    return _walk(store, now, progress, limits, pool, pending=True)


def reparse_all(
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    limits: LimitSettings | None = None,
    pool: WorkerPool | None = None,
) -> tuple[int, int]:
    """Rebuild every email submission's record from its archived bytes, a page per commit."""
    return _walk(store, now, progress, limits, pool, pending=False)


def reparse_failed(
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    limits: LimitSettings | None = None,
    pool: WorkerPool | None = None,
) -> tuple[int, int]:
    """Read again every email submission that could not be read (set aside, or unparseable),
    and whatever else waits; returns (parsed, failed again)."""
    with store.session() as session:
        retry_failed(session)
        session.commit()
    return _walk(store, now, progress, limits, pool, pending=True)


def retry_after_upgrade(store: Store) -> int:
    """Put back in the queue what another version of Mailroom could not read: an upgrade may
    read it now. Cheap when there is none (an indexed lookup); every poll calls it."""
    version = mailroom_version()
    with store.reader() as session:
        if not failed_elsewhere(session, version):
            return 0
    with store.session() as session:
        retried = retry_failed(session, unless_version=version)
        session.commit()
    if retried:
        log.info(
            "records: %d set aside by another Mailroom version, read again by %s", retried, version
        )
    return retried


@cache
def mailroom_version() -> str:
    """The installed Mailroom's version, recorded with each message it could not read."""
    try:
        return importlib.metadata.version("mailroom")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _walk(
    store: Store,
    now: datetime,
    progress: Progress | None,
    limits: LimitSettings | None,
    pool: WorkerPool | None,
    *,
    pending: bool,
) -> tuple[int, int]:
    if pool is None:
        with worker_pool(store, limits or LimitSettings()) as own:
            return _walk(store, now, progress, limits, own, pending=pending)
    records = Records(store, pool, lambda: now, waiting=not pending, progress=progress)
    add_waiting(store, records, pending=pending)
    records.finish()
    return records.parsed, records.failed


def add_waiting(store: Store, records: Records, *, pending: bool = True) -> None:
    """Hand `records` every email submission still waiting to be parsed (or, for a reparse,
    every one), a page at a time in id order."""
    after = 0
    while True:
        with store.reader() as session:
            if pending:
                page = pending_parse(session, after_id=after, limit=PAGE)
            else:
                page = all_email_submissions(session, after_id=after, limit=PAGE)
        if not page:
            return
        after = page[-1].submission_id
        records.add(page)
