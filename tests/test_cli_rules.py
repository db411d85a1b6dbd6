"""The rules' commands as an operator meets them: other channels, the moderation queue, the
history, the digest, and the JSON scripts read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from mailroom.cli import app
from tests.cli import mailroom, write_config
from tests.rules import mail, maildir_of

COMMANDS = [
    "queue", "approve", "hide", "withdraw", "edit", "history", "requests", "apply-request",
    "on-time", "group", "country", "classify", "receipts", "add", "import-form", "digest",
]  # fmt: skip
RECEIVED = datetime(2010, 11, 10, 17, 0, tzinfo=UTC)
FORM = """
[form]
sender = "forms@unpan.example"

[form.fields]
name = "Nom"
organisation = "Organisation"
email = "Courriel"
group = "Catégorie"
country = "Pays"
comment = "Commentaire"
received_at = "Reçu le"
id = "No"
"""


def listed(config: Path) -> dict[str, dict[str, object]]:
    result = mailroom("list", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return {item["reference"]: item for item in json.loads(result.stdout)}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_rules_command_has_help_with_config_and_now(command: str) -> None:
    # In process: the same typer app the `mailroom` script runs, without a start-up each.
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--config" in result.output and "--now" in result.output


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Scanned letter")
    return bytes(pdf.output())


def test_a_letter_and_a_fax_are_entered_with_their_dates_and_files(tmp_path: Path) -> None:
    config = write_config(tmp_path, late="hold")
    (tmp_path / "letter.txt").write_text("We support open consultations.\n", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(_pdf())
    args = [
        "add", "--channel", "post", "--received", "2010-11-12T10:30", "--postmark",
        "2010-11-02", "--name", "Grace Wanyama", "--organisation", "Kessaly Digital Trust",
        "--group", "civil_society", "--country", "Kenya", "--subject", "Our letter",
        "--text", "letter.txt", "--file", "scan.pdf", "--by", "clerk", "--config", str(config),
    ]  # fmt: skip
    added = mailroom(*args, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Recorded DESA-10-3078/0001 (post, 1 files)" in added.stdout
    again = mailroom(*args, cwd=tmp_path)
    assert "Already recorded as DESA-10-3078/0001" in again.stdout
    fax = mailroom(
        "add", "--channel", "fax", "--received", "2010-11-16T09:00", "--name", "Late Fax",
        "--file", "scan.pdf", "--config", str(config), cwd=tmp_path,
    )  # fmt: skip
    assert fax.returncode == 0, fax.stderr
    bad = mailroom(
        "add", "--channel", "post", "--received", "2010-11-12", "--group", "aliens",
        "--text", "letter.txt", "--config", str(config), cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 1 and "unknown stakeholder group 'aliens'" in bad.stderr
    items = listed(config)
    letter, late = items["DESA-10-3078/0001"], items["DESA-10-3078/0002"]
    assert (letter["channel"], letter["stakeholder_group"], letter["country"]) == (
        "post",
        "civil_society",
        "KE",
    )
    assert letter["received_via"] == "operator" and letter["on_time"] is True
    assert letter["moderation"] == "approved" and letter["attachment_count"] == 1
    assert letter["receipt"] is None  # receipts are for email
    assert (late["channel"], late["on_time"], late["moderation"]) == ("fax", False, "pending")
    assert len(items) == 2


def test_a_form_export_is_imported_and_a_form_mail_is_mapped(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra=FORM)
    lines = [
        {"No": 1, "Nom": "Ana Souza", "Organisation": "Rede Aberta", "Courriel": "ana@x.org",
         "Catégorie": "Société civile", "Pays": "BR", "Commentaire": "Open it up.",
         "Reçu le": "2010-11-14T12:00:00"},
        {"No": 2, "Nom": "Bo Li", "Catégorie": "Private sector",
         "Commentaire": "Keep rules simple.", "Reçu le": "2010-11-14T13:00:00-05:00"},
        "not an object",
        {"No": 4, "Nom": "No Date", "Commentaire": "When?"},
        {"No": 5, "Nom": "Late", "Commentaire": "After closing.", "Reçu le": "2010-11-16T08:00"},
    ]  # fmt: skip
    export = tmp_path / "form.jsonl"
    export.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{broken\n",
        encoding="utf-8",
    )
    imported = mailroom("import-form", str(export), "--config", str(config))
    assert imported.returncode == 1
    assert "3 new submissions, 0 already recorded, 3 skipped" in imported.stdout
    assert f"{export}:3: not a JSON object" in imported.stderr
    assert (
        f"{export}:4: no 'Reçu le'" in imported.stderr
        and f"{export}:6: not JSON" in imported.stderr
    )
    again = mailroom("import-form", str(export), "--config", str(config))
    assert "0 new submissions, 3 already recorded" in again.stdout

    form_mail = mail(
        9,
        sender="Web form",
        address="forms@unpan.example",
        subject="New submission",
        body="Nom: Kofi Mensah\nOrganisation: Accra Digital\nCourriel: kofi@accra.example\n"
        "Catégorie: Civil society\nPays: Ghana\nCommentaire: First line.\nSecond line.\n",
        received=RECEIVED,
        headers=[("Auto-Submitted", "auto-generated")],  # as form mailers send
    )
    box = maildir_of(tmp_path, [form_mail])
    config.write_text(
        config.read_text().replace(
            "[store]", f'[[mailbox]]\nname = "box"\nurl = "maildir:{box.path}"\n\n[store]'
        )
    )
    polled = mailroom("poll", "--config", str(config), "--now", "2010-11-20T10:00")
    assert polled.returncode == 0, polled.stderr
    items = listed(config)
    ana, bo, late, kofi = (items[f"DESA-10-3078/000{n}"] for n in (1, 2, 3, 4))
    assert (ana["channel"], ana["stakeholder_group"], ana["country"]) == (
        "form",
        "civil_society",
        "BR",
    )
    assert ana["received_via"] == "form-record" and ana["on_time"] is True
    assert bo["stakeholder_group"] == "private_sector" and late["on_time"] is False
    assert (kofi["channel"], kofi["sender_name"], kofi["organisation"]) == (
        "form",
        "Kofi Mensah",
        "Accra Digital",
    )
    assert (kofi["stakeholder_group"], kofi["country"]) == ("civil_society", "GH")
    assert kofi["sender_address"] == "kofi@accra.example"
    assert kofi["moderation"] == "approved"  # the mailer is automatic; the comment is not
    reparsed = mailroom("reparse", "--config", str(config), "--now", "2010-11-21T10:00")
    assert reparsed.returncode == 0, reparsed.stderr
    assert listed(config)["DESA-10-3078/0004"]["organisation"] == "Accra Digital"


def test_the_queue_decisions_and_the_history_say_who_and_when(tmp_path: Path) -> None:
    box = maildir_of(
        tmp_path,
        [
            mail(1, received=RECEIVED, subject="[Civil society] A", address="a@ngo.example"),
            mail(2, received=RECEIVED, subject="B", headers=[("X-Spam-Flag", "YES")]),
            mail(3, received=RECEIVED, subject="C", address="c@mofa.gov.gh"),
        ],
    )
    config = write_config(
        tmp_path,
        moderation="pre",
        mailboxes=f'[[mailbox]]\nname = "box"\nurl = "maildir:{box.path}"\n',
    )
    polled = mailroom("poll", "--config", str(config), "--now", "2010-11-20T10:00")
    assert polled.returncode == 0, polled.stderr
    assert "rules: 3 judged, 1 held for the operator" in polled.stdout
    queue = json.loads(mailroom("queue", "--json", "--config", str(config)).stdout)
    assert [q["reference"] for q in queue] == [f"DESA-10-3078/000{n}" for n in (1, 2, 3)]
    assert queue[1]["hold_reasons"] == ["marked as spam upstream (X-Spam-Flag: YES)"]
    text = mailroom("queue", "--held", "--config", str(config)).stdout
    assert "DESA-10-3078/0002" in text and "held: marked as spam" in text
    assert "DESA-10-3078/0001" not in text

    now = ["--config", str(config), "--now", "2010-11-21T09:15"]
    approved = mailroom("approve", "1", "3", *now, env={"MAILROOM_OPERATOR": "desk officer"})
    assert approved.returncode == 0, approved.stderr
    assert "DESA-10-3078/0001: approved by desk officer" in approved.stdout
    no_reason = mailroom("hide", "2", *now)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    hidden = mailroom("hide", "2", "--reason", "spam", "--by", "clerk", *now)
    assert hidden.returncode == 0, hidden.stderr
    edited = mailroom("edit", "1", "--anonymous", "--by", "clerk", *now)
    assert "anonymous False -> True" in edited.stdout
    grouped = mailroom("group", "3", "--by", "clerk", *now)
    assert "Governments (confirmed by clerk)" in grouped.stdout
    missing = mailroom("approve", "99", *now)
    assert missing.returncode == 1 and "no submission '99'" in missing.stderr

    history = json.loads(mailroom("history", "1", "--json", *now).stdout)
    assert [(h["action"], h["by"]) for h in history] == [
        ("rules", "mailroom (rules)"),
        ("approve", "desk officer"),
        ("edit", "clerk"),
    ]
    assert history[1]["at"].startswith("2010-11-21T14:15:0")  # --now, and the clock ticks on
    assert history[1]["from"] == "pending" and history[1]["to"] == "approved"
    text = mailroom("history", "2", *now).stdout
    assert "clerk  hide pending -> hidden  (spam)" in text

    items = listed(config)
    first, spam, gov = (items[f"DESA-10-3078/000{n}"] for n in (1, 2, 3))
    assert (first["moderation"], first["stakeholder_group"], first["on_time"]) == (
        "approved",
        "civil_society",
        True,
    )
    assert (spam["moderation"], gov["country"], gov["stakeholder_group"]) == (
        "hidden",
        "GH",
        "governments",
    )
    for key in ("campaign_id", "duplicate_of", "receipt"):
        assert first[key] is None
    # All four times: the mailbox's, the Received header's, when polled, the sender's Date.
    assert first["received_at"] == first["received_header_at"] == "2010-11-10T17:00:00+00:00"
    assert str(first["fetched_at"]).startswith("2010-11-20T15:00:0")
    assert first["date_header"] == "2010-11-08T15:00:00+00:00"

    digest = mailroom("digest", "--groups", "civil_society,governments", "--out", "out", *now,
                      cwd=tmp_path)  # fmt: skip
    assert digest.returncode == 0, digest.stderr
    assert "Digest of 2 submissions" in digest.stdout
    html = (tmp_path / "out" / "digest.html").read_text()
    assert "DESA-10-3078/0001" in html and "DESA-10-3078/0002" not in html
