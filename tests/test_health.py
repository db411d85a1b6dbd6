"""`mailroom health` says unhealthy, and why, when a mailbox has failed too long, the database
cannot be read, or the public site is older than the newest public comment."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingest import poll_once
from mailroom.config import load_settings
from mailroom.health import check_health
from publish import build_site
from store import open_store
from tests.cli import mailroom, write_config
from tests.conftest import maildir
from tests.dovecot import _free_ports as free_ports
from tests.messages import comment

NEW_YORK = ZoneInfo("America/New_York")
POSTED = datetime(2010, 12, 1, 10, 0, tzinfo=NEW_YORK)  # after the posting date


def verdicts(config: Path, now: datetime) -> dict[str, tuple[bool, str]]:
    return {f.subject: (f.ok, f.detail) for f in check_health(load_settings(config), now)}


def test_a_mailbox_failing_longer_than_allowed_is_unhealthy(tmp_path: Path) -> None:
    [closed] = free_ports(1)
    config = write_config(
        tmp_path,
        mailboxes=(
            f'[[mailbox]]\nname = "gone"\nurl = "imap://u@127.0.0.1:{closed}/INBOX"\n'
            'password_file = "secret"\n'
        ),
        extra="[health]\nmailbox_failing_minutes = 30\n",
    )
    (tmp_path / "secret").write_text("x\n")
    settings = load_settings(config)
    store = open_store(settings.store)
    try:
        for minutes in (0, 10):  # two failed polls: the run began at the first
            poll_once(settings.mailboxes[0], store, prefix="P",
                      now=lambda m=minutes: POSTED + timedelta(minutes=m))  # fmt: skip
    finally:
        store.close()
    ok, detail = verdicts(config, POSTED + timedelta(minutes=20))["mailbox gone"]
    assert ok and detail.startswith("failing for 20 min: mailbox gone (127.0.0.1:")
    ok, detail = verdicts(config, POSTED + timedelta(minutes=31))["mailbox gone"]
    assert not ok and "failing for 31 min" in detail and "cannot connect" in detail


def test_a_site_older_than_the_newest_public_comment_is_unhealthy(tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    maildir(box, [comment(1)])
    config = write_config(
        tmp_path,
        mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n',
        extra="[health]\nsite_lag_minutes = 15\n",
    )
    settings = load_settings(config)
    store = open_store(settings.store)
    try:
        poll_once(settings.mailboxes[0], store, prefix="P", now=lambda: POSTED,
                  rules=settings.intake_rules)  # fmt: skip
        assert not verdicts(config, POSTED + timedelta(minutes=16))["site"][0]
        build_site(store, settings.consultation, settings.site, POSTED + timedelta(minutes=17))
        assert verdicts(config, POSTED + timedelta(minutes=18))["site"] == (
            True, "built 60 s ago, after the newest public comment"
        )  # fmt: skip
        (box / "new" / "1300000000.M2.test").write_bytes(comment(2))
        later = POSTED + timedelta(minutes=20)
        poll_once(settings.mailboxes[0], store, prefix="P", now=lambda: later,
                  rules=settings.intake_rules)  # fmt: skip
    finally:
        store.close()
    ok, detail = verdicts(config, later + timedelta(minutes=10))["site"]
    assert ok, "within site_lag_minutes the daemon may still be publishing"
    ok, detail = verdicts(config, later + timedelta(minutes=16))["site"]
    assert not ok and "the newest public comment is from" in detail and "(16 min ago)" in detail
    before = verdicts(config, datetime(2010, 11, 20, tzinfo=NEW_YORK))["site"]
    assert before == (True, "not public before the posting date")


@pytest.mark.postgresql
def test_an_unreachable_database_is_unhealthy_and_its_password_stays_hidden(
    tmp_path: Path,
) -> None:
    [closed] = free_ports(1)
    config = write_config(tmp_path, database=f"postgresql://root:hunter2@127.0.0.1:{closed}/x")
    result = mailroom("health", "--config", str(config))
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"FAIL  database: postgresql://root:***@127.0.0.1:{closed}/x: cannot read it: "
        "connection failed"
    )
    assert "hunter2" not in result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("unhealthy")
    (tmp_path / "fresh").mkdir()
    missing = write_config(tmp_path / "fresh")  # SQLite, never run: no file yet
    result = mailroom("health", "--config", str(missing), "--json")
    assert result.returncode == 1 and '"healthy": false' in result.stdout
    assert "no database file at" in result.stdout
