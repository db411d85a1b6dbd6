"""IDLE against a real Dovecot: new mail is announced in about half a second, the wait is
re-issued, and a connection that dies without a word is noticed and made again."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from ingest.settings import MailboxSettings
from ingest.sources.backoff import Backoff
from ingest.sources.idle import watch
from tests.conftest import imap_mailbox
from tests.dovecot import Dovecot
from tests.dovecot import _free_ports as free_ports
from tests.messages import comment
from tests.proxy import relay

pytestmark = pytest.mark.imap


class Calls:
    """How many times the watcher said the mailbox changed; waitable."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait_for(self, count: int, seconds: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count >= count, seconds)


@contextmanager
def watching(mailbox: MailboxSettings, backoff: Backoff | None = None) -> Iterator[Calls]:
    calls, stop = Calls(), threading.Event()
    thread = threading.Thread(target=watch, args=(mailbox, stop, calls, backoff), daemon=True)
    thread.start()
    try:
        yield calls
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive(), "the watcher did not stop within 10 s of being told"


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_delivery_is_announced_while_waiting_in_idle(dovecot: Dovecot) -> None:
    folder = dovecot.fresh_folder()
    with watching(imap_mailbox(dovecot, folder)) as calls:
        assert calls.wait_for(1, 10), "no catch-up call after connecting"
        time.sleep(0.5)  # in IDLE by now
        dovecot.append(folder, [comment(1)])
        assert calls.wait_for(2, 10), "the APPEND was not announced"


def test_idle_is_reissued_and_a_silent_connection_is_checked(
    dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    folder = dovecot.fresh_folder()
    mailbox = imap_mailbox(dovecot, folder, idle_minutes=0.01, keepalive_seconds=0.3)
    with caplog.at_level(logging.DEBUG, logger="ingest.sources.idle"), watching(mailbox) as calls:
        assert calls.wait_for(1, 10)
        assert until(lambda: caplog.text.count("in IDLE") >= 4, 10)
        dovecot.append(folder, [comment(1)])
        assert calls.wait_for(2, 10), "a re-issued IDLE missed the APPEND"
    assert "connection lost" not in caplog.text


def test_a_connection_that_dies_silently_is_noticed_and_made_again(
    dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    folder = dovecot.fresh_folder()
    with relay(dovecot.imap_port) as proxy:
        mailbox = imap_mailbox(
            dovecot,
            folder,
            url=f"imap://{dovecot.user}@127.0.0.1:{proxy.port}/{folder}",
            keepalive_seconds=1,
            timeout_seconds=1,
        )
        with caplog.at_level(logging.INFO), watching(mailbox, Backoff(first=0.2)) as calls:
            assert calls.wait_for(1, 10)
            time.sleep(0.5)  # in IDLE by now
            assert proxy.silence() == 1
            # The old connection will never announce this; only a new one can see it.
            dovecot.append(folder, [comment(1)])
            assert calls.wait_for(2, 15), "the dead connection was not noticed"
        assert "connection lost in IDLE: no answer to DONE within 1 s" in caplog.text
        assert "connecting again in" in caplog.text


def test_a_refused_connection_is_tried_again_with_a_growing_wait(
    dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    [port] = free_ports(1)  # nothing listens there: every attempt is refused
    mailbox = imap_mailbox(dovecot, "INBOX", url=f"imap://test@127.0.0.1:{port}/INBOX")
    backoff = Backoff(first=0.05, most=0.4, draw=lambda: 1.0)
    with caplog.at_level(logging.WARNING), watching(mailbox, backoff):
        assert until(lambda: backoff.failures >= 4, 10)
    waits = [r.getMessage().rsplit("in ", 1)[1] for r in caplog.records if "again in" in r.message]
    assert waits[:4] == ["0.1 s", "0.1 s", "0.2 s", "0.4 s"]
    assert "cannot connect" in caplog.records[0].getMessage()
