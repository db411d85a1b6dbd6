"""Waiting for new mail in IMAP IDLE (RFC 2177), on a connection that is watched and re-made.

`watch` runs in a thread of its own for one mailbox. It connects, opens the folder read-only
and calls `changed()` at once: the catch-up pass after every (re)connect. Then it waits in
IDLE and calls `changed()` whenever the server announces new mail (EXISTS); the poll, not
this, reads and stores it. IDLE is re-issued every `idle_minutes` (RFC 2177: servers may drop
an IDLE after 29 minutes). A connection silent for `keepalive_seconds` must answer DONE within
`timeout_seconds` or it is dead; TCP keepalive catches one that died without a goodbye. A lost
connection is re-made after an exponential backoff with jitter. A server without IDLE is
left to the poll interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from ingest.errors import SourceUnavailable
from ingest.settings import MailboxSettings
from ingest.sources.backoff import Backoff
from ingest.sources.connection import Connected, close, connect, describe

log = logging.getLogger(__name__)

STEP_SECONDS = 1.0  # how often the wait looks at the stop event
HEALTHY_SECONDS = 60.0  # a session that lasted this long resets the backoff


def watch(
    settings: MailboxSettings,
    stop: threading.Event,
    changed: Callable[[], None],
    backoff: Backoff | None = None,
) -> None:
    """Until `stop` is set: call `changed()` after each connect and whenever mail arrives."""
    backoff = backoff or Backoff(most=max(30.0, min(300.0, settings.keepalive_seconds)))
    name = settings.name
    while not stop.is_set():
        started = time.monotonic()
        try:
            connected = _open(settings)
        except SourceUnavailable as exc:
            _pause(stop, backoff, f"mailbox={name}: {exc}")
            continue
        if connected is None:
            log.info("mailbox=%s: the server has no IDLE; new mail waits for the next poll", name)
            return
        try:
            log.info(
                "mailbox=%s: waiting in IDLE for new mail (re-issued every %g min)",
                name,
                settings.idle_minutes,
            )
            changed()  # whatever arrived while we were not listening
            _idle(connected, settings, stop, changed)
            backoff.reset()
        except SourceUnavailable as exc:
            if time.monotonic() - started >= HEALTHY_SECONDS:
                backoff.reset()
            _pause(stop, backoff, f"mailbox={name}: {exc}")
        finally:
            close(connected.client)


def _open(settings: MailboxSettings) -> Connected | None:
    connected = connect(settings)
    client = connected.client
    try:
        if not client.has_capability("IDLE"):
            close(client)
            return None
        client.select_folder(settings.folder, readonly=True)
    except (IMAPClientError, OSError) as exc:
        close(client)
        raise SourceUnavailable(
            f"cannot open folder {settings.folder!r} to wait in IDLE: {describe(exc)}"
        ) from exc
    return connected


def _pause(stop: threading.Event, backoff: Backoff, problem: str) -> None:
    delay = backoff.next_delay()
    log.warning("%s; connecting again in %.1f s", problem, delay)
    stop.wait(delay)


def _idle(
    connected: Connected,
    settings: MailboxSettings,
    stop: threading.Event,
    changed: Callable[[], None],
) -> None:
    client = connected.client
    while not stop.is_set():
        expires = connected.token_expires_at
        if expires is not None and time.time() >= expires:
            log.info(
                "mailbox=%s: the session's access token expired; logging in again", settings.name
            )
            return  # a new session, with a fresh token, at once
        try:
            client.idle()
            log.debug("mailbox=%s: in IDLE", settings.name)
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(
                f"connection lost: no answer to IDLE within {settings.timeout_seconds:g} s "
                f"({describe(exc)})"
            ) from exc
        news = _wait(client, settings, stop)
        news = _done(client, settings) or news
        if news:
            changed()


def _wait(client: IMAPClient, settings: MailboxSettings, stop: threading.Event) -> bool:
    """In IDLE until news, the time to re-issue, a silence to check, or stop."""
    reissue_at = time.monotonic() + settings.idle_minutes * 60
    heard = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        wait = min(STEP_SECONDS, reissue_at - now, heard + settings.keepalive_seconds - now)
        if wait <= 0:
            return False
        try:
            responses = client.idle_check(timeout=wait)
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(f"connection lost in IDLE: {describe(exc)}") from exc
        if responses:
            heard = time.monotonic()
            if _announces_mail(responses):
                return True
        elif time.monotonic() - now < wait / 2:
            return False  # woken with nothing to read: the socket closed; DONE will tell
    return False


def _done(client: IMAPClient, settings: MailboxSettings) -> bool:
    """End IDLE; the tagged answer must come within timeout_seconds, or the connection is dead."""
    try:
        _text, responses = client.idle_done()
    except (IMAPClientError, OSError) as exc:
        raise SourceUnavailable(
            f"connection lost in IDLE: no answer to DONE within {settings.timeout_seconds:g} s "
            f"({describe(exc)})"
        ) from exc
    return _announces_mail(responses)


def _announces_mail(responses: list[Any]) -> bool:
    for response in responses:
        if len(response) >= 2 and response[1] == b"EXISTS":
            return True
        if response and response[0] == b"BYE":
            raise SourceUnavailable(f"the server ended the session: {response!r}")
    return False
