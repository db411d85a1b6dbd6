"""Attachment names are sender data: made safe to show, never used as a path by themselves."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from email.header import decode_header, make_header
from email.message import Message

from ingest.charsets import repair
from ingest.sniff import Sniffed

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
MAX_NAME = 120


def safe_name(original: str | None, content_type: str, position: int) -> str:
    """A display name without path parts, control characters, reserved names or odd spacing."""
    name = unicodedata.normalize("NFC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cs", "Co"))
    name = " ".join(name.split()).strip(". ")
    if _RESERVED.match(name):
        name = f"_{name}"
    if not name:
        extension = mimetypes.guess_extension(content_type or "") or ".bin"
        name = f"attachment-{position}{extension}"
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
        else:
            name = name[:MAX_NAME]
    return name


def unique_names(names: list[str]) -> list[str]:
    """Same name twice in one submission: the second becomes `name (2).ext`."""
    taken: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            stem, dot, extension = name.rpartition(".")
            candidate = f"{stem} ({n}).{extension}" if dot and stem else f"{name} ({n})"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def part_filename(part: Message, hint: str | None = None) -> str:
    """The name a MIME part carries: RFC 2231 (with charset and continuations) from
    Content-Disposition or Content-Type, and RFC 2047 words inside it, as Outlook writes."""
    try:
        name = _readable(part).get_filename() or _readable(part).get_param("name") or ""
    except Exception:  # a broken parameter is no name, never a crash
        return ""
    if isinstance(name, tuple):  # an RFC 2231 value the stdlib could not collapse
        name = str(name[2])
    return decode_words(str(name), hint)


def raw_header(part: Message, name: str, hint: str | None = None) -> str | None:
    """A header as sent, its 8-bit bytes read as their charset. (The email package's compat32
    policy would turn them into U+FFFD, losing a Chinese or Cyrillic file name for good.)"""
    for key, value in part.raw_items():
        if key.lower() == name:
            return repair(str(value), hint)[0]
    return None


def _readable(part: Message) -> Message:
    """The part's Content-Type and Content-Disposition, with 8-bit bytes decoded."""
    headers = Message()
    for key in ("content-type", "content-disposition"):
        value = raw_header(part, key)
        if value is not None:
            headers[key] = value
    return headers


def decode_words(value: str, hint: str | None = None) -> str:
    """RFC 2047 encoded words in a value; undecodable bytes read as `hint`, or guessed."""
    value, _ = repair(value, hint)
    if "=?" not in value:
        return value
    try:
        decoded = str(make_header(decode_header(value)))
    except Exception:  # an unknown charset or broken word: keep the value as written
        return value
    return repair(decoded, hint)[0]


def checked_name(name: str, sniffed: Sniffed | None) -> tuple[str, str | None]:
    """The name with an extension that says what the content is, and a note when it did not.

    "report.pdf" that holds HTML becomes "report.pdf.html": the site then serves
    it as the HTML it is (a download), never under a harmless-looking name.
    """
    if sniffed is None or sniffed.extension is None:
        return name, None
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if extension in sniffed.extensions:
        return name, None
    fixed = f"{name}.{sniffed.extension}"
    if len(fixed) > MAX_NAME:
        fixed = f"{name[: MAX_NAME - len(sniffed.extension) - 1]}.{sniffed.extension}"
    if not extension:
        return fixed, f"no extension; the content is {sniffed.content_type}"
    return fixed, f"named .{extension} but the content is {sniffed.content_type}"
