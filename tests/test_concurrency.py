"""Invariant 2: several pollers on one database never store a message twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot
from tests.messages import comment


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
