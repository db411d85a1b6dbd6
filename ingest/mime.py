"""The walk over a parsed MIME tree: which parts are the comment's text, which are files.

Our own walk, not mail-parser's list, because a comment's structure matters: a
forwarded message (message/rfc822) is one file with its own text and its own
attachments under it, where mail-parser flattens it into the outer message.
Limits are kept here: nesting deeper than max_depth and files beyond
max_attachments are left in the raw message, and the submission says so.
"""

from __future__ import annotations

import binascii
import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32

from ingest.bounds import Bounded, Span, decoded_head
from ingest.charsets import Decoded, decode_text, repair
from ingest.forwarded import message_content
from ingest.names import decode_words, part_filename, raw_header
from ingest.settings import LimitSettings
from ingest.text import html_to_text
from store.content import MessageContent

BODY_TYPES = ("text/plain", "text/html")
REPORT_TYPES = ("message/delivery-status", "message/disposition-notification")
MESSAGE_TYPES = ("message/rfc822", "message/global")
_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


@dataclass(slots=True)
class FoundFile:
    """An attachment as the walk found it; `payload` is its decoded bytes or a span of raw."""

    original_name: str
    content_type: str
    payload: bytes | Span
    encoding: str = ""
    charset: str | None = None
    parent: int | None = None  # index of the forwarded message it came in
    text: str | None = None  # set by the walk itself for forwarded messages
    text_note: str | None = None
    message: MessageContent | None = None  # a forwarded message's own fields


