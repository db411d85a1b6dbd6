"""What the daemon fault tests (IMAP, database, two daemons) share: a real `mailroom run` in a
subprocess, and the checks made after each fault (every message stored once, none set aside,
the site whole, `status` clean).

The daemon's output goes to a file, never a pipe: a daemon logging every message must not
block on a pipe nobody reads while a fault lasts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from store.db import open_engine
from tests.cli import mailroom
from tests.links import broken_links

NOW = "2010-12-02T12:00:00"  # after the posting date: the daemon publishes as it goes
ON_TIME = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)  # an INTERNALDATE before the deadline


class DaemonProcess:
    """`python -m mailroom run` as an operator starts it; its log in `log`."""

    def __init__(self, config: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.log = log
        self._output = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mailroom", "run", "--config", str(config), "--now", NOW],
            cwd=config.parent,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        self.started = time.monotonic()

    def now(self) -> str:
        """The daemon's clock (NOW when it started, ticking since), for `--now`."""
        moment = datetime.fromisoformat(NOW) + timedelta(seconds=time.monotonic() - self.started)
        return moment.isoformat(timespec="seconds")

    def alive(self) -> bool:
        return self.process.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code (SIGKILL after a minute)."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._output.close()
        return self.process.returncode


@dataclass(frozen=True)
class Ledger:
    """What the database holds, counted with SQL: the test's own view, not mailroom's."""

    sightings: int  # Message rows
    locations: int  # distinct (mailbox, folder, uidvalidity, key)
    submissions: int
    digests: int  # distinct raw bytes among submissions
    by_status: dict[str, int]

    @property
    def parsed(self) -> int:
        return self.by_status.get("parsed", 0)


def ledger(url: str) -> Ledger | None:
    """The counts, or None while the database cannot be read (down, or not migrated yet)."""
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            sightings, locations = connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT mailbox || '/' || folder || '/' || "
                    "CAST(uidvalidity AS TEXT) || '/' || key) FROM message"
                )
            ).one()
            submissions, digests = connection.execute(
                text("SELECT count(*), count(DISTINCT sha256) FROM submission")
            ).one()
            grouped = "SELECT status, count(*) FROM submission GROUP BY status"
            rows = connection.execute(text(grouped))
            by_status = {str(status).lower(): count for status, count in rows}
    except Exception:
        return None
    finally:
        engine.dispose()
    return Ledger(sightings, locations, submissions, digests, by_status)


def all_stored_once(url: str, expected: int) -> bool:
    """Every one of `expected` messages stored, once, and parsed: none set aside."""
    held = ledger(url)
    return (
        held is not None
        and held.sightings == held.locations == held.submissions == held.digests == expected
        and held.parsed == expected
    )


def status_json(config: Path) -> tuple[int, dict[str, Any] | None, str]:
    """`mailroom status --json`: its exit code, the report (None if it printed none), stderr."""
    result = mailroom("status", "--json", "--config", str(config), cwd=config.parent)
    try:
        report = json.loads(result.stdout) if result.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return result.returncode, report, result.stderr


def mailbox_errors(config: Path) -> dict[str, str | None]:
    """Each mailbox's last_error as `status --json` shows it ({} if status could not say)."""
    code, report, _ = status_json(config)
    if code != 0 or report is None:
        return {}
    return {m["name"]: m["last_error"] for m in report["mailboxes"]}


def site_problems(site: Path, expected: int) -> list[str]:
    """Why the public site is not whole: a missing page, or a local link to nothing."""
    if not (site / "index.html").exists():
        return [f"{site}/index.html: missing"]
    pages = len(list(site.glob("en/submissions/*/index.html")))
    problems = [] if pages == expected else [f"{pages} submission pages, not {expected}"]
    return (problems + broken_links(site))[:20]


def report_recovery(
    fault: str, seconds: float, detail: str = "", since: str = "the fault ended"
) -> None:
    """One line the test output (-s) shows, and the lead's closing note collects."""
    print(f"\n[recovery] {fault}: all stored {seconds:.1f} s after {since}{detail}", flush=True)
