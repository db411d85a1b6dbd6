"""`mailroom publish` and `status` report what the privacy check withheld; `mailroom files`
shows each file's kind and policy, and the operator's override is checked and recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import samples
from tests.cli import mailroom, write_config
from tests.conftest import maildir
from tests.messages import comment

LETTER = "Our letter. Write to the author at letter.writer@letter.example for more."


@pytest.mark.slow
def test_withheld_files_are_reported_and_the_operator_chooses_another_policy(
    tmp_path: Path,
) -> None:
    box = maildir(
        tmp_path / "Maildir",
        [
            comment(
                1,
                body="Please find our letter attached.\n",
                attachments=[
                    ("letter.pdf", "application/pdf", samples.pdf(LETTER)),
                    ("notes.txt", "text/plain", b"Short notes, nothing private.\n"),
                ],
            )
        ],
    )
    config = str(
        write_config(tmp_path, mailboxes=f'[[mailbox]]\nname = "sample"\nurl = "{box.url}"')
    )
    assert mailroom("poll", "--config", config).returncode == 0

    published = mailroom("publish", "--config", config, "--now", "2010-12-02T09:00")
    assert published.returncode == 0, published.stderr
    letter = "files/DESA-10-3078-0001/1-letter.pdf"
    assert "Withheld from the site by the privacy check: 1 files" in published.stdout
    assert f"{letter}: holds an email address" in published.stdout
    assert "letter.writer@" not in published.stdout + published.stderr  # never the value
    status = mailroom("status", "--config", config, "--json")
    withheld = json.loads(status.stdout)["site_privacy"]["withheld"]
    assert [w["path"] for w in withheld] == [letter]

    listed = json.loads(mailroom("files", "1", "--config", config, "--json").stdout)
    assert [(f["position"], f["kind"], f["policy"], f["set_by"]) for f in listed] == [
        (1, "pdf", "stripped", "[site.attachments]"),
        (2, "text", "text", "[site.attachments]"),
    ]
    raw_text = mailroom("files", "1", "2", "--policy", "original", "--reason", "x", "-c", config)
    assert raw_text.returncode == 1 and "does not apply" in raw_text.stderr
    chosen = mailroom(
        "files", "1", "1", "--policy", "text", "--reason", "letterhead", "--by", "op", "-c", config
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "1  letter.pdf  [pdf]  text (by operator" in chosen.stdout
    again = mailroom("publish", "--config", config, "--now", "2010-12-02T10:00")
    assert "Withheld from the site by the privacy check: nothing" in again.stdout
    served = tmp_path / "site" / f"{letter}.txt"
    assert served.read_text().startswith("Our letter. Write to the author at [email address")
