"""How `mailroom run` gets over a failed poll by itself: the database gone, a server down.

The daemon never exits for it, and never waits a whole poll interval either: a failed
poll is tried again after an exponential backoff with jitter (ingest.sources.backoff),
capped at a minute (or the interval, if shorter). A database that cannot be reached is
one line in the log, not a traceback; once it answers again, how long it was away is
recorded as a problem, so `status` still says what happened after it ended.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.exc import DBAPIError

from ingest.sources.backoff import Backoff
from mailroom.views import safe_url
from store import Store
from store.intake import record_problem

log = logging.getLogger("mailroom.daemon")

FIRST_RETRY_SECONDS = 2.0
LAST_RETRY_SECONDS = 60.0  # an outage over, the mail is in within a minute, whatever the interval


class Recovery:
    """The retries after failed polls, and the database outage in progress, if any."""

    def __init__(
        self, store: Store, url: str, interval_seconds: float, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.where = safe_url(url)
        self.clock = clock
        most = max(FIRST_RETRY_SECONDS, min(LAST_RETRY_SECONDS, interval_seconds))
        self.backoff = Backoff(FIRST_RETRY_SECONDS, most)
        self.scheduler: BaseScheduler | None = None
        self.poll: Callable[[], None] | None = None
        self.down_since: datetime | None = None
        self.down_reason = ""

    def attach(self, scheduler: BaseScheduler, poll: Callable[[], None]) -> None:
        self.scheduler, self.poll = scheduler, poll

    @contextlib.contextmanager
    def database(self) -> Iterator[None]:
        """Around a job: a database that stopped answering ends the job, not the daemon."""
        try:
            yield
        except DBAPIError as exc:
            reason = _reason(exc)
            if self.down_since is None:
                self.down_since, self.down_reason = self.clock(), reason
            delay = self.failed()
            log.error(
                "database %s: unreachable (%s); mail waits in the mailboxes, nothing is lost; "
                "polling again in %.1f s",
                self.where,
                reason,
                delay,
            )

    def failed(self) -> float:
        """Poll again soon, with a backoff; the wait, in seconds."""
        delay = max(1.0, self.backoff.next_delay())
        if self.scheduler is not None and self.poll is not None:
            with contextlib.suppress(SchedulerNotRunningError):  # stopping
                self.scheduler.add_job(
                    self.poll,
                    DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
                    id="poll-again",
                    replace_existing=True,
                )
        return delay

    def succeeded(self) -> None:
        """A poll went through: the backoff starts over, and an outage that ended is recorded."""
        self.backoff.reset()
        if self.down_since is None:
            return
        now = self.clock()
        since = self.down_since.isoformat(timespec="seconds")
        detail = (
            f"database {self.where} was unreachable from {since} "
            f"for about {(now - self.down_since).total_seconds():.0f} s ({self.down_reason}); "
            "the polls meanwhile waited, and what had arrived was stored when it came back"
        )
        with self.store.session() as session:
            record_problem(session, kind="database", detail=detail, at=now)
            session.commit()
        self.down_since = None
        log.warning("%s", detail)


def _reason(exc: DBAPIError) -> str:
    lines = str(exc.orig or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
