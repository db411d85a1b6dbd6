"""Issue 9: the database goes away in the middle of the daemon's poll and comes back.

A private PostgreSQL (tests/postgres.py), never the shared one, is stopped with
`pg_ctl stop -m immediate` while `mailroom run` (a real subprocess) is storing a
mailbox, kept down while more mail arrives, and started again. The daemon must not
exit, must say what is wrong where an operator looks (`status`, `health`), and must
store everything exactly once, by itself, when the database is back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot, _free_ports
from tests.fault_checks import (
    ON_TIME,
    DaemonProcess,
    all_stored_once,
    ledger,
    mailbox_errors,
    report_recovery,
    site_problems,
    status_json,
)
from tests.faults import until
from tests.messages import comment
from tests.postgres import Postgres, start_postgres

FIRST, WHILE_DOWN = 120, 30
DOWN_SECONDS = 8.0


@pytest.fixture
def private_postgres() -> Iterator[Postgres]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.destroy()


def imap_entry(dovecot: Dovecot, folder: str, batch_size: int = 5) -> str:
    return (
        f'[[mailbox]]\nname = "unpan"\n'
        f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{folder}"\n'
        f'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = {batch_size}\n'
    )


@pytest.mark.slow
@pytest.mark.imap
@pytest.mark.postgresql
def test_the_daemon_outlives_a_database_outage_during_a_poll_and_stores_everything_once(
    dovecot: Dovecot, private_postgres: Postgres, tmp_path: Path
) -> None:
    pg = private_postgres
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(n) for n in range(1, FIRST + 1)], internaldate=ON_TIME)
    config = write_config(
        tmp_path, database=pg.url, mailboxes=imap_entry(dovecot, folder), poll_minutes=0.5
    )
    env = {"MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}
    daemon = DaemonProcess(config, tmp_path / "daemon.log", env)
    try:

        def storing() -> bool:
            held = ledger(pg.url)
            return held is not None and 0 < held.sightings < FIRST

        assert until(storing, 180, step=0.1), "the daemon never got under way\n" + daemon.text()
        pg.stop("immediate")  # in the middle of the poll
        down_at = time.monotonic()
        stored_before = ledger(pg.url)
        assert stored_before is None  # the test's own view: the database is gone

        more = [comment(n) for n in range(FIRST + 1, FIRST + WHILE_DOWN + 1)]
        dovecot.append(folder, more, internaldate=ON_TIME)

        # While it lasts: status names the database and exits non-zero, without a traceback.
        status = mailroom("status", "--config", str(config), cwd=tmp_path)
        assert status.returncode != 0, status.stdout
        said = status.stdout + status.stderr
        assert "Traceback" not in said, said
        assert f"127.0.0.1:{pg.port}" in said and "database" in said, said
        assert "cannot reach" in said or "unreachable" in said, said
        code, report, stderr = status_json(config)
        assert code != 0 and "Traceback" not in stderr, stderr
        assert report is not None, f"status --json printed no JSON: {stderr}"
        assert report["database"]["reachable"] is False, report
        assert f"127.0.0.1:{pg.port}" in report["database"]["error"], report
        health = mailroom("health", "--config", str(config), cwd=tmp_path)
        assert health.returncode != 0, health.stdout
        assert "FAIL  database" in health.stdout, health.stdout + health.stderr

        while time.monotonic() - down_at < DOWN_SECONDS:
            assert daemon.alive(), "the daemon exited while the database was down\n" + daemon.text()
            time.sleep(0.5)
        assert daemon.alive(), daemon.text()
        pg.start()
        back_at = time.monotonic()

        total = FIRST + WHILE_DOWN
        assert until(lambda: all_stored_once(pg.url, total), 300), (
            f"{ledger(pg.url)}\n{daemon.text()[-4000:]}"
        )
        stored = time.monotonic() - back_at
        assert until(lambda: mailbox_errors(config) == {"unpan": None}, 120), mailbox_errors(config)
        clean = time.monotonic() - back_at
        assert until(lambda: not site_problems(tmp_path / "site", total), 240), site_problems(
            tmp_path / "site", total
        )
        published = time.monotonic() - back_at
        report_recovery(
            "database down during a poll",
            stored,
            f" (down {back_at - down_at:.1f} s; status clean after {clean:.1f} s, "
            f"the site whole after {published:.1f} s)",
        )
        assert daemon.alive(), daemon.text()
        code, report, stderr = status_json(config)  # afterwards, status still says what happened
        assert code == 0 and report is not None, stderr
        assert report["database"]["reachable"] is True
        outages = [e for e in report["recent_errors"] if e["kind"] == "database"]
        assert len(outages) == 1 and f"127.0.0.1:{pg.port}" in outages[0]["detail"], outages
        assert "was unreachable" in outages[0]["detail"]
        health = mailroom("health", "--config", str(config), "--now", daemon.now(), cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr
    finally:
        code = daemon.stop()
    assert code == 0, daemon.text()[-4000:]
    log = daemon.text()
    assert "Traceback" not in log, log[-6000:]  # a lost database is a line, not a traceback
    assert f"database postgresql+psycopg://postgres@127.0.0.1:{pg.port}" in log
    assert "unreachable" in log and "polling again in" in log


def test_status_and_health_say_which_database_cannot_be_reached(tmp_path: Path) -> None:
    """Without a traceback, and in JSON for scripts: the quick version of the outage's checks."""
    [port] = _free_ports(1)  # nothing listens there
    config = write_config(
        tmp_path, database=f"postgresql+psycopg://mailroom:s3cret@127.0.0.1:{port}/consultation"
    )
    status = mailroom("status", "--config", str(config), cwd=tmp_path)
    assert status.returncode == 1, status.stdout + status.stderr
    assert "Traceback" not in status.stderr and status.stdout == ""
    assert f"cannot reach the database postgresql+psycopg://mailroom:***@127.0.0.1:{port}" in (
        status.stderr
    )
    assert "s3cret" not in status.stderr
    code, report, stderr = status_json(config)
    assert code == 1 and report is not None, stderr
    assert report["database"]["reachable"] is False
    assert (
        report["database"]["url"]
        == f"postgresql+psycopg://mailroom:***@127.0.0.1:{port}/consultation"
    )
    assert "Connection refused" in report["database"]["error"]
    assert "s3cret" not in json.dumps(report)
    health = mailroom("health", "--config", str(config), cwd=tmp_path)
    assert health.returncode == 1 and "FAIL  database" in health.stdout, health.stdout


def test_status_calls_a_database_mailroom_cannot_use_a_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, database="mysql://clerk:s3cret@db.example.org/consultation")
    status = mailroom("status", "--json", "--config", str(config), cwd=tmp_path)
    assert status.returncode == 2 and "Traceback" not in status.stderr, status.stderr
    assert "Mailroom stores in SQLite or PostgreSQL" in status.stderr
    assert "mysql://clerk:***@db.example.org" in status.stderr and "s3cret" not in status.stderr
