"""poll_once: read a mailbox, archive and record each new message exactly once, then parse.

The order is the whole point: bytes are made durable in the archive, then the
ledger rows and the checkpoint are committed together, and only then is the
message flagged or moved on the server. A crash anywhere leaves either nothing
recorded (the message is read again) or a record (the message is skipped).

When the archive's disk fills, the poll stops with the batch in hand unrecorded
(read again next time), says so in the checkpoint's last error, and the next poll
after space is freed goes on from there; a message whose files could not be stored
waits unparsed, never set aside.

Parsing runs beside it: each recorded batch goes to the worker processes
(ingest.submissions) while the next one is read, and comes back to be saved and
judged, a page per transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ingest.classification import RulesReport, apply_rules
from ingest.errors import SourceUnavailable
from ingest.rule_settings import IntakeRules
from ingest.settings import LimitSettings, MailboxSettings
from ingest.sources import RawMessage, Source, open_source
from ingest.sources.base import message_id_of
from ingest.submissions import Records, add_waiting, retry_after_upgrade, worker_pool
from store.archive import ArchiveUnwritable
from store.content import PendingParse
from store.db import Store
from store.intake import (
    Sighting,
    advance_checkpoint,
    checkpoint_for,
    known_keys,
    record_problem,
    record_sightings,
)
from store.locks import exclusive

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass
class PollReport:
    mailbox: str
    fetched: int = 0
    new_submissions: int = 0
    already_held: int = 0
    parsed: int = 0
    failed: int = 0
    skipped_locked: bool = False
    stopped_early: bool = False
    errors: list[str] = field(default_factory=list)
    rules: RulesReport | None = None


def poll_once(
    mailbox: MailboxSettings,
    store: Store,
    *,
    prefix: str,
    now: Callable[[], datetime],
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    limits: LimitSettings | None = None,
    rules: IntakeRules | None = None,
) -> PollReport:
    """One pass over one mailbox. Raises nothing for a bad mailbox: the report and the
    Problem table say what went wrong. `limits` bound what each message may cost. With
    `rules`, the consultation's rules judge what was parsed and receipts go out; without,
    submissions stay pending and unpublished."""
    report = PollReport(mailbox.name)
    with worker_pool(store, limits or LimitSettings(), rules) as pool:
        records = Records(store, pool, now, rules=rules)
        try:
            _poll_once(mailbox, store, prefix, now, stop, progress, report, records)
            records.finish()
        except ArchiveUnwritable as exc:  # syncfs before saving parsed records: they wait
            _failed(store, mailbox, str(exc), now(), report)
    report.parsed, report.failed = records.parsed, records.failed
    for reason in records.waiting_for_disk:
        if reason not in report.errors:  # the poll's own failure may have said it already
            _failed(store, mailbox, reason, now(), report)
    if rules is not None and not report.skipped_locked:
        report.rules = records.report
        rest = apply_rules(store, rules, now())  # what an earlier poll left unjudged; receipts
        report.rules.add(rest)
        report.rules.receipts = rest.receipts
    return report


def _poll_once(
    mailbox: MailboxSettings,
    store: Store,
    prefix: str,
    now: Callable[[], datetime],
    stop: threading.Event | None,
    progress: Progress | None,
    report: PollReport,
    records: Records,
) -> None:
    with exclusive(store.engine, f"mailbox:{mailbox.name}") as mine:
        if not mine:
            log.info("mailbox=%s: another poller holds it; skipped", mailbox.name)
            report.skipped_locked = True
            return
        retry_after_upgrade(store)  # what an earlier version of Mailroom could not read
        add_waiting(store, records)  # stored by an earlier poll but never parsed (a crash)
        try:
            source = open_source(mailbox)
        except SourceUnavailable as exc:
            _failed(store, mailbox, str(exc), now(), report)
            return
        try:
            _poll(source, store, prefix, now, stop, progress, report, records)
        except (SourceUnavailable, ArchiveUnwritable) as exc:
            _failed(store, mailbox, str(exc), now(), report)
        finally:
            source.close()


def _poll(
    source: Source,
    store: Store,
    prefix: str,
    now: Callable[[], datetime],
    stop: threading.Event | None,
    progress: Progress | None,
    report: PollReport,
    records: Records,
) -> None:
    uidvalidity = source.uidvalidity()
    with store.session() as session:
        checkpoint = checkpoint_for(session, source.mailbox, source.folder)
        after = checkpoint.last_uid
        if checkpoint.uidvalidity not in (0, uidvalidity):
            detail = (
                f"UIDVALIDITY of {source.folder} changed from {checkpoint.uidvalidity} to "
                f"{uidvalidity}: reading the folder again; messages we hold are not duplicated"
            )
            log.warning("mailbox=%s: %s", source.mailbox, detail)
            record_problem(
                session, kind="uidvalidity", detail=detail, at=now(), mailbox=source.mailbox
            )
            after = 0
        checkpoint.last_poll_at = now()
        log.info("mailbox=%s folder=%s: reading after UID %d", source.mailbox, source.folder, after)
        advance_checkpoint(session, source.mailbox, source.folder, uidvalidity, after)
        session.commit()

        def known(keys: list[str]) -> set[str]:
            held = known_keys(session, source.mailbox, source.folder, uidvalidity, keys)
            session.commit()  # hold no lock while the source reads the next batch
            return held

        # Stored before a crash but never flagged: flag them now.
        source.mark_done(sorted(known(source.unmarked(after)), key=_uid_order))

        for batch in source.batches(after, known):
            sightings = [
                _sighting(source, uidvalidity, raw, store, now()) for raw in batch.messages
            ]
            store.archive.flush()  # the bytes are on disk before any row names them
            recorded = record_sightings(
                session, sightings, prefix=prefix, now=now(), checkpoint_uid=batch.position
            )
            source.mark_done([raw.key for raw in batch.messages])
            report.fetched += len(batch.messages)
            report.new_submissions += sum(1 for r in recorded if r.new_submission)
            report.already_held += sum(1 for r in recorded if not r.new_submission)
            for r in recorded:
                log.info(
                    "mailbox=%s key=%s: stored as %s%s",
                    source.mailbox,
                    r.sighting.key,
                    r.reference,
                    "" if r.new_submission else " (bytes already held)",
                )
            if progress:
                progress(len(batch.messages))
            records.add(
                [
                    PendingParse(r.submission_id, r.reference, r.sighting.sha256, 0)
                    for r in recorded
                    if r.new_submission
                ]
            )
            if stop is not None and stop.is_set():
                report.stopped_early = True
                break
        checkpoint = checkpoint_for(session, source.mailbox, source.folder)
        checkpoint.last_success_at = now()
        checkpoint.last_error = None
        session.add(checkpoint)
        session.commit()


def _sighting(
    source: Source, uidvalidity: int, raw: RawMessage, store: Store, now: datetime
) -> Sighting:
    sha256 = store.archive.put(raw.data)
    return Sighting(
        mailbox=source.mailbox,
        folder=source.folder,
        uidvalidity=uidvalidity,
        key=raw.key,
        uid=raw.uid,
        sha256=sha256,
        size=len(raw.data),
        message_id=message_id_of(raw.data),
        received_at=raw.received_at or now,
        received_via=raw.received_via,
    )


def _uid_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (0, key)


def _failed(
    store: Store, mailbox: MailboxSettings, detail: str, at: datetime, report: PollReport
) -> None:
    log.error("mailbox=%s: %s", mailbox.name, detail)
    report.errors.append(detail)
    with store.session() as session:
        checkpoint = checkpoint_for(session, mailbox.name, mailbox.folder)
        checkpoint.last_poll_at = at
        checkpoint.last_error = detail
        session.add(checkpoint)
        record_problem(session, kind="poll", detail=detail, at=at, mailbox=mailbox.name)
        session.commit()
