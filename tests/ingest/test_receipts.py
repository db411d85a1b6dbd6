"""Receipts, checked as delivered to a real SMTP server on loopback: RFC 3834 followed, no
loops, at most one a day per sender, failures retried later without holding up intake."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from ingest.headers import HeaderFacts
from ingest.receipt_settings import ReceiptSettings, SmtpSettings
from ingest.receipts import compose_receipt
from ingest.rule_settings import IntakeRules, ModerationSettings
from store import ConsultationSettings, Store
from store.models import Moderation, Receipt, ReceiptStatus, Submission
from store.settings import LocalText
from tests.cli import mailroom, write_config
from tests.rules import judge, mail, one
from tests.smtp_peer import PASSWORD, USER, SmtpPeer, free_port, smtp_peer

RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2010, 11, 10, 12, 5, tzinfo=UTC)
SITE = "https://www.unpan.example/consultation/"


@pytest.fixture
def peer(tmp_path: Path) -> SmtpPeer:
    with smtp_peer(tmp_path) as running:
        yield running  # type: ignore[misc]


def receipt_rules(
    consultation: ConsultationSettings, port: int, ca_file: Path, *, security: str = "starttls"
) -> IntakeRules:
    os.environ["MAILROOM_TEST_SMTP_PASSWORD"] = PASSWORD
    return IntakeRules(
        consultation.model_copy(update={"organiser": LocalText.parse("UN DESA")}),
        moderation=ModerationSettings(mode="post"),
        receipts=ReceiptSettings(enabled=True, site_url=SITE, retry_minutes=10),
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=port,
            security=security,  # type: ignore[arg-type]
            user=USER,
            password_env="MAILROOM_TEST_SMTP_PASSWORD",
            ca_file=ca_file,
            timeout_seconds=10,
        ),
    )


def receipts(store: Store) -> list[Receipt]:
    with store.reader() as session:
        return list(session.exec(select(Receipt).order_by(Receipt.id)))


def test_a_receipt_reaches_the_sender_over_starttls_with_a_login(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, peer: SmtpPeer
) -> None:
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    (submission,) = judge(
        tmp_path,
        store,
        [
            mail(
                1,
                sender="Claire Dubois",
                address="contact@apic.example.org",
                received=RECEIVED,
                language="fr",
                message_id="apic-1@apic.example.org",
                headers=[("References", "<earlier@apic.example.org>")],
            )
        ],
        rules,
        NOW,
    )
    assert len(peer.delivered) == 1
    sent = peer.delivered[0]
    assert sent.tls and sent.authenticated_as == USER
    assert sent.mail_from == "<>"  # the null sender: a bounce of a receipt goes nowhere
    assert sent.rcpt_tos == ["contact@apic.example.org"]
    message = sent.message
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<apic-1@apic.example.org>"
    assert message["References"] == "<earlier@apic.example.org> <apic-1@apic.example.org>"
    assert message["Message-ID"].startswith("<receipt.DESA-10-3078-0001.")
    assert message["From"] == "UN DESA <unpan@un.org>"
    assert message["Subject"] == f"Commentaire reçu : {submission.reference}"
    assert message["Content-Language"] == "fr"
    body = message.get_content()
    assert submission.reference in body
    assert "avant la date limite (2010-11-15 23:59 EST)" in body
    assert "à partir du 2010-12-01" in body and f"{SITE}submissions/DESA-10-3078-0001/" in body
    assert "ANONYME" in body and "RETIRER" in body  # the publication notice, in French
    (row,) = receipts(store)
    assert (row.status, row.attempts, row.sent_at) == (ReceiptStatus.SENT, 1, NOW)
    assert one(store, submission.reference).receipt == "sent"


def test_implicit_tls_works_too_and_receipts_off_means_none(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    with smtp_peer(tmp_path, implicit_tls=True) as tls_peer:
        rules = receipt_rules(consultation, tls_peer.port, tls_peer.ca_file, security="tls")
        judge(tmp_path, store, [mail(1, received=RECEIVED)], rules, NOW)
        assert len(tls_peer.delivered) == 1 and tls_peer.delivered[0].tls
        off = IntakeRules(consultation, moderation=ModerationSettings(mode="post"))
        (quiet,) = judge(tmp_path, store, [mail(2, received=RECEIVED)], off, NOW)
        assert quiet.receipt is None and len(tls_peer.delivered) == 1


@pytest.mark.parametrize(
    ("address", "headers", "why"),
    [
        ("a@example.org", [("Auto-Submitted", "auto-generated")], "Auto-Submitted: auto-generated"),
        ("a@example.org", [("Precedence", "bulk")], "Precedence: bulk"),
        ("a@example.org", [("Precedence", "junk")], "Precedence: junk"),
        ("a@example.org", [("List-Id", "<caucus.lists.example.org>")], "List-Id"),
        ("MAILER-DAEMON@mx.example.org", [], "automatic message"),
        ("no-reply@forms.example.org", [], "no-reply or mailer-daemon sender"),
        ("noreply@example.org", [], "no-reply or mailer-daemon sender"),
        ("a@example.org", [("X-Spam-Flag", "YES")], "marked as spam"),
        ("a@example.org", [("Return-Path", "<>")], "null Return-Path"),
        ("a@example.org", [("X-Auto-Response-Suppress", "All")], "X-Auto-Response-Suppress"),
        ("unpan@un.org", [], "the consultation's own address"),
    ],
)
def test_no_receipt_to_machines_lists_or_spam(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    peer: SmtpPeer,
    address: str,
    headers: list[tuple[str, str]],
    why: str,
) -> None:
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    (submission,) = judge(
        tmp_path, store, [mail(1, address=address, received=RECEIVED, headers=headers)], rules, NOW
    )
    assert peer.delivered == []
    assert submission.receipt is not None and submission.receipt.startswith("suppressed: ")
    assert why in submission.receipt


def test_at_most_one_receipt_a_day_per_sender_and_none_for_a_duplicate(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, peer: SmtpPeer
) -> None:
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    same = "amina@example.org"
    first, duplicate, second = judge(
        tmp_path,
        store,
        [
            mail(1, address=same, received=RECEIVED, body="My comment."),
            mail(2, address=same, received=RECEIVED, body="My comment.", message_id="again@x"),
            mail(3, address=same, received=RECEIVED, body="And one more thing."),
        ],
        rules,
        NOW,
    )
    assert first.receipt == "sent" and len(peer.delivered) == 1
    assert duplicate.receipt == f"suppressed: a duplicate of {first.reference}"
    assert second.receipt == "suppressed: this sender had a receipt in the last 24 hours"
    (tomorrow,) = judge(
        tmp_path,
        store,
        [mail(4, address=same, received=RECEIVED, body="A day later.")],
        rules,
        NOW + timedelta(hours=24, minutes=1),
    )
    assert tomorrow.receipt == "sent" and len(peer.delivered) == 2


def test_an_auto_reply_to_our_receipt_gets_no_receipt_so_no_loop(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, peer: SmtpPeer
) -> None:
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    judge(tmp_path, store, [mail(1, address="away@example.org", received=RECEIVED)], rules, NOW)
    now = NOW
    for round_ in range(1, 4):  # the sender's responder answers whatever we sent last
        receipt = peer.delivered[-1].message
        now += timedelta(days=2)  # beyond the per-sender limit: only loop prevention stops it
        headers = [("In-Reply-To", receipt["Message-ID"]), ("References", receipt["Message-ID"])]
        if round_ == 1:
            headers.append(("Auto-Submitted", "auto-replied"))  # a polite responder
        (reply,) = judge(
            tmp_path,
            store,
            [
                mail(
                    10 + round_,
                    address="away@example.org",
                    subject=f"Out of office: {receipt['Subject']}",
                    body="I am away until Monday.",
                    received=now,
                    message_id=f"ooo-{round_}@example.org",
                    headers=headers,
                )
            ],
            rules,
            now,
        )
        assert reply.receipt is not None and reply.receipt.startswith("suppressed: ")
        assert reply.moderation == Moderation.PENDING  # not a comment: held for the operator
    assert len(peer.delivered) == 1


def test_a_failed_send_never_blocks_intake_and_is_retried_later(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    port = free_port()
    with smtp_peer(tmp_path) as probe:  # only for its CA; nothing listens on `port` yet
        ca_file = probe.ca_file
    rules = receipt_rules(consultation, port, ca_file)
    (stored,) = judge(tmp_path, store, [mail(1, received=RECEIVED, body="Kept.")], rules, NOW)
    assert stored.body_text == "Kept." and stored.moderation == Moderation.APPROVED
    (row,) = receipts(store)
    assert row.status == ReceiptStatus.FAILED and row.attempts == 1
    assert row.error and "127.0.0.1" in row.error
    assert row.next_attempt_at == NOW + timedelta(minutes=10)
    assert one(store, stored.reference).receipt == "failed"
    with smtp_peer(tmp_path, port=port) as peer:
        rules = receipt_rules(consultation, port, peer.ca_file)
        judge(tmp_path, store, [], rules, NOW + timedelta(minutes=5))  # not due yet
        assert peer.delivered == []
        judge(tmp_path, store, [], rules, NOW + timedelta(minutes=11))
        assert len(peer.delivered) == 1
    (row,) = receipts(store)
    assert (row.status, row.attempts) == (ReceiptStatus.SENT, 2)
    assert one(store, stored.reference).receipt == "sent"


def test_a_refused_address_is_a_permanent_failure(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, peer: SmtpPeer
) -> None:
    peer.handler.refuse.add("gone@example.org")
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    judge(tmp_path, store, [mail(1, address="gone@example.org", received=RECEIVED)], rules, NOW)
    (row,) = receipts(store)
    assert row.status == ReceiptStatus.FAILED and row.next_attempt_at is None
    assert "550" in (row.error or "")


def test_a_reply_asking_to_withdraw_is_applied_in_one_command(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    peer: SmtpPeer,
    database: str,
) -> None:
    rules = receipt_rules(consultation, peer.port, peer.ca_file)
    (original,) = judge(
        tmp_path,
        store,
        [mail(1, address="jl@example.net", received=RECEIVED, body="My view on it.")],
        rules,
        NOW,
    )
    receipt = peer.delivered[0].message
    quoted = "\n".join(f"> {line}" for line in receipt.get_content().splitlines())
    (reply,) = judge(
        tmp_path,
        store,
        [
            mail(
                2,
                address="jl@example.net",
                subject=f"Re: {receipt['Subject']}",
                body=f"Please withdraw my comment.\n\n{quoted}\n",
                received=NOW + timedelta(hours=1),
                headers=[("In-Reply-To", receipt["Message-ID"])],
            )
        ],
        rules,
        NOW + timedelta(hours=1),
    )
    assert (reply.request_for_id, reply.request_kind) == (original.id, "withdraw")
    assert reply.receipt == "suppressed: a reply to one of our receipts"
    config = write_config(tmp_path, database=database)
    config.write_text(
        config.read_text().replace('archive = "archive"', f'archive = "{store.archive.root}"')
    )
    listed = mailroom("requests", "--config", str(config))
    assert f"{reply.reference}: withdraw for {original.reference}" in listed.stdout
    applied = mailroom("apply-request", reply.reference, "--by", "clerk", "--config", str(config))
    assert applied.returncode == 0, applied.stderr
    assert one(store, original.reference).moderation == Moderation.WITHDRAWN
    assert one(store, reply.reference).moderation == Moderation.HIDDEN
    history = json.loads(
        mailroom("history", original.reference, "--json", "--config", str(config)).stdout
    )
    assert history[-1]["action"] == "withdraw" and history[-1]["by"] == "clerk"
    assert reply.reference in history[-1]["reason"]


def test_a_receipt_in_each_language_names_the_consultation_in_that_language(
    consultation: ConsultationSettings,
) -> None:
    titles = {"en": "Consultations on enhanced cooperation", "fr": "Consultations (fr)"}
    consultation = consultation.model_copy(
        update={"title": LocalText.parse(titles), "organiser": LocalText.parse({"fr": "DAES"})}
    )
    rules = IntakeRules(
        consultation,
        receipts=ReceiptSettings.model_validate(
            {"enabled": True, "publication_notice": {"ru": "Публикуется с вашим именем."}}
        ),
    )
    submission = Submission(
        reference="DESA-10-3078/0001", subject="Comment", received_at=RECEIVED, sha256="0" * 64
    )
    sent = {
        language: compose_receipt(
            submission,
            [],
            HeaderFacts(),
            language=language,
            message_id="receipt.1@un.org",
            recipient="a@example.org",
            rules=rules,
            now=NOW,
        )
        for language in ("en", "fr", "es", "ru")
    }
    assert f"« {titles['fr']} »" in sent["fr"].get_content()
    assert f'"{titles["en"]}"' in sent["en"].get_content()
    assert f"«{titles['en']}»" in sent["es"].get_content()  # no Spanish title: the English
    assert all(m["From"] == "DAES <unpan@un.org>" for m in sent.values())  # the only organiser
    assert all("Публикуется с вашим именем." in m.get_content() for m in sent.values())
