"""`mailroom run` as an operator runs it: polls, publishes at the posting date, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.conftest import maildir
from tests.messages import comment


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_the_daemon_publishes_at_the_posting_date_and_after_new_comments(tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    maildir(box, [comment(1), comment(2)])
    config = write_config(
        tmp_path,
        mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n',
        poll_minutes=0.02,  # every 1.2 s
    )
    site = tmp_path / "site"
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailroom",
            "run",
            "--config",
            str(config),
            "--now",
            "2010-11-30T23:59:50",
        ],  # ten seconds before the posting date (the first poll loads the language model)
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:

        def stored() -> int:
            result = mailroom("list", "--json", "--config", str(config))
            return len(json.loads(result.stdout)) if result.returncode == 0 else -1

        assert wait_for(lambda: stored() == 2, 60), "the daemon did not poll"
        assert wait_for(lambda: (site / "index.html").exists(), 60), "not published on time"
        assert len(list(site.glob("en/submissions/*/index.html"))) == 2
        # Each build records the consultation clock when it began: none before the date.
        with closing(sqlite3.connect(tmp_path / "mailroom.db")) as db:
            [(first_build,)] = db.execute("select min(built_at) from publication").fetchall()
        assert datetime.fromisoformat(first_build) >= datetime(2010, 12, 1), first_build

        (box / "new" / "1300000000.M9.test").write_bytes(comment(3))
        assert wait_for(lambda: len(list(site.glob("en/submissions/*/index.html"))) == 3, 60)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, stderr
    assert "finishing the batch in flight" in stderr and "mailroom: stopped" in stderr
