"""Hostile mail against the real daemon: it stays up, the site builds, and nothing runs in it.

Scripts, event handlers and javascript: links in every field a sender controls;
path-traversal and reserved file names; a zip bomb; MIME nested fifty deep; a
100 MB attachment; a PDF that keeps its reader busy for minutes. The built
pages are checked by parsing them, not by grepping.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from tests import samples
from tests.cli import mailroom, write_config
from tests.conftest import maildir
from tests.html_checks import executable_content
from tests.messages import comment

SCRIPT = "<script>alert('pwned')</script>"
HANDLER = '"><img src=x onerror=alert(1)>'
LINK = "javascript:alert(document.cookie)"
HOSTILE_HTML = (
    f"<html><head><meta http-equiv='refresh' content='0;url={LINK}'><style>body{{x:1}}</style>"
    f"<script>alert(1)</script></head><body onload='alert(1)'><p>Dear colleagues {SCRIPT}</p>"
    f"<a href='{LINK}'>read</a><a href='data:text/html,{SCRIPT}'>data</a>"
    "<img src='http://tracker.example/pixel.png'><iframe src='http://evil.example'></iframe>"
    "<form action='http://evil.example'><input name=x></form>"
    "<svg onload='alert(1)'><script>alert(2)</script></svg></body></html>"
)
MB = 1024 * 1024
ACTIVE_EXTENSIONS = {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "js", "mjs"}


def scripted() -> list[bytes]:
    """Payloads in the subject, names, body, HTML, file names and file contents."""
    return [
        comment(
            1,
            subject=f"Our view {SCRIPT}",
            sender=f"Evil {HANDLER}",
            body=f"Text {SCRIPT}\n<a href='{LINK}'>x</a>\n{HANDLER}\n",
            html=HOSTILE_HTML,
            attachments=[
                (f"{SCRIPT}.html", "text/html", HOSTILE_HTML.encode()),
                (
                    f"{HANDLER}.svg",
                    "image/svg+xml",
                    b"<svg onload='alert(1)'><script>1</script></svg>",
                ),
                ("report.pdf", "application/pdf", HOSTILE_HTML.encode()),  # HTML named .pdf
                ("notes.txt", "text/plain", HOSTILE_HTML.encode()),
                ("data.xml", "application/xml", b"<?xml version='1.0'?><x onload='alert(1)'/>"),
            ],
        ),
        comment(
            2,
            attachments=[
                ("../../../../etc/passwd", "text/plain", b"root:x:0:0"),
                ("..\\..\\windows\\win.ini", "text/plain", b"[fonts]"),
                ("/etc/shadow", "text/plain", b"secret"),
                ("CON.txt", "text/plain", b"reserved"),
                ("evil\u202egpj.exe", "application/octet-stream", b"MZ"),
                ("Re\u0301sume\u0301.txt", "text/plain", b"nfd name"),
                ("same.txt", "text/plain", b"one"),
                ("same.txt", "text/plain", b"two"),
                ("fw.eml", "message/rfc822", samples.forwarded(f"Forwarded {SCRIPT}")),
            ],
        ),
    ]


def nested(levels: int) -> bytes:
    inner = f"Content-Type: text/plain\r\n\r\nDeep down {SCRIPT}\r\n"
    for level in range(levels):
        boundary = f"b{level}"
        inner = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\n{inner}\r\n--{boundary}--\r\n"
        )
    return (
        "From: Deep <deep@example.org>\r\nTo: unpan@un.org\r\nSubject: Nested fifty deep\r\n"
        f"Message-ID: <nested@example.org>\r\nMIME-Version: 1.0\r\n{inner}"
    ).encode()


def huge(size: int) -> bytes:
    """A message with one `size`-byte attachment, written as a mailer writes it."""
    head = EmailMessage()
    head["From"] = "Big Sender <big@example.org>"
    head["To"] = "unpan@un.org"
    head["Subject"] = "A very large annex"
    head["Message-ID"] = "<huge@example.org>"
    head.set_content("Please find our annex attached.\n")
    head.add_attachment(b"placeholder", maintype="application", subtype="pdf", filename="annex.pdf")
    text = head.as_bytes(policy=SMTP)
    placeholder = base64.b64encode(b"placeholder")
    body = base64.encodebytes((bytes(range(256)) * (size // 256 + 1))[:size]).replace(
        b"\n", b"\r\n"
    )
    return text.replace(placeholder + b"\r\n", body)


def status_of(config: Path) -> list[dict[str, object]]:
    result = mailroom("list", "--json", "--config", str(config))
    return json.loads(result.stdout) if result.returncode == 0 else []


@pytest.mark.slow
def test_hostile_mail_leaves_the_daemon_up_and_the_site_inert(tmp_path: Path) -> None:
    messages = [
        *scripted(),
        nested(50),
        comment(4, attachments=[("bomb.zip", "application/zip", samples.zip_bomb())]),
        comment(5, attachments=[("loop.pdf", "application/pdf", samples.looping_pdf())]),
        huge(100 * MB),
        b"\r\n\r\n   \r\n",  # nothing at all: a recorded error
    ]
    maildir(tmp_path / "Maildir", messages)
    config = write_config(
        tmp_path,
        mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n',
        poll_minutes=0.05,
    )
    with config.open("a") as handle:
        # The looping PDF is given up after 5 s at intake and again in the publish's sandbox.
        handle.write("\n[limits]\nextraction_seconds = 5\n\n[site.attachments]\nseconds = 5\n")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailroom", "run", "--config", str(config)],
        env={**os.environ, "MAILROOM_NOW": "2010-12-02T09:00:00"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    site = tmp_path / "site"
    try:
        deadline = time.monotonic() + 240
        listed: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            listed = status_of(config)
            if len(listed) == len(messages) and all(i["status"] != "received" for i in listed):
                break
            assert daemon.poll() is None, daemon.communicate()[1]
            time.sleep(1)
        assert len(listed) == len(messages) and all(i["status"] != "received" for i in listed)
        pages = lambda: list(site.glob("en/submissions/*/index.html"))  # noqa: E731
        while time.monotonic() < deadline and len(pages()) < len(messages) - 1:
            time.sleep(1)
        assert daemon.poll() is None, "the daemon died"
        peak_kb = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{daemon.pid}/status").read_text().splitlines()
                if line.startswith("VmHWM:")
            )
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, stderr

    # The built site: every page parsed, nothing that would run.
    assert len(pages()) == len(messages) - 1  # the garbage is a recorded error, not a page
    for page in site.rglob("*.html"):
        assert executable_content(page.read_text(encoding="utf-8")) == [], page
    served = [p.name for p in site.glob("files/*/*")]
    assert served and not [n for n in served if n.rpartition(".")[2].lower() in ACTIVE_EXTENSIONS]
    # 100 MB went through with flat memory: not a copy per step (parsing it whole costs > 1 GB).
    print(f"\nhostile set: the daemon's peak resident memory was {peak_kb // 1024} MB")
    assert peak_kb < 800 * 1024, f"the daemon peaked at {peak_kb // 1024} MB"

    by_subject = {str(item["subject"]): item for item in listed}
    show = {
        reference: json.loads(
            mailroom("show", str(reference), "--json", "--config", str(config)).stdout
        )
        for reference in (item["reference"] for item in listed)
    }
    details = {str(d["subject"]): d for d in show.values()}
    first = details[f"Our view {SCRIPT}"]
    files = {a["original_name"]: a for a in first["attachments"]}
    assert files["report.pdf"]["name"] == "report.pdf.html"
    assert files["report.pdf"]["sniffed_type"] == "text/html"
    assert files["notes.txt"]["name"] == "notes.txt.html"
    assert any("report.pdf.html" in flag for flag in first["flags"])
    assert "<script" not in (first["body_html"] or "") and "onload" not in first["body_html"]
    assert "javascript:" not in first["body_html"] and "tracker.example" not in first["body_html"]

    names = [a["name"] for a in details["Comment number 2"]["attachments"]]
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert "\u202e" not in name
    assert "passwd" in names and "shadow" in names and "_CON.txt" in names
    assert "Résumé.txt" in names  # NFC
    assert "same.txt" in names and "same (2).txt" in names

    deep = details["Nested fifty deep"]
    assert any("max_depth" in flag for flag in deep["flags"])

    bomb = details["Comment number 4"]["attachments"]
    assert [a["name"] for a in bomb] == ["bomb.zip"]  # listed, nothing unpacked
    assert bomb[0]["text_status"] == "extracted" and "zip bomb" in bomb[0]["text"]

    loop = details["Comment number 5"]["attachments"][0]
    assert loop["text_status"] == "timed_out", loop["text_note"]

    big = details["A very large annex"]
    assert big["attachments"][0]["size"] == 100 * MB
    assert big["attachments"][0]["text_status"] == "too_large"
    assert any("max_message_bytes" in flag for flag in big["flags"])
    assert big["body_text"] == "Please find our annex attached."
    assert by_subject["A very large annex"]["attachments"][0]["size"] == 100 * MB

    failed = [item for item in listed if item["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["error"]
