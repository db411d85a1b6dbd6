"""Raw bytes to a ParsedMessage: pure, no network, no database.

Three paths, tried in order, and the one taken is recorded (`parser`):
- `mail-parser`: mail-parser reads the message (its MIME tree and defects);
- `email`: where mail-parser raises (some broken multiparts make it fail), the
  standard library's parser reads it instead;
- `repaired`: where neither finds any text, boundary lines with trailing junk
  (which RFC 2046 allows and both parsers miss) are cut back and it is read
  again; failing that, the body's lines that are not MIME scaffolding.
Either way our own walk (ingest.mime) decides what is text and what is a file.
Headers come from the standard library's modern parser, which decodes folded
RFC 2047 words correctly where mail-parser loses a space.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from typing import Any

import mailparser

from ingest.bounds import HEAD_BYTES, Bounded, Span, bound, decoded_head
from ingest.charsets import codec_for, repair
from ingest.errors import UnparseableMessage
from ingest.mime import FoundFile, FoundText, Walk
from ingest.names import checked_name, safe_name, unique_names
from ingest.settings import LimitSettings
from ingest.sniff import sniff
from ingest.text import sanitise_html
from store.content import MessageContent

log = logging.getLogger(__name__)
# mail-parser logs a warning for every content type it does not handle itself; we do.
logging.getLogger("mailparser").setLevel(logging.ERROR)

PARSER = "mail-parser"
FALLBACK = "email"
REPAIRED = "repaired"

_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.I)
_CHARSET = re.compile(rb"""charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})""", re.I)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SCAFFOLD = re.compile(
    r"^(--\S*|content-[a-z-]+\s*:.*|mime-version\s*:.*|\s+boundary=.*)$", re.I | re.M
)


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    """A file that came with the message: a safe name, what it claims and what it is."""

    name: str
    original_name: str
    content_type: str
    sniffed_type: str | None
    payload: bytes | Span  # decoded bytes, or a span of the raw message still to decode
    encoding: str = ""
    charset: str | None = None
    parent: int | None = None  # index (in `attachments`) of the forwarded message it came in
    text: str | None = None  # already read by the walk (a forwarded message)
    text_note: str | None = None
    name_note: str | None = None  # why the name differs from the sender's
    message: MessageContent | None = None  # a forwarded message's own fields


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    subject: str
    sender_name: str
    sender_address: str
    organisation: str
    message_id: str | None
    date: datetime | None
    body_text: str
    body_html: str | None = None  # the HTML body, through the allowlist sanitiser
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    parser: str = PARSER
    size: int = 0
    bounded: Bounded | None = None  # where cut-out bodies are in the raw message

    @property
    def too_large(self) -> bool:
        return any(flag.startswith("message of ") for flag in self.flags)


def parse_message(raw: bytes, limits: LimitSettings | None = None) -> ParsedMessage:
    """Everything a submission needs from one message; raises UnparseableMessage, nothing else."""
    if not raw.strip():
        raise UnparseableMessage("the message is empty")
    try:
        return _parse(raw, limits or LimitSettings())
    except UnparseableMessage:
        raise
    except Exception as exc:  # a parser bug must become a recorded error, never a crash
        log.debug("parse failed", exc_info=True)
        raise UnparseableMessage(f"{type(exc).__name__}: {exc}") from exc


def _parse(raw: bytes, limits: LimitSettings) -> ParsedMessage:
    bounded = bound(raw, limits)
    flags = list(bounded.flags)
    if len(raw) > limits.max_message_bytes:
        flags.append(
            f"message of {len(raw)} bytes, over max_message_bytes ({limits.max_message_bytes}): "
            "its text is read, its files are kept but not read"
        )
    headers = BytesHeaderParser(policy=policy.default).parsebytes(_header_block(bounded.data))
    assert isinstance(headers, EmailMessage)
    hint = _declared_charset(bounded.data)
    defects: set[str] = set()
    tree, parser = _tree(bounded.data, defects)
    walk = Walk(bounded, raw, limits, hint)
    found = walk.message(tree)
    broken = not _has_content(found, walk) or _unsplit(tree)
    if broken and not walk.too_deep and _boundaries(bounded.data):
        repaired = _repair_boundaries(bounded.data)
        if repaired != bounded.data:
            second = Walk(bounded, raw, limits, hint)
            again = second.message(email.message_from_bytes(repaired, policy=policy.compat32))
            if _has_content(again, second):
                walk, found, parser = second, again, REPAIRED
        if not _has_content(found, walk):
            text = _scaffold_free_text(bounded.data, hint)
            if text:
                found = FoundText(plain=[text])
                parser = REPAIRED
    defects.update(f"CharsetGuessed:body_text ({note})" for note in dict.fromkeys(found.notes))
    read = _Headers(headers, hint)
    sender_name, sender_address = _sender(read)
    fields = {
        "subject": read.text("subject"),
        "sender_name": sender_name,
        "sender_address": sender_address,
        "organisation": read.text("organization") or read.text("organisation"),
        "body_text": found.body().replace("\r\n", "\n").replace("\r", "\n").strip(),
    }
    for key, value in fields.items():
        fields[key], guessed = repair(value, hint)
        if guessed or (
            key in read.guessed or (key.startswith("sender") and "from" in read.guessed)
        ):
            defects.add(f"CharsetGuessed:{key}")
    if not (fields["subject"] or fields["sender_address"] or fields["body_text"] or walk.files):
        raise UnparseableMessage("no sender, subject, text or attachment could be read")
    message_id = read.text("message-id").strip("<>") or None
    html = next((part for part in found.html if part.strip()), None)
    return ParsedMessage(
        **fields,
        message_id=repair(message_id)[0] if message_id else None,
        date=_date(read),
        body_html=sanitise_html(html) if html is not None else None,
        attachments=_attachments(walk.files, raw),
        defects=sorted(defects),
        flags=flags + walk.flags,
        parser=parser,
        size=len(raw),
        bounded=bounded,
    )


def _attachments(files: list[FoundFile], raw: bytes) -> list[ParsedAttachment]:
    """Names made safe and unique, each checked against what the content really is."""
    prepared = []
    for position, found in enumerate(files, start=1):
        original, _ = repair(found.original_name)
        head = (
            decoded_head(raw, found.payload, found.encoding, HEAD_BYTES)
            if isinstance(found.payload, Span)
            else found.payload
        )
        sniffed = sniff(head, None if isinstance(found.payload, Span) else found.payload)
        name, note = checked_name(safe_name(original, found.content_type, position), sniffed)
        prepared.append((name, original, sniffed, note, found))
    names = unique_names([name for name, *_ in prepared])
    return [
        ParsedAttachment(
            name=name,
            original_name=original,
            content_type=found.content_type,
            sniffed_type=sniffed.content_type if sniffed else None,
            payload=found.payload,
            encoding=found.encoding,
            charset=found.charset,
            parent=found.parent,
            text=found.text,
            text_note=found.text_note,
            name_note=note,
            message=found.message,
        )
        for name, (_, original, sniffed, note, found) in zip(names, prepared, strict=True)
    ]


def _tree(data: bytes, defects: set[str]) -> tuple[Message, str]:
    """The MIME tree from mail-parser; from the standard library where mail-parser fails."""
    try:
        mail = mailparser.parse_from_bytes(data)
        tree = mail.message
        defects.update(str(d) for d in mail.defects_categories)
        if isinstance(tree, Message):
            return tree, PARSER
        raise TypeError("mail-parser gave no message")
    except Exception as exc:
        log.debug("mail-parser failed; using the email package", exc_info=True)
        defects.add(f"ParserFallback:mail-parser {type(exc).__name__}: {str(exc)[:200]}")
    return email.message_from_bytes(data, policy=policy.compat32), FALLBACK


def _unsplit(tree: Message) -> bool:
    """A multipart whose boundaries the parser never found: its parts are one blob of text."""
    return any(
        part.get_content_maintype() == "multipart" and not part.is_multipart()
        for part in tree.walk()
    )


def _has_content(found: FoundText, walk: Walk) -> bool:
    return bool(walk.files) or any(p.strip() for p in found.plain + found.html)


def _boundaries(data: bytes) -> list[bytes]:
    found = {(m.group(1) or m.group(2)) for m in _BOUNDARY.finditer(data)}
    return sorted(found, key=len, reverse=True)


def _repair_boundaries(data: bytes) -> bytes:
    """Boundary lines followed by junk, cut back to the boundary (RFC 2046, section 5.1.1)."""
    boundaries = _boundaries(data)

    def fix(match: re.Match[bytes]) -> bytes:
        line = match.group(0)
        for boundary in boundaries:
            delimiter = b"--" + boundary
            if line.startswith(delimiter):
                closing = line[len(delimiter) :].startswith(b"--")
                return delimiter + (b"--" if closing else b"")
        return line

    return re.sub(rb"(?m)^--[^\r\n]*", fix, data)


def _scaffold_free_text(data: bytes, hint: str | None) -> str:
    """The last resort: the body's lines, less boundary lines and part headers."""
    match = re.search(rb"\r?\n\r?\n", data)
    if match is None:
        return ""
    codec = codec_for(hint) or "utf-8"
    body = data[match.end() :].decode(codec, "replace")
    text = _SCAFFOLD.sub("", body)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()).strip()


