"""Stored bytes become submission records: after intake, on recovery, and on reparse.

Attempts are counted (and committed) before parsing, so a message that kills
the process is set aside, not retried for ever. The work (parsing, storing
files, reading their text in the extraction workers) is done outside any
transaction; then one short transaction claims the rows and saves the results,
so a slow document never holds the database's write lock. A row another daemon
saved meanwhile is skipped (it is claimed with SKIP LOCKED and must still be
waiting), and the work done for it is dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.exc import StatementError

from ingest.errors import UnparseableMessage
from ingest.extraction import ExtractorPool
from ingest.records import Prepared, content, extract, prepare
from ingest.settings import LimitSettings
from store.archive import ArchiveCorrupt
from store.content import (
    PendingParse,
    all_email_submissions,
    attempts_of,
    claim,
    count_attempt,
    pending_parse,
    save_content,
    save_failure,
)
from store.db import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PAGE = 200
WORK = 25  # messages worked on together: the pool's workers share them; memory holds them

Progress = Callable[[int], None]


@contextmanager
def extraction_pool(store: Store, limits: LimitSettings) -> Iterator[ExtractorPool]:
    """Workers for one poll or reparse: started on the first file, stopped at the end."""
    with ExtractorPool(limits, store.archive.root) as pool:
        yield pool


def parse_pending(
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    limits: LimitSettings | None = None,
    pool: ExtractorPool | None = None,
) -> tuple[int, int]:
    """Parse every email submission still waiting; returns (parsed, failed)."""
    return _walk(store, now, progress, limits, pool, pending=True)


def reparse_all(
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    limits: LimitSettings | None = None,
    pool: ExtractorPool | None = None,
) -> tuple[int, int]:
    """Rebuild every email submission's record from its archived bytes, a page per commit."""
    return _walk(store, now, progress, limits, pool, pending=False)


def _walk(
    store: Store,
    now: datetime,
    progress: Progress | None,
    limits: LimitSettings | None,
    pool: ExtractorPool | None,
    *,
    pending: bool,
) -> tuple[int, int]:
    if pool is None:
        with extraction_pool(store, limits or LimitSettings()) as own:
            return _walk(store, now, progress, limits, own, pending=pending)
    parsed = failed = 0
    after = 0
    while True:
        with store.reader() as session:
            if pending:
                page = pending_parse(session, after_id=after, limit=PAGE)
            else:
                page = all_email_submissions(session, after_id=after, limit=PAGE)
        if not page:
            return parsed, failed
        after = page[-1].submission_id
        if pending:
            with store.session() as session:
                count_attempt(session, [p.submission_id for p in page])
        for start in range(0, len(page), WORK):
            done, bad = _work(store, page[start : start + WORK], now, pool, pending=pending)
            parsed, failed = parsed + done, failed + bad
        if progress:
            progress(len(page))


def _work(
    store: Store, page: list[PendingParse], now: datetime, pool: ExtractorPool, *, pending: bool
) -> tuple[int, int]:
    """Parse and read a few messages outside any transaction, then save them in one."""
    results: dict[int, Prepared | str] = {}
    attempts: dict[int, int] = {}
    if pending:
        with store.reader() as session:
            attempts = attempts_of(session, [p.submission_id for p in page])
    for item in page:
        if pending and attempts.get(item.submission_id, 0) > MAX_ATTEMPTS:
            times = attempts[item.submission_id] - 1
            results[item.submission_id] = f"parsing stopped the process {times} times; set aside"
            continue
        try:
            raw = store.archive.get(item.sha256)
            prepared = prepare(raw, store.archive, pool.limits)
        except (UnparseableMessage, ArchiveCorrupt, FileNotFoundError) as exc:
            log.info("%s: %s", item.reference, exc)
            results[item.submission_id] = str(exc)
            continue
        # Keep what the record needs, not the message's bytes, while the others are read.
        prepared.parsed = dataclasses.replace(prepared.parsed, attachments=[], bounded=None)
        results[item.submission_id] = prepared
    extract([r for r in results.values() if isinstance(r, Prepared)], pool, store.archive)
    store.archive.flush()  # attachments, ours and the workers', are on disk before their rows
    parsed = failed = 0
    with store.session() as session:
        for claimed in claim(session, [p.submission_id for p in page], waiting=not pending):
            result = results[claimed.submission_id]
            if isinstance(result, str):
                save_failure(session, claimed.submission_id, result, at=now)
                failed += 1
                continue
            try:
                with session.begin_nested():
                    save_content(session, claimed.submission_id, content(result))
            except (StatementError, ValueError) as exc:  # content the database refused
                log.warning("%s: could not be saved: %s", claimed.reference, exc)
                save_failure(session, claimed.submission_id, f"could not be saved: {exc}", at=now)
                failed += 1
            else:
                parsed += 1
        session.commit()
    return parsed, failed
