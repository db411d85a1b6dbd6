"""Invariant 2: several pollers on one database never store a message twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot
from tests.fault_checks import (
    ON_TIME,
    DaemonProcess,
    all_stored_once,
    ledger,
    report_recovery,
    site_problems,
)
from tests.faults import until
from tests.messages import comment
from tests.smtp_peer import PASSWORD as SMTP_PASSWORD
from tests.smtp_peer import USER as SMTP_USER
from tests.smtp_peer import smtp_peer


def imap_entry(dovecot: Dovecot, name: str, folder: str) -> str:
    return (
        f'[[mailbox]]\nname = "{name}"\n'
        f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{folder}"\n'
        'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = 5\n'
    )


@pytest.mark.slow
@pytest.mark.parametrize("same_name", [True, False], ids=["one-entry", "two-entries-one-folder"])
def test_pollers_running_at_once_store_each_message_once(
    dovecot: Dovecot, database: str, tmp_path: Path, same_name: bool
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(n) for n in range(60)])
    entries = imap_entry(dovecot, "unpan", folder)
    if not same_name:
        entries += "\n" + imap_entry(dovecot, "unpan-copy", folder)
    config = write_config(tmp_path, database=database, mailboxes=entries)
    env = {**os.environ, "MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}
    pollers = [
        subprocess.Popen(
            [sys.executable, "-m", "mailroom", "poll", "--config", str(config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for poller in pollers:
        _, stderr = poller.communicate(timeout=120)
        assert poller.returncode == 0, stderr
    listed = json.loads(mailroom("list", "--json", "--config", str(config)).stdout)
    assert len(listed) == 60
    assert len({item["message_sha256"] for item in listed}) == 60
    assert [item["reference"] for item in listed] == [f"DESA-10-3078/{n:04d}" for n in range(1, 61)]
    assert {item["status"] for item in listed} == {"parsed"}


ROUNDS, PER_ROUND = 6, 15


@pytest.mark.slow
@pytest.mark.imap
@pytest.mark.postgresql
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_daemons_on_one_database_store_each_message_once_and_send_each_receipt_once(
    dovecot: Dovecot, database: str, tmp_path: Path
) -> None:
    """Issue 9: two `mailroom run` over the same mailbox and database (a second daemon for
    redundancy, or an old one left running by mistake), mail arriving in rounds."""
    folder = dovecot.fresh_folder()
    with smtp_peer(tmp_path) as peer:
        config = write_config(
            tmp_path,
            database=database,
            mailboxes=imap_entry(dovecot, "unpan", folder),
            poll_minutes=0.1,
            extra=(
                "[receipts]\nenabled = true\n\n"
                f'[smtp]\nhost = "127.0.0.1"\nport = {peer.port}\nuser = "{SMTP_USER}"\n'
                f'password_env = "MAILROOM_TEST_SMTP_PASSWORD"\nca_file = "{peer.ca_file}"\n'
            ),
        )
        env = {
            "MAILROOM_TEST_IMAP_PASSWORD": dovecot.password,
            "MAILROOM_TEST_SMTP_PASSWORD": SMTP_PASSWORD,
        }
        daemons = [DaemonProcess(config, tmp_path / f"daemon-{i}.log", env) for i in (1, 2)]
        try:
            total = 0
            for _ in range(ROUNDS):
                batch = [comment(n) for n in range(total + 1, total + PER_ROUND + 1)]
                dovecot.append(folder, batch, internaldate=ON_TIME)
                total += PER_ROUND
                time.sleep(2.0)
                assert all(d.alive() for d in daemons), "\n".join(d.text() for d in daemons)
            last_round = time.monotonic()
            stored = until(lambda: all_stored_once(database, total), 300)
            assert stored, f"{ledger(database)}\n" + "\n".join(d.text()[-3000:] for d in daemons)
            stored_after = time.monotonic() - last_round
            assert until(lambda: len(peer.delivered) >= total, 180), len(peer.delivered)
            receipts_after = time.monotonic() - last_round
            assert until(lambda: not site_problems(tmp_path / "site", total), 240), site_problems(
                tmp_path / "site", total
            )
            report_recovery(
                "two daemons, one database",
                stored_after,
                f" (receipts all sent after {receipts_after:.1f} s, the site whole after "
                f"{time.monotonic() - last_round:.1f} s)",
                since="the last round was delivered",
            )
            time.sleep(5)  # a receipt sent twice would come now, from the other daemon
            assert all(d.alive() for d in daemons), "\n".join(d.text() for d in daemons)
        finally:
            codes = [d.stop() for d in daemons]
        recipients = Counter(r for delivered in peer.delivered for r in delivered.rcpt_tos)
    assert codes == [0, 0], "\n".join(d.text()[-3000:] for d in daemons)
    assert len(recipients) == total and set(recipients.values()) == {1}, recipients.most_common(3)
    assert site_problems(tmp_path / "site", total) == []
    for daemon in daemons:
        assert "Traceback" not in daemon.text(), daemon.text()[-6000:]
    polled = [d.text().count(": stored as ") for d in daemons]
    print(f"[two daemons] messages stored by each: {polled}", flush=True)
