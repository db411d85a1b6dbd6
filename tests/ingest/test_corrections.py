"""Corrections and additions: a later message from the same sender linked to the comment it
replaces or adds to; counted once; the operator confirms, undoes or makes the link."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select

from ingest.classification import classify_pending
from ingest.corrections import document_stem, read_hint
from publish.due import PUBLIC
from store import ConsultationSettings, Store
from store.corrections import CorrectionError, decide, link_of, links_of
from store.models import ModerationEvent, ReceiptStatus, Submission
from store.queries import count_submissions
from store.receipts import create_receipt
from tests.rules import judge, mail, post_rules

RECEIVED = datetime(2010, 11, 8, 15, 0, tzinfo=UTC)
NOW = datetime(2010, 11, 20, 12, 0, tzinfo=UTC)
ALICE = "policy@apic.example.org"


def with_file(data: bytes, name: str, text: str) -> bytes:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    message.add_attachment(text.encode(), maintype="text", subtype="plain", filename=name)
    return message.as_bytes()


@pytest.mark.parametrize(
    ("subject", "opening", "kind"),
    [
        ("Corrected version of our comments", "", "replaces"),
        ("Revised submission", "", "replaces"),
        ("Version corrigée de notre contribution", "", "replaces"),
        ("Versión corregida", "", "replaces"),
        ("Исправленная версия", "", "replaces"),
        ("النسخة المصححة من مساهمتنا", "", "replaces"),
        ("意见更正", "", "replaces"),
        ("Addendum to our submission", "", "adds"),
        ("Re: our comments", "On reflection we would like to add one point.", "adds"),
        ("Complément à notre contribution", "", "adds"),
        ("Adenda", "", "adds"),
        ("Дополнение к предложениям", "", "adds"),
        ("إضافة إلى مساهمتنا", "", "adds"),
        ("补充意见", "", "adds"),
    ],
)
def test_the_words_in_six_languages(subject: str, opening: str, kind: str) -> None:
    hint = read_hint(subject, opening, replies=False)
    assert hint is not None and hint.kind == kind


def test_what_is_not_a_correction() -> None:
    assert (
        read_hint("Comments on enhanced cooperation", "We support the IGF.", replies=False) is None
    )
    reply = read_hint("Re: Acknowledgement of your submission", "Thank you.", replies=False)
    assert reply is not None and reply.kind is None  # a reply, but no word of correcting
    assert document_stem("Position paper v2 (final).PDF") == document_stem("position_paper.pdf")
    assert document_stem("Annex 2.docx") != document_stem("Annex 3.docx")


def test_links_count_once_and_the_operator_decides(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = post_rules(consultation)
    original = with_file(
        mail(1, address=ALICE, subject="APIC comments", body="Our comments are attached.\n",
             received=RECEIVED, message_id="orig@apic.example.org"),
        "APIC position.txt", "Enhanced cooperation must include civil society.",
    )  # fmt: skip
    corrected = with_file(
        mail(2, address=ALICE, subject="APIC comments (corrected version)",
             body="Please use this corrected version.\n", received=RECEIVED),
        "APIC position v2.txt", "Enhanced cooperation must include civil society and users.",
    )  # fmt: skip
    addition = mail(
        3, address=ALICE, subject="Re: APIC comments",
        body="We would like to add one point: meetings should be webcast.\n",
        headers=(("In-Reply-To", "<orig@apic.example.org>"),), received=RECEIVED,
    )  # fmt: skip
    chatter = mail(
        4, address=ALICE, subject="Re: APIC comments", body="Did you receive it?\n",
        headers=(("In-Reply-To", "<orig@apic.example.org>"),), received=RECEIVED,
    )  # fmt: skip
    stranger = mail(
        5, address="someone@else.example.org", subject="Corrected version", received=RECEIVED
    )
    first, second, third, fourth, fifth = judge(
        tmp_path, store, [original, corrected, addition, chatter, stranger], rules, NOW
    )
    with store.reader() as session:
        replaced = link_of(session, second.id or 0)
        added = link_of(session, third.id or 0)
        assert replaced is not None and added is not None
        assert (replaced.earlier_id, replaced.kind, replaced.state) == (
            first.id,
            "replaces",
            "suggested",
        )
        assert "corrected version" in replaced.reason and "APIC position.txt" in replaced.reason
        # The addition adds to the comment it answers, not to the correction sent since.
        assert (added.earlier_id, added.kind) == (first.id, "adds")
        assert link_of(session, fourth.id or 0) is None  # a reply that says nothing of it
        assert link_of(session, fifth.id or 0) is None  # another sender's correction
        # Five messages, three comments as the public counts them: the correction stands for
        # the first, the addition is shown with it, the question and the stranger count.
        assert count_submissions(session, visibility=PUBLIC) == 3
    classify_pending(store, rules, NOW, redo=True)  # the rules again: the same links
    with store.session() as session:
        later = session.get_one(Submission, third.id)
        link = decide(session, later, state="undone", by="clerk", at=NOW, reason="a new comment")
        assert link.state == "undone"
        chat = session.get_one(Submission, fourth.id)
        decide(session, chat, state="confirmed", by="clerk", at=NOW,
               earlier=session.get_one(Submission, first.id), kind="adds")  # fmt: skip
        with pytest.raises(CorrectionError):
            decide(session, session.get_one(Submission, first.id), state="confirmed", by="clerk",
                   at=NOW, earlier=session.get_one(Submission, fifth.id), kind="adds")  # fmt: skip
        session.commit()
    classify_pending(store, rules, NOW, redo=True)  # the operator's word stays
    with store.reader() as session:
        assert (link_of(session, third.id or 0) or pytest.fail()).state == "undone"
        assert (link_of(session, fourth.id or 0) or pytest.fail()).state == "confirmed"
        assert count_submissions(session, visibility=PUBLIC) == 3  # 2, 3 and 5 now; 4 adds
        assert len(links_of(session, first.id or 0)) == 3
        history = list(
            session.exec(
                select(ModerationEvent.by, ModerationEvent.reason).where(
                    ModerationEvent.submission_id == third.id,
                    ModerationEvent.action == "correction",
                )
            )
        )
        assert [by for by, _ in history] == ["mailroom (rules)", "clerk"]
        assert "adds to" in (history[0][1] or "") and "undone" in (history[1][1] or "")


def test_a_reply_to_the_receipt_that_adds_a_point(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = post_rules(consultation)
    (first,) = judge(tmp_path, store, [mail(1, address=ALICE, received=RECEIVED)], rules, NOW)
    with store.session() as session:
        create_receipt(
            session, session.get_one(Submission, first.id), recipient=ALICE,
            status=ReceiptStatus.SENT, reason=None, language="en",
            message_id="ack-1@un.example", now=NOW,
        )  # fmt: skip
        session.commit()
    reply = mail(
        2, address=ALICE, subject="Re: Acknowledgement of your submission",
        body="On reflection we would like to add one point: publish the drafts.\n",
        headers=(("In-Reply-To", "<ack-1@un.example>"),), received=RECEIVED,
    )  # fmt: skip
    withdraw = mail(
        3, address=ALICE, subject="Re: Acknowledgement of your submission",
        body="Please withdraw my comment.\n",
        headers=(("In-Reply-To", "<ack-1@un.example>"),), received=RECEIVED,
    )  # fmt: skip
    added, request = judge(tmp_path, store, [reply, withdraw], rules, NOW)
    assert added.request_for_id is None  # not a request to apply: an addition
    assert (request.request_for_id, request.request_kind) == (first.id, "withdraw")
    with store.reader() as session:
        link = link_of(session, added.id or 0)
        assert link is not None and (link.earlier_id, link.kind) == (first.id, "adds")
        assert f"a reply to the receipt for {first.reference}" in link.reason
        assert link_of(session, request.id or 0) is None
