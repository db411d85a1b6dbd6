"""Receipts: the reply that tells a sender their comment arrived, following RFC 3834.

Decided when the submission is judged (in that transaction), sent after the commit,
never in the way of intake: a failed send is recorded and tried again later. No
receipt goes to automatic mail (Auto-Submitted, Precedence bulk/list/junk, List-Id),
to mailer-daemon or no-reply senders, to mail marked as spam, to a reply to one of our
own receipts, or twice a day to one sender; ours carry `Auto-Submitted: auto-replied`.
The receipt goes to the From address, so the person named as author learns of a
comment sent in their name and can withdraw it.

Each receipt is one fixed message: its Message-ID derives from the submission (reference
and the SHA-256 of the raw mail) and its Date is when it was first handed to the SMTP
server. A crash after the server accepted it and before that was recorded (store.receipts:
the `sending` state) sends it again, the same message, which the sender's mail client can
tell for what it is; the resend is logged and counted.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path
from string import Template
from typing import Protocol

from ingest.errors import SmtpUnavailable
from ingest.headers import HeaderFacts, read_header_facts
from ingest.receipt_texts import TEXTS, ReceiptText
from ingest.rule_settings import IntakeRules
from ingest.screening import no_reply_sender
from ingest.smtp import SmtpSession
from store.classification import attachments_of
from store.db import Store
from store.models import Attachment, ReceiptStatus, ReceivedVia, Submission
from store.receipts import DueReceipt, claim_due, mark_failed, mark_sending, mark_sent
from store.rules import is_on_time

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
BY_OPERATOR = (ReceivedVia.OPERATOR, ReceivedVia.FORM_RECORD)


class Receiving(Protocol):
    """What deciding a receipt reads of a submission (its row, or the rules' view of it)."""

    @property
    def reference(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def sender_address(self) -> str: ...
    @property
    def language(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ReceiptDecision:
    recipient: str
    status: ReceiptStatus
    reason: str | None
    language: str
    message_id: str


@dataclass
class ReceiptReport:
    sent: int = 0
    failed: int = 0
    resent: int = 0  # sent again after a send cut off before its outcome was recorded


def decide_receipt(
    submission: Receiving,
    facts: HeaderFacts,
    rules: IntakeRules,
    *,
    spam: str | None,
    automatic: str | None,
    answers_receipt: bool,
    duplicate_of: str | None,
    recent: Callable[[str, datetime], int],
    now: datetime,
) -> ReceiptDecision:
    """Whether this email submission gets a receipt now, or why not."""
    recipient = submission.sender_address.strip()
    language = receipt_language(submission, facts, rules)
    message_id = receipt_message_id(submission, rules)
    why = _suppressed_because(
        recipient, submission, facts, rules, spam, automatic, answers_receipt, duplicate_of
    )
    if why is None and rules.receipts.per_sender_hours > 0:
        since = now - timedelta(hours=rules.receipts.per_sender_hours)
        if recent(recipient, since):
            hours = f"{rules.receipts.per_sender_hours:g}"
            why = f"this sender had a receipt in the last {hours} hours"
    status = ReceiptStatus.PENDING if why is None else ReceiptStatus.SUPPRESSED
    return ReceiptDecision(recipient.lower(), status, why, language, message_id)


def _suppressed_because(
    recipient: str,
    submission: Receiving,
    facts: HeaderFacts,
    rules: IntakeRules,
    spam: str | None,
    automatic: str | None,
    answers_receipt: bool,
    duplicate_of: str | None,
) -> str | None:
    ours = {rules.consultation.address.lower(), _from_address(rules).lower()}
    if facts.return_path == "":
        return "null Return-Path: a bounce or other automatic message"
    if not recipient or "@" not in recipient:
        return "no sender address"
    if automatic:
        return f"automatic message ({automatic}), RFC 3834"
    if facts.automatic:
        return f"{facts.automatic}, RFC 3834"
    if no_reply_sender(recipient):
        return "a no-reply or mailer-daemon sender"
    if facts.suppress_replies:
        return "the sender asked for no automatic replies (X-Auto-Response-Suppress)"
    if spam:
        return "marked as spam"
    if answers_receipt:
        return "a reply to one of our receipts"
    if recipient.lower() in ours:
        return "sent from the consultation's own address"
    if duplicate_of:
        return f"a duplicate of {duplicate_of}"
    return None


def receipt_language(submission: Receiving, facts: HeaderFacts, rules: IntakeRules) -> str:
    available = set(TEXTS) | set(_custom_templates(rules.receipts.template_dir))
    for candidate in (submission.language, facts.content_language):
        if candidate and candidate.lower() in available:
            return candidate.lower()
    return "en"


def receipt_message_id(submission: Receiving, rules: IntakeRules) -> str:
    domain = _from_address(rules).rpartition("@")[2][:200] or "mailroom.invalid"
    return f"receipt.{reference_slug(submission.reference)}.{submission.sha256[:12]}@{domain}"


def reference_slug(reference: str) -> str:
    """The site's folder name for a reference; the same rule as publish.files.reference_slug."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", reference).strip("-")


def compose_receipt(
    submission: Submission,
    attachments: list[Attachment],
    facts: HeaderFacts,
    *,
    language: str,
    message_id: str,
    recipient: str,
    rules: IntakeRules,
    now: datetime,
) -> EmailMessage:
    c = rules.consultation
    zone = c.zone
    text = TEXTS.get(language, TEXTS["en"])
    subject_template, body_template = _template(rules.receipts.template_dir, language, text)
    url = ""
    if rules.receipts.site_url:
        base = rules.receipts.site_url.rstrip("/") + "/"
        url = f"{base}submissions/{reference_slug(submission.reference)}/"
    values = {
        "title": c.title.for_language(language),
        "reference": submission.reference,
        "subject": submission.subject,
        "received": submission.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        "deadline": c.deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        "posting_date": c.posting_date.astimezone(zone).strftime("%Y-%m-%d"),
        "url": url,
        "organiser": c.organiser.for_language(language),
    }
    on_time = is_on_time(submission, c)
    values["timeliness"] = Template(text.on_time if on_time else text.late).safe_substitute(values)
    values["where"] = Template(text.where_url if url else text.where).safe_substitute(values)
    if attachments:
        lines = [text.attachments] + [
            f"  - {a.name} ({a.size:,} bytes, SHA-256 {a.sha256})" for a in attachments
        ]
        values["attachments"] = "\n".join(lines)
    else:
        values["attachments"] = text.no_attachments
    values["notice"] = _notice(rules, language, text)

    message = EmailMessage()
    from_name = rules.receipts.from_name or c.organiser
    message["From"] = formataddr((from_name.for_language(language), _from_address(rules)))
    message["To"] = recipient
    message["Subject"] = Template(subject_template).safe_substitute(values)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{message_id}>"
    if submission.message_id:
        original = f"<{submission.message_id}>"
        message["In-Reply-To"] = original
        message["References"] = f"{facts.references} {original}".strip()
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(Template(body_template).safe_substitute(values), charset="utf-8")
    message["Content-Language"] = language  # after the body: set_content drops Content-*
    return message


def send_due_receipts(store: Store, rules: IntakeRules, now: datetime) -> ReceiptReport:
    """Send what is due, a bounded number per run; every outcome is recorded."""
    report = ReceiptReport()
    if not rules.receipts_on or rules.smtp is None:
        return report
    settings = rules.receipts
    with store.session() as session:
        due = claim_due(
            session, now, max_attempts=settings.max_attempts, limit=settings.max_per_run
        )
    if not due:
        return report
    envelope_from = "" if settings.null_sender else _from_address(rules)
    unreachable: str | None = None
    with SmtpSession(rules.smtp) as smtp:
        for item in due:
            with store.reader() as session:
                submission = session.get_one(Submission, item.submission_id)
                attachments = attachments_of(session, item.submission_id)
            if item.interrupted:
                report.resent += 1
                log.warning(
                    "%s: the last send of its receipt was cut off before it was recorded; it may "
                    "have reached the sender, so it is sent again as the same message (%s)",
                    submission.reference,
                    item.message_id or "Message-ID derived again",
                )
            error, permanent = unreachable, False
            if error is None:
                error, permanent, unreachable = _send_one(
                    store, rules, smtp, submission, attachments, item, envelope_from, now
                )
            with store.session() as session:
                if error is None:
                    mark_sent(session, item.receipt_id, now)
                    report.sent += 1
                    log.info("%s: receipt sent to the sender", submission.reference)
                else:
                    retry = None if permanent else _retry_at(now, item.attempts, rules)
                    mark_failed(session, item.receipt_id, now, error, retry)
                    report.failed += 1
                    log.warning("%s: receipt not sent: %s", submission.reference, error)
                session.commit()
    return report


def _send_one(
    store: Store,
    rules: IntakeRules,
    smtp: SmtpSession,
    submission: Submission,
    attachments: list[Attachment],
    item: DueReceipt,
    envelope_from: str,
    now: datetime,
) -> tuple[str | None, bool, str | None]:
    """(error, permanent, server unreachable) for one receipt; (None, False, None) if sent."""
    facts = HeaderFacts()
    if submission.received_via not in BY_OPERATOR:
        try:
            facts = read_header_facts(store.archive.head(submission.sha256))
        except OSError:
            facts = HeaderFacts()
    try:
        smtp.open()  # an unreachable server sends nothing: no need to mark the receipt
        with store.session() as session:
            dated = mark_sending(session, item.receipt_id, now)
            session.commit()
        # The same bytes on every attempt: dated when it was first handed to the server.
        message = compose_receipt(
            submission,
            attachments,
            facts,
            language=item.language or receipt_language(submission, facts, rules),
            message_id=item.message_id or receipt_message_id(submission, rules),
            recipient=item.recipient,
            rules=rules,
            now=dated,
        )
        data = message.as_bytes(policy=SMTP)
        smtp.send(envelope_from, item.recipient, data)
    except SmtpUnavailable as exc:
        return str(exc), False, str(exc)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return f"recipient refused: {exc.recipients}", all(c >= 500 for c in codes), None
    except smtplib.SMTPResponseException as exc:
        said = exc.smtp_error
        text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
        return f"SMTP {exc.smtp_code}: {text}", exc.smtp_code >= 500, None
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}", False, None
    return None, False, None


def _retry_at(now: datetime, attempts: int, rules: IntakeRules) -> datetime | None:
    if attempts >= rules.receipts.max_attempts:
        return None
    wait: timedelta = timedelta(minutes=rules.receipts.retry_minutes) * 2 ** max(0, attempts - 1)
    return now + min(wait, MAX_BACKOFF)


def _from_address(rules: IntakeRules) -> str:
    return rules.receipts.from_address or rules.consultation.address


def _notice(rules: IntakeRules, language: str, text: ReceiptText) -> str:
    return rules.receipts.publication_notice.for_language(language) or text.notice


def _custom_templates(directory: Path | None) -> list[str]:
    if directory is None or not directory.is_dir():
        return []
    return [p.name.split(".")[1] for p in directory.glob("receipt.*.txt")]


def _template(directory: Path | None, language: str, text: ReceiptText) -> tuple[str, str]:
    """An operator's `receipt.<lang>.txt` if there is one: `Subject: ...`, blank line, body."""
    if directory is not None:
        path = directory / f"receipt.{language}.txt"
        if path.is_file():
            head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
            subject = head.strip().removeprefix("Subject:").strip()
            return subject or text.subject, body
    return text.subject, text.body
