"""A forwarded message's own fields, as the site will show it: who sent it (a name, never
an address), when, about what, and its text.

The walk (ingest.mime) and the container readers (ingest.containers: .eml and Outlook
.msg files) find forwarded messages; each hands its decoded headers and text here,
and the record keeps the result (store.content.MessageContent), so publishing never
parses mail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from store.content import MessageContent


def message_content(sender: str, date: Any, subject: str, text: str, limit: int) -> MessageContent:
    """From decoded header values: `sender` as the From header reads (`Name <address>`),
    `date` as the Date header reads or a datetime."""
    return MessageContent(
        sender_name=sender_name(sender),
        date=_moment(date),
        subject=" ".join(subject.split()),
        text=text.strip()[:limit],
    )


def sender_name(value: str) -> str:
    """The display name of the first address in a From value; "" when it gives none."""
    if "@" not in value and "<" not in value:
        return " ".join(value.split())  # no address at all: the value is a name
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = []
    return " ".join(pairs[0][0].split()) if pairs else ""


def message_json(content: MessageContent | None) -> dict[str, Any] | None:
    """For the extraction worker's one-line answer."""
    if content is None:
        return None
    return {
        "sender_name": content.sender_name,
        "date": content.date.isoformat() if content.date else None,
        "subject": content.subject,
        "text": content.text,
    }


def message_from_json(value: Any) -> MessageContent | None:
    if not isinstance(value, dict):
        return None
    return MessageContent(
        sender_name=str(value.get("sender_name") or ""),
        date=_moment(value.get("date")),
        subject=str(value.get("subject") or ""),
        text=str(value.get("text") or ""),
    )


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                value = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
