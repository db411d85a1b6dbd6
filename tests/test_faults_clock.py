"""Issue 9: the clock jumping backwards.

Two ways, both with real processes over one store and a private Dovecot:

- the system clock of a running `mailroom run` is set back a day, as NTP or an operator
  would: libfaketime (LD_PRELOAD) gives the daemon's process a wall clock that follows a
  file the test writes, while its monotonic clock runs on untouched. APScheduler 3 plans by
  the wall clock, so without care it would wait a day for the next poll.
- the daemon is restarted with `--now` a day earlier, then before the posting date, over a
  store and a site made at the later time.

After each: every message stored once, none set aside, nothing already recorded changes
(on time or late, moderation, times), the site stays whole and is never taken down, and the
daemon goes on. Recovery times are printed (run with -s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot
from tests.faults import listed, served, status_of, until, walk_site
from tests.messages import comment

pytestmark = [pytest.mark.imap, pytest.mark.slow]

ON_TIME = datetime(2010, 11, 10, 15, 0, tzinfo=UTC)  # the deadline is 2010-11-15
LATE = datetime(2010, 11, 20, 15, 0, tzinfo=UTC)
LATER = datetime(2010, 11, 25, 15, 0, tzinfo=UTC)
SITE_PYTHON = Path(__file__).parent / "faketime"  # its sitecustomize mends time.sleep
FAKETIME = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
KEPT = ("reference", "message_sha256", "on_time", "moderation", "status", "received_at")


def imap_entry(dovecot: Dovecot, folder: str) -> str:
    """Polled on the interval only: IDLE would bring the mail in without the scheduler."""
    return (
        f'[[mailbox]]\nname = "unpan"\n'
        f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{folder}"\n'
        'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = 5\nidle = false\n'
    )


def faketime_env(control: Path) -> dict[str, str]:
    if not FAKETIME:
        pytest.fail("libfaketime is not installed: apt-get install libfaketime (scripts/test does)")
    return {
        "LD_PRELOAD": str(FAKETIME[0]),
        "FAKETIME_TIMESTAMP_FILE": str(control),  # "+0", "-1d": the offset from the real time
        "FAKETIME_CACHE_DURATION": "1",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",  # as with a real step: the monotonic clock runs on
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(SITE_PYTHON), os.environ.get("PYTHONPATH")])
        ),
    }


def start_daemon(config: Path, env: dict[str, str], *now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailroom", "run", "--config", str(config), *now],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(daemon: subprocess.Popen[str]) -> str:
    daemon.send_signal(signal.SIGTERM)
    output, _ = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, output[-3000:]
    return output


def published(site: Path) -> int:
    return len(list(site.glob("en/submissions/*/index.html")))


def kept(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(i["reference"]): {k: i[k] for k in KEPT} for i in items}


def assert_stored_once(items: list[dict[str, Any]], total: int) -> None:
    assert len(items) == total
    assert len({i["message_sha256"] for i in items}) == total, "a message stored twice"
    assert [i["reference"] for i in items] == [f"DESA-10-3078/{n:04d}" for n in range(1, total + 1)]
    assert {i["status"] for i in items} == {"parsed"}, "a message set aside or not parsed"
    received = [i["received_at"] for i in items]
    assert received == sorted(received), "received_at out of the mailbox's order"


def assert_whole(site: Path, submissions: int) -> set[str]:
    with served(site) as base:
        walk = walk_site(base)
    assert walk.broken == [], walk.broken
    pages = {p for p in walk.pages if p.startswith("/en/submissions/")}
    assert len(pages) == submissions, sorted(pages)
    return walk.pages


def test_the_daemon_goes_on_polling_when_the_system_clock_is_set_back_a_day(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(n) for n in range(1, 5)], internaldate=ON_TIME)
    dovecot.append(folder, [comment(n) for n in range(5, 7)], internaldate=LATE)
    config = write_config(tmp_path, mailboxes=imap_entry(dovecot, folder), poll_minutes=0.02)
    control = tmp_path / "faketime"
    control.write_text("+0\n")
    site = tmp_path / "site"
    env = {"MAILROOM_TEST_IMAP_PASSWORD": dovecot.password, **faketime_env(control)}
    daemon = start_daemon(config, env)  # no --now: the consultation's clock is the wall clock
    try:
        assert until(lambda: published(site) == 6, 180), "the daemon did not publish"
        before = kept(listed(config))

        control.write_text("-1d\n")
        stepped = time.monotonic()
        dovecot.append(folder, [comment(n) for n in range(7, 11)], internaldate=LATER)
        assert until(lambda: len(listed(config)) == 10, 180), "polling stopped"
        stored_in = time.monotonic() - stepped
        assert until(lambda: published(site) == 10, 180), "publishing stopped"
        print(
            f"\nclock set back a day: new mail stored {stored_in:.2f} s and published "
            f"{time.monotonic() - stepped:.2f} s after the step"
        )
        text, report = status_of(config)
        assert "the system clock was set back by 1 day, 0:00:00" in text, text
        assert [e for e in report["recent_errors"] if e["kind"] == "clock"]

        after = listed(config)
        assert_stored_once(after, 10)
        assert {r: v for r, v in kept(after).items() if r in before} == before
        assert [i["on_time"] for i in after] == [True] * 4 + [False] * 6
        assert_whole(site, 10)

        control.write_text("+0\n")  # the clock put right again
        put_right = time.monotonic()
        dovecot.append(folder, [comment(11)], internaldate=LATER)
        assert until(lambda: published(site) == 11, 180), "the daemon stopped after the step"
        print(f"clock put right: new mail published {time.monotonic() - put_right:.2f} s after")
        assert_stored_once(listed(config), 11)
        assert_whole(site, 11)
    finally:
        output = stop(daemon)
    assert "the system clock was set back by 1 day" in output


def test_a_restart_with_the_clock_a_day_earlier_changes_nothing_already_recorded(
    dovecot: Dovecot, database: str, tmp_path: Path
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(n) for n in range(1, 5)], internaldate=ON_TIME)
    dovecot.append(folder, [comment(n) for n in range(5, 7)], internaldate=LATE)
    config = write_config(
        tmp_path, database=database, mailboxes=imap_entry(dovecot, folder), poll_minutes=0.02
    )
    env = {"MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}
    site = tmp_path / "site"
    later = ("--now", "2010-12-02T10:00:00")
    assert mailroom("poll", "--config", str(config), *later, env=env).returncode == 0
    assert mailroom("publish", "--config", str(config), *later).returncode == 0
    before = kept(listed(config))
    assert_whole(site, 6)

    dovecot.append(folder, [comment(n) for n in range(7, 11)], internaldate=LATER)
    started = time.monotonic()
    daemon = start_daemon(config, env, "--now", "2010-12-01T10:00:00")  # a day earlier
    try:
        assert until(lambda: published(site) == 10, 180), "the daemon did not publish"
        print(
            f"\nrestarted a day earlier: new mail published in {time.monotonic() - started:.2f} s"
        )
    finally:
        stop(daemon)
    after = listed(config)
    assert_stored_once(after, 10)
    assert {r: v for r, v in kept(after).items() if r in before} == before
    assert [i["on_time"] for i in after] == [True] * 4 + [False] * 6
    assert_whole(site, 10)

    # Earlier still: before the posting date. The site is not taken down, nor rebuilt.
    public = site.readlink()
    dovecot.append(folder, [comment(11)], internaldate=LATER)
    earliest = ("--now", "2010-11-30T10:00:00")
    daemon = start_daemon(config, env, *earliest)
    try:
        assert until(lambda: len(listed(config)) == 11, 180), "the daemon did not poll"
        text, report = status_of(config, *earliest)
        assert report["site_public"] is False and report["site"]["last_published"]
        assert "yet the site was published: it stays as it is" in text
    finally:
        stop(daemon)
    assert site.readlink() == public, "the site changed before the posting date"
    assert_whole(site, 10)
    everything = listed(config)
    assert_stored_once(everything, 11)
    assert {r: v for r, v in kept(everything).items() if r in before} == before
