"""`mailroom run`: APScheduler 3 polls on an interval and publishes when it is due.

One worker thread runs every job, so a poll and a publish never overlap; missed
runs are coalesced. A poll that fails (the database gone, a server down) is tried
again soon, with a backoff (mailroom.recovery); the daemon never exits for it.
SIGTERM or SIGINT sets the stop event: the poll in flight finishes its batch,
commits, and the scheduler shuts down.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from ingest import MailboxSettings, poll_once
from ingest.classification import apply_rules
from mailroom.clock import Clock, StepWatch
from mailroom.config import Settings
from mailroom.recovery import Recovery
from mailroom.watchers import Wakeups, start_watchers, stop_watchers
from publish import SiteUnwritable, build_site
from publish.due import site_is_due
from publish.themes import refresh_themes
from store import Store
from store.intake import record_problem
from store.moderation import latest_decision

log = logging.getLogger("mailroom.daemon")


class Daemon:
    """The jobs, and whether the site needs building again."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.stop = threading.Event()
        self.site_stale = True
        self.rules = settings.intake_rules
        self.last_decision: int | None = None
        interval = settings.daemon.poll_minutes * 60
        self.recovery = Recovery(store, settings.store.url, interval, clock)

    def poll_all(self) -> None:
        with self.recovery.database():
            for mailbox in self.settings.mailboxes:
                if self.stop.is_set():
                    return
                self._poll(mailbox)
            self.after_polls()
            self.publish_if_due()

    def poll_mailbox(self, mailbox: MailboxSettings) -> None:
        """One mailbox, once: on the interval, or woken by its IDLE watcher."""
        with self.recovery.database():
            self._poll(mailbox)

    def _poll(self, mailbox: MailboxSettings) -> None:
        if self.stop.is_set():
            return
        report = poll_once(
            mailbox,
            self.store,
            prefix=self.settings.consultation.submission_prefix,
            now=self.clock,
            stop=self.stop,
            limits=self.settings.limits,
            rules=self.rules,
        )
        log.info(
            "mailbox=%s: %d fetched, %d new, %d parsed, %d failed%s",
            mailbox.name,
            report.fetched,
            report.new_submissions,
            report.parsed,
            report.failed,
            f", errors: {'; '.join(report.errors)}" if report.errors else "",
        )
        if report.new_submissions or report.parsed or report.failed:
            self.site_stale = True
        if report.errors:
            log.info("mailbox=%s: polling again in %.1f s", mailbox.name, self.recovery.failed())
        elif not report.skipped_locked:
            self.recovery.succeeded()

    def after_woken_polls(self) -> None:
        """What poll_all does after its mailboxes: the rules, then the site if it is due."""
        with self.recovery.database():
            self.after_polls()
            self.publish_if_due()

    def after_polls(self) -> None:
        """Judge what was keyed in meanwhile, retry receipts that failed, and notice an
        operator's decisions (made with other commands) that the site must show."""
        if self.stop.is_set():
            return
        report = apply_rules(self.store, self.rules, self.clock())
        if report.judged:
            self.site_stale = True
        if report.receipts.sent or report.receipts.failed:
            log.info(
                "receipts: %d sent, %d failed (retried later)",
                report.receipts.sent,
                report.receipts.failed,
            )
        with self.store.reader() as session:
            decided = latest_decision(session)
        if decided != self.last_decision:
            self.last_decision = decided
            self.site_stale = True

    def publish_if_due(self) -> None:
        if self.stop.is_set() or not self.site_stale:
            return
        if not site_is_due(self.settings.consultation, self.clock()):
            return
        try:
            refresh_themes(self.store, self.clock())  # only when the public comments changed
            report = build_site(
                self.store, self.settings.consultation, self.settings.site, self.clock()
            )
        except SiteUnwritable as exc:  # retried after the next poll; `status` says it meanwhile
            log.error("site=%s: %s", self.settings.site.output, exc)
            return
        except Exception:
            log.exception(
                "site=%s: publishing failed; the old site stays", self.settings.site.output
            )
            return
        self.site_stale = False
        log.info("site=%s: published %d submissions", report.output, report.submissions)

    def clock_set_back(self, scheduler: BackgroundScheduler, back: timedelta) -> None:
        """APScheduler would wait out the lost time before the next poll: poll now, and plan
        the posting date's publish again by the moved wall clock."""
        detail = (
            f"the system clock was set back by {back}: polling goes on from now; times "
            "recorded from here on are earlier than some recorded before"
        )
        log.warning("daemon: %s", detail)
        scheduler.modify_job("poll", next_run_time=datetime.now(UTC))
        if scheduler.get_job("publish-at-posting-date") is not None:
            when = self.wall_time_of(self.settings.consultation.posting_date)
            scheduler.modify_job(
                "publish-at-posting-date", next_run_time=when + timedelta(seconds=1)
            )
        try:
            with self.store.session() as session:
                record_problem(session, kind="clock", detail=detail, at=self.clock())
                session.commit()
        except SQLAlchemyError as exc:  # the log has said it; the daemon goes on
            log.warning("daemon: the clock's step could not be recorded: %s", exc)

    def wall_time_of(self, moment: datetime) -> datetime:
        """When, by the real clock, the (possibly moved) consultation clock reaches `moment`."""
        return datetime.now(UTC) + (moment - self.clock())


def run_daemon(settings: Settings, store: Store, clock: Clock) -> None:
    daemon = Daemon(settings, store, clock)
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.daemon.misfire_grace_seconds,
        },
        timezone=UTC,
    )
    scheduler.add_job(
        daemon.poll_all,
        IntervalTrigger(minutes=settings.daemon.poll_minutes, timezone=UTC),
        id="poll",
        next_run_time=datetime.now(UTC),
    )
    daemon.recovery.attach(scheduler, daemon.poll_all)
    posting = settings.consultation.posting_date
    if not site_is_due(settings.consultation, clock()):
        scheduler.add_job(
            daemon.publish_if_due,
            DateTrigger(run_date=daemon.wall_time_of(posting) + timedelta(seconds=1), timezone=UTC),
            id="publish-at-posting-date",
        )
        log.info("site: will be published at the posting date, %s", posting.isoformat())

    def on_signal(number: int, _frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing the batch in flight, then stopping", signal.Signals(number).name
        )
        daemon.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    metrics = None
    if settings.daemon.metrics_port is not None:
        from mailroom.metrics import serve_metrics  # prometheus_client: only when asked for

        metrics = serve_metrics(settings, store)
    scheduler.start()
    watchers = start_watchers(
        settings.mailboxes,
        daemon.stop,
        Wakeups(scheduler, daemon.poll_mailbox, daemon.after_woken_polls, daemon.stop),
    )
    log.info(
        "mailroom: running; polling %d mailbox(es) every %s min, %d waiting in IDLE",
        len(settings.mailboxes),
        settings.daemon.poll_minutes,
        len(watchers),
    )
    steps = StepWatch()
    try:
        while not daemon.stop.wait(1.0):
            if (back := steps.stepped_back()) is not None:
                daemon.clock_set_back(scheduler, back)
    finally:
        scheduler.shutdown(wait=True)
        stop_watchers(watchers)
        if metrics is not None:
            metrics.shutdown()
        log.info("mailroom: stopped")
