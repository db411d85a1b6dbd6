"""Raw bytes to a ParsedMessage: pure, no network, no database.

mail-parser reads the body and attachments. Headers come from the standard
library's modern parser, which decodes folded RFC 2047 words correctly where
mail-parser loses a space (see ../shared/research/env-baselines.md).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

import mailparser

from ingest.charsets import repair
from ingest.errors import UnparseableMessage
from ingest.names import safe_name, unique_names
from ingest.text import html_to_text

log = logging.getLogger(__name__)

PARSER = "mail-parser"
# mail-parser names an unnamed part with ten random letters; we name it ourselves instead.
_RANDOM_NAME = re.compile(r"^[a-z]{10}\.(rtf|txt)$")


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    name: str
    original_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    subject: str
    sender_name: str
    sender_address: str
    organisation: str
    message_id: str | None
    date: datetime | None
    body_text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parser: str = PARSER


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything a submission needs from one message; raises UnparseableMessage, nothing else."""
    if not raw.strip():
        raise UnparseableMessage("the message is empty")
    try:
        return _parse(raw)
    except UnparseableMessage:
        raise
    except Exception as exc:  # a parser bug must become a recorded error, never a crash
        log.debug("parse failed", exc_info=True)
        raise UnparseableMessage(f"{type(exc).__name__}: {exc}") from exc


def _parse(raw: bytes) -> ParsedMessage:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    assert isinstance(headers, EmailMessage)
    try:
        mail = mailparser.parse_from_bytes(raw)
    except Exception as exc:
        raise UnparseableMessage(f"mail-parser could not read the message: {exc}") from exc

    sender_name, sender_address = _sender(headers, mail)
    subject = _header_text(headers, "subject") or _clean(str(mail.subject or ""))
    plain = [part for part in mail.text_plain if part and part.strip()]
    if plain:
        body = "\n\n".join(part.strip("\n") for part in plain)
    else:
        body = "\n\n".join(html_to_text(part) for part in mail.text_html if part)
    attachments = _attachments(mail.attachments)
    if not (subject or sender_address or body.strip() or attachments):
        raise UnparseableMessage("no sender, subject, text or attachment could be read")
    defects = set(mail.defects_categories)
    fields = {
        "subject": subject,
        "sender_name": sender_name,
        "sender_address": sender_address,
        "organisation": _header_text(headers, "organization")
        or _header_text(headers, "organisation"),
        "body_text": _normalise_newlines(body).strip(),
    }
    for key, value in fields.items():
        fields[key], guessed = repair(value)
        if guessed:
            defects.add(f"CharsetGuessed:{key}")
    message_id = _message_id(headers)
    return ParsedMessage(
        **fields,
        message_id=repair(message_id)[0] if message_id else None,
        date=_date(headers),
        attachments=attachments,
        defects=sorted(defects),
    )


def _header_text(headers: EmailMessage, name: str) -> str:
    try:
        value = headers.get(name)
    except Exception:  # a header the modern parser chokes on is simply absent to us
        return ""
    return _clean(str(value)) if value is not None else ""


def _clean(value: str) -> str:
    return " ".join(value.split())


def _sender(headers: EmailMessage, mail: Any) -> tuple[str, str]:
    try:
        value = headers.get("from")
        addresses: tuple[Address, ...] = getattr(value, "addresses", ()) if value else ()
    except Exception:
        addresses = ()
    if addresses:
        first = addresses[0]
        name = _clean(first.display_name)
        address = first.addr_spec if "@" in first.addr_spec else ""
        return name, address
    for name, address in mail.from_ or []:
        return _clean(name or ""), address or ""
    return "", ""


def _message_id(headers: EmailMessage) -> str | None:
    value = _header_text(headers, "message-id")
    return value.strip("<>") or None if value else None


def _date(headers: EmailMessage) -> datetime | None:
    try:
        value = headers.get("date")
        when = getattr(value, "datetime", None) if value is not None else None
    except Exception:
        return None
    if not isinstance(when, datetime):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _attachments(items: list[dict[str, Any]]) -> list[ParsedAttachment]:
    prepared: list[tuple[str, str, str, bytes]] = []
    for position, item in enumerate(items, start=1):
        content_type = str(item.get("mail_content_type") or "application/octet-stream").lower()
        original = str(item.get("filename") or "")
        disposition = str(item.get("content-disposition") or "")
        if _RANDOM_NAME.match(original) and original not in disposition:
            original = ""
        if original and original == item.get("content-id"):
            original = original.strip("<>")
        original = repair(original)[0]
        name = safe_name(original, content_type, position)
        prepared.append((name, original, content_type, _payload(item)))
    names = unique_names([name for name, _, _, _ in prepared])
    return [
        ParsedAttachment(name, original, content_type, data)
        for name, (_, original, content_type, data) in zip(names, prepared, strict=True)
    ]


def _payload(item: dict[str, Any]) -> bytes:
    payload = item.get("payload") or ""
    if item.get("binary"):
        try:
            return base64.b64decode(payload)
        except (binascii.Error, ValueError):
            return str(payload).encode("utf-8", "surrogateescape")
    return str(payload).encode("utf-8", "surrogateescape")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
