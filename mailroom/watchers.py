"""New mail in seconds: an IDLE watcher thread per IMAP mailbox, waking a poll of that mailbox.

The poll itself still runs on the scheduler's one worker, so a poll and a publish never
overlap; a wake-up that comes while a poll or a publish is in flight waits its turn, and
wake-ups for the same mailbox meanwhile are folded into one. Polling every poll_minutes goes
on beside it: for servers without IDLE, and as the net under everything.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler

from ingest.settings import MailboxSettings
from ingest.sources.idle import watch

log = logging.getLogger("mailroom.watchers")

JOIN_SECONDS = 5.0


class Wakeups:
    """Mailboxes the watchers found changed, polled in turn by one job on the worker."""

    def __init__(
        self,
        scheduler: BaseScheduler,
        poll: Callable[[MailboxSettings], None],
        after: Callable[[], None],
        stop: threading.Event,
    ) -> None:
        self.scheduler = scheduler
        self.poll = poll
        self.after = after
        self.stop = stop
        self._lock = threading.Lock()
        self._due: dict[str, MailboxSettings] = {}
        self._draining = False

    def wake(self, mailbox: MailboxSettings) -> None:
        with self._lock:
            if self.stop.is_set():
                return
            self._due[mailbox.name] = mailbox
            if self._draining:
                return  # the job in flight will see it before it ends
            self._draining = True
        with contextlib.suppress(SchedulerNotRunningError):  # stopping: the next start reads it
            self.scheduler.add_job(self._drain, id=f"wake-{uuid.uuid4().hex[:12]}")

    def _drain(self) -> None:
        polled = False
        try:
            while True:
                with self._lock:
                    if self.stop.is_set() or not self._due:
                        break
                    name = next(iter(self._due))
                    mailbox = self._due.pop(name)
                self.poll(mailbox)
                polled = True
        finally:
            with self._lock:
                self._draining = False
                again = bool(self._due) and not self.stop.is_set()
            if again:  # woken meanwhile, or a poll failed unexpectedly: a fresh job goes on
                self.wake(next(iter(self._due.values())))
        if polled:
            self.after()


def start_watchers(
    mailboxes: tuple[MailboxSettings, ...], stop: threading.Event, wakeups: Wakeups
) -> list[threading.Thread]:
    threads = []
    for mailbox in mailboxes:
        if not (mailbox.is_imap and mailbox.idle):
            continue
        thread = threading.Thread(
            target=watch,
            args=(mailbox, stop, _waker(wakeups, mailbox)),
            name=f"idle-{mailbox.name}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    return threads


def _waker(wakeups: Wakeups, mailbox: MailboxSettings) -> Callable[[], None]:
    def changed() -> None:
        wakeups.wake(mailbox)

    return changed


def stop_watchers(threads: list[threading.Thread]) -> None:
    """Wait briefly for the watchers to log out; they never hold anything worth waiting for."""
    for thread in threads:
        thread.join(JOIN_SECONDS)
        if thread.is_alive():
            log.warning("%s: still waiting on the server; left behind", thread.name)
