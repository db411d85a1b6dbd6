"""`mailroom run` as an operator runs it against a mailbox like Microsoft 365's: TLS with a
verified certificate, an OAuth2 login from a refresh token, new mail brought in by IDLE (the
poll interval is an hour). A revoked refresh token shows in `status`, and the mail waits
until a good one is given; the metrics endpoint and `mailroom health` say how it is, logs
are JSON lines, and SIGTERM stops it."""

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
from typing import Any

import pytest

from store import StoreSettings, open_store
from store.queries import mailbox_status
from tests.cli import mailroom, write_config
from tests.conftest import SecureServer
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
    secure_dovecot: SecureServer, tmp_path: Path
) -> None:
    dovecot, auth = secure_dovecot.dovecot, secure_dovecot.auth
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1), comment(2)])  # waiting before the daemon starts
    tokens = tmp_path / "refresh-token"
    tokens.write_text(auth.issue_refresh_token())
    [port] = free_ports(1)
    config = write_config(
        tmp_path,
        mailboxes=(
            f'[[mailbox]]\nname = "inbox"\n'
            f'url = "imaps://{dovecot.user}@localhost:{dovecot.imaps_port}/{folder}"\n'
            f'ca_file = "{secure_dovecot.ca_file}"\n'
            "[mailbox.oauth2]\n"
            f'token_url = "{auth.token_url}"\nclient_id = "{auth.client_id}"\n'
            'client_secret_env = "MAILROOM_TEST_OAUTH_SECRET"\n'
            'refresh_token_file = "refresh-token"\n'
        ),
        poll_minutes=60,  # only IDLE can bring new mail in time
        daemon=f'metrics_port = {port}\nlog_format = "json"\n',
    )
    env = {**os.environ, "MAILROOM_TEST_OAUTH_SECRET": auth.client_secret}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailroom", "run", "--config", str(config),
         "--now", "2010-11-20T12:00:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert until(lambda: stored(tmp_path) == 2, 30), "the first poll did not run"
        dovecot.append(folder, [comment(3)])
        assert until(lambda: stored(tmp_path) == 3, 20), "IDLE did not bring the new message"

        # The refresh token is revoked (and the daemon's access token with it).
        revoked = [tokens.read_text(), *auth.access_tokens]
        auth.revoke(tokens.read_text())
        auth.revoke_access_tokens()
        dovecot.append(folder, [comment(4)])
        status: dict[str, Any] = {}

        def refused() -> bool:
            report = json.loads(mailroom("status", "--json", "--config", str(config)).stdout)
            status.update(report)
            return "refused the refresh token" in (report["mailboxes"][0]["last_error"] or "")

        assert until(refused, 30), status["mailboxes"]
        assert (
            "invalid_grant: Token has been expired or revoked."
            in (status["mailboxes"][0]["last_error"])
        )
        assert stored(tmp_path) == 3
        tokens.write_text(auth.issue_refresh_token())  # the operator signs in again
        dovecot.append(folder, [comment(5)])  # the next poll reads what waited, too
        assert until(lambda: stored(tmp_path) == 5, 30), "mail did not come in with a good token"

        metrics = ""

        def recovered() -> bool:
            """The poll clears the mailbox's error once its records are committed; the
            workers parse them a moment later, so wait for both."""
            nonlocal metrics
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
                metrics = answer.read().decode()
            return (
                'mailroom_mailbox_failing{mailbox="inbox"} 0.0' in metrics
                and 'mailroom_submissions{status="parsed"} 5.0' in metrics
            )

        assert until(recovered, 30), metrics
        assert 'mailroom_messages_stored_total{mailbox="inbox"} 5.0' in metrics
        assert "mailroom_database_up 1.0" in metrics
        assert 'mailroom_submissions{status="parsed"} 5.0' in metrics
        assert 'mailroom_record_lag_seconds{quantile="0.5"}' in metrics
        assert "process_resident_memory_bytes" in metrics

        health = mailroom("health", "--config", str(config), "--now", "2010-11-20T12:01:00")
        assert health.returncode == 0, health.stdout + health.stderr
        assert "ok    mailbox inbox: read" in health.stdout and "5 stored" in health.stdout
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
    secrets = [auth.client_secret, *revoked, *auth.refresh_tokens, *auth.access_tokens]
    assert not [s for s in secrets if s in stderr], "a secret reached the log"
    assert not [s for s in secrets if s in json.dumps(status)], "a secret reached status"
