"""Issue 9: the IMAP server stops in the middle of a FETCH, and starts again.

`mailroom run` (a real subprocess) reads a private Dovecot through a loopback relay
(tests/proxy.py). The relay holds the poll's connection once the server has sent a few
megabytes of a FETCH response; the test then stops Dovecot and cuts every connection, so
the daemon loses the server in the middle of a message's literal. Dovecot stays down a
while and comes back on the same port with the same mail. Nobody restarts the daemon:
it must reconnect by itself (the IDLE watcher's backoff, the poll's retry), store each
message exactly once, flag it on the server, and say in `status` what went wrong while
it lasted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot, start_dovecot
from tests.fault_checks import (
    ON_TIME,
    DaemonProcess,
    all_stored_once,
    ledger,
    mailbox_errors,
    report_recovery,
    site_problems,
)
from tests.faults import until
from tests.messages import comment
from tests.proxy import Relay

pytestmark = [pytest.mark.slow, pytest.mark.imap]

LARGE, LATER = 40, 6
ATTACHMENT_BYTES = 250_000  # each message about 340 kB once base64-encoded
BATCH = 8  # so one FETCH answers with some 2.7 MB
HOLD_AFTER = 4_000_000  # in the second FETCH: the first batch is stored by then
DOWN_SECONDS = 6.0


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A Dovecot of this test's own: it is stopped and started again, which the shared one
    must never be."""
    server = start_dovecot()
    try:
        yield server
    finally:
        server.stop()


def large(number: int) -> bytes:
    return comment(
        number,
        attachments=[("data.bin", "application/octet-stream", os.urandom(ATTACHMENT_BYTES))],
    )


def test_the_daemon_reconnects_by_itself_after_the_server_stops_in_the_middle_of_a_fetch(
    own_dovecot: Dovecot, database: str, tmp_path: Path
) -> None:
    dovecot = own_dovecot
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [large(n) for n in range(1, LARGE + 1)], internaldate=ON_TIME)
    relay = Relay(dovecot.imap_port, hold_after=HOLD_AFTER)
    config = write_config(
        tmp_path,
        database=database if database.startswith("postgresql") else None,
        mailboxes=(
            f'[[mailbox]]\nname = "unpan"\n'
            f'url = "imap://{dovecot.user}@127.0.0.1:{relay.port}/{folder}"\n'
            f'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = {BATCH}\n'
        ),
        poll_minutes=0.5,
    )
    url = database if database.startswith("postgresql") else f"sqlite:///{tmp_path}/mailroom.db"
    daemon = DaemonProcess(
        config, tmp_path / "daemon.log", {"MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}
    )
    try:
        assert until(relay.held.is_set, 240, step=0.05), "no FETCH got that far\n" + daemon.text()
        dovecot.halt()  # the server stops with a FETCH response half sent
        relay.cut()
        down_at = time.monotonic()
        held = ledger(url)
        assert held is not None and 0 < held.sightings < LARGE, held

        errors: dict[str, str | None] = {}

        def said() -> bool:
            errors.update(mailbox_errors(config))
            return "UID FETCH of" in (errors.get("unpan") or "")

        assert until(said, 120), f"status did not say what happened: {errors}\n{daemon.text()}"
        assert f"mailbox unpan (127.0.0.1:{relay.port})" in str(errors["unpan"]), errors
        while time.monotonic() - down_at < DOWN_SECONDS:
            assert daemon.alive(), "the daemon exited while the server was down\n" + daemon.text()
            time.sleep(0.5)
        dovecot.resume()
        back_at = time.monotonic()

        assert until(lambda: all_stored_once(url, LARGE), 300), (
            f"{ledger(url)}\n{daemon.text()[-4000:]}"
        )
        stored = time.monotonic() - back_at
        assert until(lambda: mailbox_errors(config) == {"unpan": None}, 120), mailbox_errors(config)
        clean = time.monotonic() - back_at
        report_recovery(
            "IMAP server stopped in the middle of a FETCH",
            stored,
            f" (down {back_at - down_at:.1f} s; status clean after {clean:.1f} s)",
        )

        dovecot.append(folder, [large(n) for n in range(LARGE + 1, LARGE + LATER + 1)])
        total = LARGE + LATER
        assert until(lambda: all_stored_once(url, total), 240), ledger(url)
        assert until(lambda: not site_problems(tmp_path / "site", total), 240), site_problems(
            tmp_path / "site", total
        )
        flags = dovecot.flags(folder)
        assert len(flags) == total
        assert all(b"$MailroomStored" in f for f in flags.values()), flags
        assert daemon.alive(), daemon.text()
        health = mailroom("health", "--config", str(config), "--now", daemon.now(), cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr
    finally:
        code = daemon.stop()
        relay.close()
    assert code == 0, daemon.text()[-4000:]
    log = daemon.text()
    assert "Traceback" not in log, log[-6000:]
    assert "polling again in" in log
