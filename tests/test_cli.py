"""The command line as an operator meets it: help, config errors, JSON shapes, the clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import samples
from tests.cli import mailroom, write_config
from tests.conftest import maildir
from tests.links import broken_links
from tests.messages import comment

COMMANDS = [
    "check-config", "poll", "publish", "status", "list", "show", "reparse", "run", "demo",
    "themes", "correction", "corrections", "organisation", "country", "files", "health",
]  # fmt: skip
REPO_CONFIG = Path(__file__).resolve().parents[1] / "config.toml"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = mailroom(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    if command not in ("demo",):
        assert "--config" in result.stdout and "--now" in result.stdout


def test_the_example_config_is_valid_and_explained() -> None:
    result = mailroom(
        "check-config", "--config", str(REPO_CONFIG), env={"MAILROOM_IMAP_PASSWORD": "x"}
    )
    assert result.returncode == 0, result.stderr
    assert "DESA-10/3078" in result.stdout
    assert "2010-11-15T23:59:59.999999-05:00" in result.stdout
    assert "2010-12-01T00:00:00-05:00" in result.stdout


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("posting_date = 2010-12-01", 'posting_date = 2010-12-01\npassword = "hunter2"'),
            "[consultation] password: is not a known key",
        ),
        (
            ('timezone = "America/New_York"', 'timezone = "Mars/Olympus"'),
            "[consultation] timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            ("poll_minutes = 5", 'poll_minutes = "often"'),
            "[daemon] poll_minutes: Input should be a valid number",
        ),
        (('archive = "archive"\n', ""), "[store] archive: is missing"),
        (("[site]", "[sight]"), "unknown table or key 'sight'"),
    ],
)
def test_a_bad_config_stops_start_up_naming_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    config = write_config(tmp_path)
    text = config.read_text()
    assert change[0] in text
    config.write_text(text.replace(change[0], change[1]))
    for command in ("check-config", "poll", "status"):
        result = mailroom(command, "--config", str(config))
        assert result.returncode == 2
        assert str(config) in result.stderr and expected in result.stderr, result.stderr


def test_a_mailbox_entry_is_checked_too(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        mailboxes='[[mailbox]]\nname = "unpan"\nurl = "imaps://unpan@imap.example.org/INBOX"\n',
    )
    result = mailroom("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "[[mailbox]] #1 (unpan)" in result.stderr
    assert "give exactly one of password_env or password_file" in result.stderr


def test_a_missing_config_file_says_what_to_do(tmp_path: Path) -> None:
    result = mailroom("status", cwd=tmp_path)
    assert result.returncode == 2
    assert "config.toml: no such config file; pass --config FILE" in result.stderr


def test_poll_status_and_list_speak_json_with_the_documented_keys(tmp_path: Path) -> None:
    annexed = comment(
        1,
        attachments=[("annex.zip", "application/zip", samples.zip_of([("a.pdf", samples.pdf())]))],
    )
    maildir(tmp_path / "Maildir", [annexed, comment(2, subject="Второй комментарий"), b"\n"])
    config = write_config(
        tmp_path, mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n'
    )
    polled = mailroom("poll", "--config", str(config), "--now", "2010-11-20T10:00")
    assert polled.returncode == 0, polled.stderr
    assert "3 fetched, 3 new submissions" in polled.stdout

    listed = json.loads(mailroom("list", "--json", "--config", str(config)).stdout)
    assert [item["reference"] for item in listed] == [
        "DESA-10-3078/0001",
        "DESA-10-3078/0002",
        "DESA-10-3078/0003",
    ]
    for key in (
        "reference",
        "status",
        "channel",
        "subject",
        "sender_name",
        "received_at",
        "message_sha256",
        "language",
        "attachments",
        "error",
    ):
        assert all(key in item for item in listed), key
    assert [a["name"] for a in listed[0]["attachments"]] == ["annex.zip", "a.pdf"]
    for attachment in listed[0]["attachments"]:
        assert set(attachment) == {"name", "content_type", "size", "sha256", "text_status"}
        assert attachment["text_status"] == "extracted"
    assert listed[0]["language"] == "en" or listed[0]["language"] is None

    shown = mailroom("show", "DESA-10-3078/0001", "--json", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert (
        detail["reference"] == "DESA-10-3078/0001" and detail["body_text"] == "This is comment 1."
    )
    pdf = detail["attachments"][1]
    assert pdf["parent_position"] == 1 and pdf["text"] == samples.SENTENCE
    assert pdf["text_note"].startswith("PDF text layer read with pypdf")
    assert "PDF text layer" in mailroom("show", "1", "--config", str(config)).stdout
    missing = mailroom("show", "DESA-10-3078/0099", "--config", str(config))
    assert missing.returncode == 1 and "no submission" in missing.stderr
    assert listed[1]["subject"] == "Второй комментарий"
    assert listed[0]["error"] is None and listed[2]["status"] == "failed"
    assert listed[2]["error"] == "the message is empty"

    status = json.loads(
        mailroom("status", "--json", "--config", str(config), "--now", "2010-11-20T10:00").stdout
    )
    box = status["mailboxes"][0]
    assert box["messages_stored"] == 3 and box["uidvalidity"] == 0 and box["last_uid"] == 0
    assert box["last_poll"].startswith("2010-11-20T15:00:0")  # the moved clock ticks on
    assert status["submissions_by_status"] == {"received": 0, "parsed": 2, "failed": 1}
    assert status["errors"] == 1 and status["site_public"] is False


def test_the_clock_moves_with_now_or_the_environment(tmp_path: Path) -> None:
    maildir(tmp_path / "Maildir", [comment(1)])
    config = write_config(
        tmp_path, mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n'
    )
    assert mailroom("poll", "--config", str(config)).returncode == 0
    early = mailroom(
        "publish", "--config", str(config), env={"MAILROOM_NOW": "2010-11-30T23:59:59"}
    )
    assert "Nothing published" in early.stdout and not (tmp_path / "site").exists()
    late = mailroom("publish", "--config", str(config), "--now", "2010-12-01T00:00:00")
    assert late.returncode == 0, late.stderr
    assert (tmp_path / "site" / "en" / "submissions" / "DESA-10-3078-0001" / "index.html").is_file()
    bad = mailroom("publish", "--config", str(config), "--now", "yesterday")
    assert bad.returncode == 2 and "not an ISO 8601 time" in bad.stderr


@pytest.mark.slow
def test_demo_ingests_the_sample_mailbox_and_publishes_it(tmp_path: Path) -> None:
    result = mailroom("demo", cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "messages/s" in result.stdout
    # The consultation's rules at work: groups, a late comment, a hidden one, a campaign.
    for shown in ("Stakeholder groups: Civil society", "Late: ", "Hidden: ", "Campaign: 12 ",
                  "Held for the operator: ", "Receipts: off in the demo"):  # fmt: skip
        assert shown in result.stdout, shown
    assert (tmp_path / "demo" / "digest" / "digest.html").is_file()
    assert (tmp_path / "site" / "index.html").is_file()
    assert broken_links(tmp_path / "site") == []  # every page, feed and data file of the demo
    listed = json.loads(
        mailroom("list", "--json", "--config", "demo/config.toml", cwd=tmp_path).stdout
    )
    assert len(listed) >= 30
    check_what_the_representative_needs(tmp_path, result.stdout)
    again = mailroom("demo", cwd=tmp_path, timeout=300)
    assert "Ingested: 0 new messages" in again.stdout


def check_what_the_representative_needs(tmp_path: Path, shown: str) -> None:
    """Issue 12 in the demo: a correction, an addition, themes, who wrote from where."""
    config = ("--config", "demo/config.toml")
    replaced, correction = "DESA-10-3078/0028", "DESA-10-3078/0035"
    original, addition = "DESA-10-3078/0019", "DESA-10-3078/0030"
    assert f"Correction: {correction} replaces {replaced}" in shown
    assert f"Addition: {addition} adds to {original}" in shown
    assert "Themes: " in shown and "  1. " in shown
    pages = tmp_path / "site" / "en" / "submissions"
    earlier = (pages / "DESA-10-3078-0028" / "index.html").read_text()
    assert "replaced this text with a corrected version" in earlier
    assert 'href="../DESA-10-3078-0035/index.html"' in earlier
    later = (pages / "DESA-10-3078-0035" / "index.html").read_text()
    assert 'href="../DESA-10-3078-0028/index.html"' in later and "corrected version of" in later
    with_addition = (pages / "DESA-10-3078-0019" / "index.html").read_text()
    assert "Addition received" in with_addition and "On reflection" in with_addition
    for language in ("ar", "en", "es", "fr", "ru", "zh"):
        assert (tmp_path / "site" / language / "themes" / "index.html").is_file()
    digest = (tmp_path / "demo" / "digest" / "digest.html").read_text()
    assert "<h2>Themes</h2>" in digest and "Addition</strong> (DESA-10-3078/0030" in digest
    themes = json.loads(mailroom("themes", "--json", *config, cwd=tmp_path).stdout)
    assert len(themes) >= 5 and all(t["label"] and t["references"] for t in themes)
    campaign = [r for t in themes for r in t["references"] if r.get("campaign_size")]
    assert [r["campaign_size"] for r in campaign] == [12]
    status = mailroom("status", *config, cwd=tmp_path).stdout
    assert "Country: 14 of " in status and "suggested from the letter" in status
    undo = mailroom("correction", "30", "--undo", "--reason", "a separate comment", "--by",
                    "clerk", *config, cwd=tmp_path)  # fmt: skip
    assert undo.returncode == 0 and "undone by clerk" in undo.stdout, undo.stderr
    history = mailroom("history", "30", *config, cwd=tmp_path).stdout
    assert "correction" in history and "clerk" in history and "mailroom (rules)" in history
    made = mailroom("correction", "30", "--to", "19", "--adds", *config, cwd=tmp_path)
    assert made.returncode == 0 and "confirmed" in made.stdout, made.stderr
    confirm = mailroom("organisation", "3", *config, cwd=tmp_path)
    assert "Oceanic Network Information Centre (OCNIC)" in confirm.stdout, confirm.stderr