def _header_block(data: bytes) -> bytes:
    match = re.search(rb"\r?\n\r?\n", data)
    return data[: match.end()] if match else data


def _declared_charset(data: bytes) -> str | None:
    """The first charset the message declares: 8-bit headers are usually in it."""
    for match in _CHARSET.finditer(data[:65536]):
        label = match.group(1).decode("ascii").lower()
        if codec_for(label) not in (None, "ascii", "utf-8"):
            return label
    return None


class _Headers:
    """The top headers, decoded. Raw 8-bit bytes (no RFC 2047) are read in the message's
    declared charset, or guessed, before the header is parsed: the email package would turn
    them into U+FFFD. Which headers needed that is remembered (`guessed`)."""

    def __init__(self, headers: EmailMessage, hint: str | None) -> None:
        self.headers = headers
        self.hint = hint
        self.guessed: set[str] = set()

    def get(self, name: str) -> Any:
        raw = next((v for k, v in self.headers.raw_items() if k.lower() == name), None)
        if raw is None:
            return None
        try:
            if not _SURROGATE.search(str(raw)):
                return self.headers.get(name)
            text, guessed = repair(str(raw), self.hint)
            if guessed:
                self.guessed.add(name)
            return policy.default.header_factory(name, " ".join(text.split()))
        except Exception:  # a header the modern parser chokes on is simply absent to us
            return None

    def text(self, name: str) -> str:
        value = self.get(name)
        return " ".join(str(value).split()) if value is not None else ""


def _sender(read: _Headers) -> tuple[str, str]:
    try:
        value = read.get("from")
        addresses: tuple[Address, ...] = getattr(value, "addresses", ()) if value else ()
    except Exception:
        addresses = ()
    if addresses:
        first = addresses[0]
        name = " ".join(first.display_name.split())
        address = first.addr_spec if "@" in first.addr_spec else ""
        return name, address
    raw = read.text("from")
    found = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", raw)
    return (raw.replace(found.group(0), "").strip(" <>\"'") if found else raw), (
        found.group(0) if found else ""
    )


def _date(read: _Headers) -> datetime | None:
    try:
        value = read.get("date")
        when = getattr(value, "datetime", None) if value is not None else None
    except Exception:
        return None
    if not isinstance(when, datetime):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
