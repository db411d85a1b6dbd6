"""Attachment text: a real sample of each format, made here, comes out as the expected text."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from ingest import LimitSettings, poll_once, workers
from ingest.workers import Failed, Outcome, Parsed, WorkerPool
from store import Store
from store.archive import Archive
from store.content import AttachmentContent
from store.models import Attachment, TextStatus
from store.queries import iter_submissions
from tests import samples
from tests.conftest import maildir
from tests.crash_worker import KILL_THE_PARSER
from tests.messages import comment

NOW = datetime(2010, 11, 20, tzinfo=UTC)
S = samples.SENTENCE
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def one_of_each() -> list[tuple[str, str, bytes]]:
    """(file name, declared type, bytes): every format a comment comes in."""
    return [
        ("comment.pdf", "application/pdf", samples.pdf()),
        ("comment.docx", DOCX, samples.docx()),
        ("comment.doc", "application/msword", samples.doc()),
        ("comment.odt", "application/vnd.oasis.opendocument.text", samples.odt()),
        ("comment.rtf", "application/rtf", samples.rtf()),
        ("comment.html", "text/html", f"<html><body><p>{S}</p></body></html>".encode()),
        ("outlook.msg", "application/vnd.ms-outlook", samples.msg("Our view", S, [])),
        ("scan.pdf", "application/pdf", samples.scanned_pdf()),
        ("locked.pdf", "application/pdf", samples.encrypted_pdf()),
        ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("comment.zip", "application/zip", samples.zip_of([("inside/a.pdf", samples.pdf())])),
    ]


def by_name(attachments: list[Attachment]) -> dict[str, Attachment]:
    return {a.name: a for a in attachments}


def test_each_format_gives_its_text_through_a_real_poll(tmp_path: Path, store: Store) -> None:
    cyrillic = "Комментарий к консультации по расширенному сотрудничеству"
    messages = [
        comment(1, attachments=one_of_each()),
        comment(
            2,
            attachments=[
                (
                    "winmail.dat",
                    "application/ms-tnef",
                    samples.tnef(S, [("annex.pdf", samples.pdf("Annex text")), ("n.txt", b"note")]),
                ),
                ("fw.eml", "message/rfc822", samples.forwarded()),
            ],
        ),
    ]
    # Plain text in KOI8-R, its charset declared on the part.
    koi8 = EmailMessage()
    koi8["From"] = "Ivan Petrov <ivan@example.org>"
    koi8["Subject"] = "Комментарий"
    koi8.set_content("См. вложение: наш комментарий к консультации.\n")
    koi8.add_attachment(
        cyrillic.encode("koi8-r"),
        "text",
        "plain",
        filename="comment.txt",
        params={"charset": "koi8-r"},
    )
    messages.append(koi8.as_bytes(policy=SMTP))
    report = poll_once(maildir(tmp_path / "Maildir", messages), store, prefix="T", now=lambda: NOW)
    assert (report.parsed, report.failed) == (3, 0)
    with store.reader() as session:
        views = list(iter_submissions(session))
    first, second, third = (by_name(v.attachments) for v in views)

    for name in ("comment.pdf", "comment.docx", "comment.doc", "comment.odt", "comment.rtf"):
        assert first[name].text_status == TextStatus.EXTRACTED, (name, first[name].text_note)
        assert S in (first[name].text or ""), name
    assert "été" in (first["comment.rtf"].text or "")
    assert first["comment.html"].text == S
    assert first["outlook.msg"].text_status == TextStatus.EXTRACTED
    assert "Subject: Our view" in (first["outlook.msg"].text or "") and S in (
        first["outlook.msg"].text or ""
    )
    assert first["scan.pdf"].text_status == TextStatus.NO_TEXT
    assert "scanned PDF, no text layer" in (first["scan.pdf"].text_note or "")
    assert first["locked.pdf"].text_status == TextStatus.UNSUPPORTED
    assert "encrypted" in (first["locked.pdf"].text_note or "")
    assert first["photo.png"].text_status == TextStatus.UNSUPPORTED
    # The ZIP is listed, and its member is an attachment of its own, under it.
    archive = first["comment.zip"]
    assert archive.text_status == TextStatus.EXTRACTED and "inside/a.pdf" in (archive.text or "")
    member = first["a.pdf"]
    assert member.parent_position == archive.position and S in (member.text or "")

    # winmail.dat: its body is its text, the files it carries are attachments under it.
    tnef = second["winmail.dat"]
    assert tnef.text == S
    assert second["annex.pdf"].parent_position == tnef.position
    assert second["annex.pdf"].text == "Annex text"
    assert second["n.txt"].text == "note"
    # A forwarded message: its headers and text.
    forwarded = second["fw.eml"]
    assert forwarded.text_status == TextStatus.EXTRACTED
    assert "Subject: Our original comment" in (forwarded.text or "") and S in (forwarded.text or "")

    assert third["comment.txt"].text == cyrillic
    assert "koi8-r" in (third["comment.txt"].text_note or "")
    assert views[2].submission.language == "ru"


def test_a_forwarded_message_keeps_its_own_attachments_under_it(
    tmp_path: Path, store: Store
) -> None:
    inner = samples.forwarded(files=[("position.pdf", "application/pdf", samples.pdf())])
    message = comment(
        1,
        body="Forwarding our partner's comment.\n",
        attachments=[("fw.eml", "message/rfc822", inner)],
    )
    poll_once(maildir(tmp_path / "Maildir", [message]), store, prefix="T", now=lambda: NOW)
    with store.reader() as session:
        (view,) = iter_submissions(session)
    files = by_name(view.attachments)
    assert [a.name for a in view.attachments] == ["fw.eml", "position.pdf"]
    assert files["position.pdf"].parent_position == files["fw.eml"].position
    assert S in (files["position.pdf"].text or "")
    assert store.archive.get(files["fw.eml"].sha256).startswith(b"From: Original Sender")


def read_in_pool(
    archive: Archive, messages: list[bytes], limits: LimitSettings
) -> tuple[list[Outcome], WorkerPool]:
    """Store the messages and read them in a fresh pool; the pool is closed on return."""
    with WorkerPool(limits, archive.root) as pool:
        for key, data in enumerate(messages):
            pool.submit(key, archive.put(data))
        outcomes = pool.take(list(range(len(messages))))
    return [outcomes[key] for key in range(len(messages))], pool


def files_of(outcome: Outcome) -> dict[str, AttachmentContent]:
    assert isinstance(outcome, Parsed), outcome
    return {a.name: a for a in outcome.content.attachments}


@pytest.mark.slow
def test_a_reader_that_loops_is_stopped_and_the_next_file_is_still_read(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    limits = LimitSettings(extraction_seconds=3, extraction_workers=1)
    message = comment(
        1,
        attachments=[
            ("loop.pdf", "application/pdf", samples.looping_pdf()),
            ("ok.pdf", "application/pdf", samples.pdf()),
        ],
    )
    (outcome,), pool = read_in_pool(archive, [message], limits)
    assert pool.started == 2  # the stopped worker was replaced, once
    files = files_of(outcome)
    looping, fine = files["loop.pdf"], files["ok.pdf"]
    assert looping.text_status == TextStatus.TIMED_OUT
    assert "extraction_seconds" in (looping.text_note or "")
    assert fine.text_status == TextStatus.EXTRACTED and fine.text == S


@pytest.mark.slow
def test_a_crashed_reader_costs_its_file_only(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    limits = LimitSettings(extraction_seconds=60, extraction_workers=1)
    message = comment(
        1,
        attachments=[
            ("loop.pdf", "application/pdf", samples.looping_pdf()),
            ("ok.docx", DOCX, samples.docx()),
        ],
    )
    with WorkerPool(limits, archive.root) as pool:
        pool.submit(1, archive.put(message))

        def crash_the_worker() -> None:  # what a segfaulting C library looks like from outside
            while not pool._workers or not isinstance(pool._workers[0].step, str):
                time.sleep(0.05)
            time.sleep(0.5)
            pool._workers[0].process.kill()

        killer = threading.Thread(target=crash_the_worker)
        killer.start()
        outcome = pool.take([1])[1]
        killer.join()
    files = files_of(outcome)
    crashed, fine = files["loop.pdf"], files["ok.docx"]
    assert crashed.text_status == TextStatus.FAILED
    assert "crashed (signal SIGKILL)" in (crashed.text_note or "")
    assert fine.text_status == TextStatus.EXTRACTED and S in (fine.text or "")


def test_workers_are_few_kept_and_capped(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    limits = LimitSettings(extraction_workers=2, extraction_memory_mb=512)
    messages = [
        comment(n, attachments=[(f"{n}.txt", "text/plain", f"note {n}".encode())])
        for n in range(30)
    ]
    with WorkerPool(limits, archive.root) as pool:
        for key, data in enumerate(messages):
            pool.submit(key, archive.put(data))
        outcomes = pool.take(list(range(30)))
        limits_file = Path(f"/proc/{pool._workers[0].process.pid}/limits").read_text()
        assert pool.started == 2  # 30 messages, two processes
    assert [files_of(outcomes[n])[f"{n}.txt"].text for n in range(30)] == [
        f"note {n}" for n in range(30)
    ]
    address_space = next(line for line in limits_file.splitlines() if "address space" in line)
    assert str(512 * 1024 * 1024) in address_space


@pytest.mark.slow
def test_a_message_that_kills_its_worker_is_set_aside_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that die parsing one message (as a parser crashing in C would) cost that
    message only, after MAX_DEATHS tries; messages queued behind it are read as usual."""
    monkeypatch.setattr(workers, "WORKER", "tests.crash_worker")
    archive = Archive(tmp_path / "archive")
    limits = LimitSettings(extraction_workers=1)
    messages = [comment(n, body=f"Comment {n}.\n") for n in range(3)]
    messages.insert(1, comment(9, body=f"{KILL_THE_PARSER}\n"))
    outcomes, pool = read_in_pool(archive, messages, limits)
    assert pool.started == 1 + workers.MAX_DEATHS
    assert isinstance(outcomes[1], Failed)
    assert outcomes[1].reason == (
        "parsing stopped its worker process 3 times (signal SIGKILL); set aside"
    )
    assert [o.content.body_text for o in outcomes if isinstance(o, Parsed)] == [
        f"Comment {n}." for n in range(3)
    ]
