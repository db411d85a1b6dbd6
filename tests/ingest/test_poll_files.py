"""poll_once over local Maildir and mbox files, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from ingest import MailboxSettings, poll_once, reparse_all
from store import ConsultationSettings, Store
from store.models import Message, Problem, ReceivedVia, Submission, SubmissionStatus
from store.queries import iter_submissions
from tests import samples
from tests.conftest import maildir
from tests.messages import comment

NOW = datetime(2010, 11, 20, 12, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def poll(mailbox: MailboxSettings, store: Store, consultation: ConsultationSettings):  # type: ignore[no-untyped-def]
    return poll_once(mailbox, store, prefix=consultation.submission_prefix, now=clock)


def test_polling_twice_stores_each_message_once(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    mailbox = maildir(tmp_path / "Maildir", [comment(n) for n in range(1, 8)])
    first = poll(mailbox, store, consultation)
    second = poll(mailbox, store, consultation)
    assert (first.fetched, first.new_submissions, first.parsed) == (7, 7, 7)
    assert (second.fetched, second.new_submissions) == (0, 0)
    with store.session() as session:
        references = [
            s.reference for s in session.exec(select(Submission).order_by(Submission.number))
        ]
        assert references == [f"DESA-10-3078/{n:04d}" for n in range(1, 8)]
        assert len(session.exec(select(Message)).all()) == 7


def test_received_time_comes_from_the_top_received_header_not_the_date_header(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    received = datetime(2010, 11, 16, 4, 30, tzinfo=UTC)  # 23:30 on the 15th in New York
    mailbox = maildir(tmp_path / "Maildir", [comment(1, received=received), comment(2)])
    poll(mailbox, store, consultation)
    with store.session() as session:
        rows = {s.number: s for s in session.exec(select(Submission))}
    assert rows[1].received_at == received
    assert rows[1].received_via == ReceivedVia.RECEIVED_HEADER
    assert rows[1].date_header == datetime(2010, 11, 8, 15, 0, tzinfo=UTC)
    assert rows[2].received_via == ReceivedVia.FILE_TIME


def test_the_same_bytes_in_two_files_are_one_submission(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    mailbox = maildir(tmp_path / "Maildir", [comment(1), comment(1), comment(2)])
    report = poll(mailbox, store, consultation)
    assert (report.fetched, report.new_submissions, report.already_held) == (3, 2, 1)
    with store.session() as session:
        messages = session.exec(select(Message)).all()
        assert len(messages) == 3
        assert len({m.submission_id for m in messages}) == 2


def test_an_unparseable_message_is_a_failed_submission_with_its_bytes_kept(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    broken = b"\r\n\r\n   \r\n"
    mailbox = maildir(tmp_path / "Maildir", [comment(1), broken])
    report = poll(mailbox, store, consultation)
    assert (report.parsed, report.failed) == (1, 1)
    with store.session() as session:
        failed = session.exec(
            select(Submission).where(Submission.status == SubmissionStatus.FAILED)
        ).one()
        assert failed.error == "the message is empty"
        assert store.archive.get(failed.sha256) == broken
        problem = session.exec(select(Problem)).one()
        assert problem.kind == "unparseable" and failed.reference in problem.detail


def test_mbox_is_read_from_its_checkpoint_and_a_rewritten_file_adds_nothing_twice(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    path = tmp_path / "comments.mbox"

    def entry(n: int) -> bytes:
        return (
            b"From sender@example.org Mon Nov  8 10:00:00 2010\n"
            + comment(n).replace(b"\r\n", b"\n")
            + b"\n"
        )

    path.write_bytes(entry(1) + entry(2))
    mailbox = MailboxSettings(name="box", url=f"mbox:{path}")
    assert poll(mailbox, store, consultation).new_submissions == 2
    with path.open("ab") as handle:
        handle.write(entry(3))
    again = poll(mailbox, store, consultation)
    assert (again.fetched, again.new_submissions) == (1, 1)
    path.write_bytes(entry(3) + entry(1) + entry(4))  # rewritten: reordered, one new
    rewritten = poll(mailbox, store, consultation)
    assert rewritten.new_submissions == 1
    with store.session() as session:
        subjects = sorted(s.subject for s in session.exec(select(Submission)))
        via = {s.received_via for s in session.exec(select(Submission))}
    assert subjects == [f"Comment number {n}" for n in range(1, 5)]
    assert via == {ReceivedVia.MBOX_FROM_LINE}


def test_reparse_yields_the_same_references_and_texts(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    messages = [
        comment(n, attachments=[("note.txt", "text/plain", f"attachment {n}".encode())])
        for n in range(1, 4)
    ] + [
        comment(
            4,
            body="Nous soutenons la coopération renforcée entre les gouvernements et toutes "
            "les parties prenantes, sur un pied d'égalité, dans leurs rôles respectifs.\n\n"
            "Le 8 nov. 2010 à 10:00, Jo <jo@example.org> a écrit :\n> Bonjour\n",
            html="<p>Nous soutenons <b>la coopération</b><script>x()</script></p>",
            attachments=[
                ("annex.pdf", "application/pdf", samples.pdf()),
                ("bundle.zip", "application/zip", samples.zip_of([("a.docx", samples.docx())])),
                (
                    "winmail.dat",
                    "application/ms-tnef",
                    samples.tnef("Corps", [("b.txt", b"Bonjour")]),
                ),
            ],
        ),
        comment(5, attachments=[("fw.eml", "message/rfc822", samples.forwarded())]),
        b"\n\n",
    ]
    poll(maildir(tmp_path / "Maildir", messages), store, consultation)

    def snapshot() -> list[str]:
        with store.session() as session:
            return [
                json.dumps(
                    {
                        "ref": v.submission.reference,
                        "status": v.submission.status.value,
                        "subject": v.submission.subject,
                        "body": v.submission.body_text,
                        "error": v.submission.error,
                        "language": v.submission.language,
                        "segments": v.submission.body_segments,
                        "html": v.submission.body_html,
                        "flags": v.submission.flags,
                        "parser": v.submission.parser,
                        "files": [
                            (
                                a.position,
                                a.parent_position,
                                a.name,
                                a.sha256,
                                a.size,
                                a.sniffed_type,
                                a.text,
                                a.text_status,
                                a.text_note,
                            )
                            for a in v.attachments
                        ],
                    }
                )
                for v in iter_submissions(session)
            ]

    before = snapshot()
    parsed, failed = reparse_all(store, NOW)
    assert (parsed, failed) == (5, 1)
    assert snapshot() == before
    assert len(before) == 6
    fourth = json.loads(before[3])
    assert fourth["language"] == "fr" and "quote" in fourth["segments"]
    assert [f[2] for f in fourth["files"]] == [
        "annex.pdf",
        "bundle.zip",
        "a.docx",
        "winmail.dat",
        "b.txt",
    ]
    assert [f[1] for f in fourth["files"]] == [None, None, 2, None, 4]
    assert [(f[2], f[7]) for f in fourth["files"] if f[7] != "extracted"] == []