@dataclass(slots=True)
class FoundText:
    """One message's readable text, from its text/plain parts, else its HTML parts."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def body(self) -> str:
        plain = [part.strip("\n") for part in self.plain if part.strip()]
        if plain:
            return "\n\n".join(plain)
        return "\n\n".join(html_to_text(part) for part in self.html if part.strip())


@dataclass(slots=True)
class Walk:
    """Walks one message and everything nested in it; collects files, notes and flags."""

    bounded: Bounded
    raw: bytes
    limits: LimitSettings
    hint: str | None = None  # the message's declared charset, for undeclared parts
    files: list[FoundFile] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    _flagged: set[str] = field(default_factory=set)

    @property
    def too_deep(self) -> bool:
        return "depth" in self._flagged

    def message(self, message: Message, depth: int = 0, parent: int | None = None) -> FoundText:
        found = FoundText()
        self._part(message, depth, parent, found, top=True)
        return found

    def _part(
        self, part: Message, depth: int, parent: int | None, found: FoundText, *, top: bool = False
    ) -> None:
        if depth > self.limits.max_depth:
            self._flag(
                "depth",
                f"MIME parts nested deeper than max_depth ({self.limits.max_depth}); "
                "the deeper parts are in the raw message only",
            )
            return
        content_type = _content_type(part)
        payload = part.get_payload()
        if isinstance(payload, list):
            if content_type in MESSAGE_TYPES and payload and isinstance(payload[0], Message):
                self._forwarded(part, _inner(part, payload[0]), depth, parent)
            elif content_type in REPORT_TYPES:
                found.plain.append("\n".join(_report_block(p) for p in payload))
            else:
                for child in payload:
                    if isinstance(child, Message):
                        self._part(child, depth + 1, parent, found)
            return
        disposition = (part.get_content_disposition() or "").lower()
        name = part_filename(part, self.hint)
        if not top and (disposition == "attachment" or name):
            self._file(part, content_type, name, parent)
        elif content_type in BODY_TYPES or content_type.startswith("multipart/"):
            self._text(part, content_type, found)
        elif content_type.startswith("text/") and top:
            self._text(part, "text/plain", found)
        else:
            self._file(part, content_type, name, parent)

    def _text(self, part: Message, content_type: str, found: FoundText) -> None:
        decoded = self._decode(part)
        if decoded.note:
            found.notes.append(decoded.note)
        if content_type == "text/html":
            found.html.append(decoded.text)
        else:  # text/plain, or a multipart whose boundaries never came: its text as it is
            found.plain.append(decoded.text.replace("\r\n", "\n").replace("\r", "\n"))

    def _decode(self, part: Message) -> Decoded:
        charset = part.get_param("charset")
        declared = charset if isinstance(charset, str) else None
        span = self.bounded.span_of(str(part.get_payload()))
        if span is not None:
            cap = self.limits.max_text_chars * 4
            data = decoded_head(self.raw, span, _encoding(part), cap)
            if span.end - span.start > cap:
                self._flag("long-text", "a text part longer than max_text_chars was cut")
        else:
            data = _payload_bytes(part)
        return decode_text(data, declared or self.hint)

    def _file(self, part: Message, content_type: str, name: str, parent: int | None) -> None:
        if not self._room():
            return
        span = self.bounded.span_of(str(part.get_payload()))
        charset = part.get_param("charset")
        self.files.append(
            FoundFile(
                original_name=name,
                content_type=content_type,
                payload=span if span is not None else _payload_bytes(part),
                encoding=_encoding(part),
                charset=charset if isinstance(charset, str) else None,
                parent=parent,
            )
        )

    def _forwarded(self, part: Message, inner: Message, depth: int, parent: int | None) -> None:
        """A forwarded message: one file (.eml) whose text is its headers and body, its own
        attachments listed under it."""
        if not self._room():
            return
        index = len(self.files)
        subject = _header(inner, "subject", self.hint)
        name = part_filename(part, self.hint) or f"{subject[:80] or 'forwarded message'}.eml"
        entry = FoundFile(
            original_name=name,
            content_type=_content_type(part),
            payload=_message_bytes(inner),
            parent=parent,
        )
        self.files.append(entry)
        text = self._part_text(inner, depth + 1, index)
        heading = [
            f"{label}: {value}"
            for label, key in (("From", "from"), ("Date", "date"), ("Subject", "subject"))
            if (value := _header(inner, key, self.hint))
        ]
        entry.text = "\n".join(heading) + ("\n\n" if heading else "") + text
        entry.text_note = "attached message: its headers and text"
        entry.message = message_content(
            _header(inner, "from", self.hint),
            _header(inner, "date", self.hint),
            subject,
            text,
            self.limits.max_text_chars,
        )

    def _part_text(self, inner: Message, depth: int, index: int) -> str:
        found = FoundText()
        self._part(inner, depth, index, found, top=True)
        return found.body()

    def _room(self) -> bool:
        if len(self.files) < self.limits.max_attachments:
            return True
        self._flag(
            "count",
            f"more than max_attachments ({self.limits.max_attachments}) files; "
            "the rest are in the raw message only",
        )
        return False

    def _flag(self, key: str, reason: str) -> None:
        if key not in self._flagged:
            self._flagged.add(key)
            self.flags.append(reason)


def _inner(part: Message, parsed: Message) -> Message:
    """The attached message; some mailers base64-encode it (RFC 2046 forbids it; they do)."""
    if _encoding(part) not in ("base64", "quoted-printable"):
        return parsed
    try:
        encoded = parsed.as_bytes()
        data = (
            binascii.a2b_base64(encoded)
            if _encoding(part) == "base64"
            else binascii.a2b_qp(encoded)
        )
    except (binascii.Error, ValueError):
        return parsed
    return email.message_from_bytes(data, policy=compat32)


def _content_type(part: Message) -> str:
    """type/subtype only: a header missing its `;` must not carry its parameters along."""
    try:
        declared = part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"
    match = _TYPE.match(declared)
    return match.group(0) if match else "application/octet-stream"


def _encoding(part: Message) -> str:
    return str(part.get("content-transfer-encoding", "") or "").strip().lower()


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: the bytes as they came
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return str(payload).encode("utf-8", "surrogateescape") if payload else b""


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:
        return str(message).encode("utf-8", "surrogateescape")


def _header(message: Message, name: str, hint: str | None) -> str:
    try:
        value = raw_header(message, name, hint)
    except Exception:
        return ""
    if value is None:
        return ""
    return " ".join(decode_words(value, hint).split())


def _report_block(block: Message | object) -> str:
    """A delivery report's block of fields, as the lines they are."""
    if not isinstance(block, Message):
        return str(block)
    return "\n".join(f"{key}: {repair(str(value))[0]}" for key, value in block.items())
