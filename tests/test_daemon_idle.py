"""`mailroom run` against a real Dovecot as an operator runs it: mail that arrives while it
runs is stored within seconds through IDLE (the poll interval is an hour), the metrics
endpoint and `mailroom health` say how it is, logs are JSON lines, and SIGTERM stops it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from store import StoreSettings, open_store
from store.queries import mailbox_status
from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot
from tests.dovecot import _free_ports as free_ports
from tests.messages import comment

pytestmark = [pytest.mark.imap, pytest.mark.slow]


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stored(directory: Path) -> int:
    if not (directory / "mailroom.db").exists():
        return 0
    store = open_store(
        StoreSettings(url=f"sqlite:///{directory / 'mailroom.db'}", archive=directory),
        upgrade=False,
    )
    try:
        with store.reader() as session:
            return sum(m.messages_stored for m in mailbox_status(session))
    except Exception:
        return 0  # not migrated yet
    finally:
        store.close()


def test_mail_arriving_while_the_daemon_runs_is_stored_through_idle(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1), comment(2)])  # waiting before the daemon starts
    [port] = free_ports(1)
    config = write_config(
        tmp_path,
        mailboxes=(
            f'[[mailbox]]\nname = "inbox"\n'
            f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{folder}"\n'
            'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\n'
        ),
        poll_minutes=60,  # only IDLE can bring the third message in time
        daemon=f'metrics_port = {port}\nlog_format = "json"\n',
    )
    env = {**os.environ, "MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailroom", "run", "--config", str(config),
         "--now", "2010-11-20T12:00:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert until(lambda: stored(tmp_path) == 2, 30), "the first poll did not run"
        dovecot.append(folder, [comment(3)])
        assert until(lambda: stored(tmp_path) == 3, 20), "IDLE did not bring the new message"

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            metrics = answer.read().decode()
        assert 'mailroom_messages_stored_total{mailbox="inbox"} 3.0' in metrics
        assert "mailroom_database_up 1.0" in metrics
        assert 'mailroom_mailbox_failing{mailbox="inbox"} 0.0' in metrics
        assert 'mailroom_submissions{status="parsed"} 3.0' in metrics
        assert 'mailroom_record_lag_seconds{quantile="0.5"}' in metrics
        assert "process_resident_memory_bytes" in metrics

        health = mailroom("health", "--config", str(config), "--now", "2010-11-20T12:01:00")
        assert health.returncode == 0, health.stdout + health.stderr
        assert "ok    mailbox inbox: read" in health.stdout and "3 stored" in health.stdout
        assert health.stdout.rstrip().endswith("healthy")
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, stderr
    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    messages = [r["message"] for r in records]
    assert any("waiting in IDLE for new mail" in m for m in messages)
    assert any("finishing the batch in flight" in m for m in messages)
    assert messages[-1] == "mailroom: stopped"
    assert {"time", "level", "logger", "message"} <= set(records[-1])
