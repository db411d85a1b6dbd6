"""Helpers for the consultation's rules: mail with the headers a receiving server writes,
and a poll of a Maildir with the rules on, returning the submissions as stored."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from ingest import MailboxSettings, poll_once
from ingest.rule_settings import IntakeRules, ModerationSettings
from store import ConsultationSettings, Store
from store.models import Submission

NEW_YORK = ZoneInfo("America/New_York")
_folders = itertools.count(1)


def mail(
    n: int,
    *,
    sender: str = "Amina Diallo",
    address: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    received: datetime | None = None,
    date: datetime | None = None,
    headers: Sequence[tuple[str, str]] = (),
    message_id: str | None = None,
    language: str | None = None,
) -> bytes:
    """A comment as the consultation's mailbox holds it: our server's Received header on top."""
    message = EmailMessage()
    for name, value in headers:
        message[name] = value
    message["From"] = f"{sender} <{address or f'sender{n}@example.org'}>"
    message["To"] = "unpan@un.org"
    message["Subject"] = subject if subject is not None else f"Comment number {n}"
    message["Date"] = format_datetime(date or datetime(2010, 11, 8, 15, 0, tzinfo=UTC))
    message["Message-ID"] = f"<{message_id or f'rules-{n}@example.org'}>"
    message.set_content(body if body is not None else f"This is comment {n}.\n")
    if language:  # after the body: set_content drops Content-* headers
        message["Content-Language"] = language
    data = message.as_bytes(policy=SMTP)
    if received is not None:
        stamp = format_datetime(received.astimezone(UTC))
        top = f"Received: from mail.example.org by mx.un.example with ESMTPS; {stamp}\r\n"
        data = top.encode() + data
    return data


def post_rules(consultation: ConsultationSettings, **moderation: object) -> IntakeRules:
    """Post-moderation unless told otherwise; any other [moderation] key as a keyword."""
    settings = ModerationSettings.model_validate({"mode": "post", **moderation})
    return IntakeRules(consultation, moderation=settings)


def maildir_of(root: Path, messages: Sequence[bytes]) -> MailboxSettings:
    """A fresh Maildir under root holding these messages, in order."""
    path = root / f"Maildir-{next(_folders)}"
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(messages, start=1):
        (path / "new" / f"{1288000000 + number}.M{number}.rules").write_bytes(data)
    return MailboxSettings(name=f"box-{path.name}", url=f"maildir:{path}")


def judge(
    root: Path,
    store: Store,
    messages: Sequence[bytes],
    rules: IntakeRules,
    now: datetime,
) -> list[Submission]:
    """Poll these messages with the rules on, the clock at `now`; the new submissions."""
    with store.reader() as session:
        before = {s for s in session.exec(select(Submission.id)) if s is not None}
    report = poll_once(
        maildir_of(root, messages),
        store,
        prefix=rules.consultation.submission_prefix,
        now=lambda: now,
        rules=rules,
    )
    assert report.errors == [], report.errors
    return [s for s in submissions(store) if s.id not in before]


def submissions(store: Store) -> list[Submission]:
    with store.reader() as session:
        return list(session.exec(select(Submission).order_by(col(Submission.number))))


def one(store: Store, reference: str) -> Submission:
    with store.reader() as session:
        return session.exec(select(Submission).where(Submission.reference == reference)).one()
