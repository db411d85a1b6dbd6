"""Files that hold other files: ZIP archives, TNEF (winmail.dat), Outlook .msg and .eml.

Runs inside an extraction worker. Each reader returns its own text (a listing,
or the message's text) and stores the files it holds in the archive, where the
worker's caller picks them up as attachments of their own. ZIP members are read
as streams and counted as they come, never trusting the sizes a ZIP declares:
past max_unpacked_bytes, or a member that inflates more than max_unpack_ratio
times, reading stops (a zip bomb is listed, not unpacked).
"""

from __future__ import annotations

import mimetypes
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.bounds import Span, decoded_chunks
from ingest.formats import Child, Extracted, _done, _tidy
from ingest.forwarded import message_content
from ingest.settings import LimitSettings
from ingest.sniff import sniff
from store.archive import Archive

CHUNK = 1024 * 1024


@dataclass(slots=True)
class Budget:
    """What unpacking one container may still write."""

    bytes_left: int
    files_left: int


def extract_zip(path: Path, archive: Archive, limits: LimitSettings) -> Extracted:
    budget = Budget(limits.max_unpacked_bytes, limits.max_attachments)
    listing: list[str] = []
    children: list[Child] = []
    skipped: list[str] = []
    with zipfile.ZipFile(path) as bundle:
        members = bundle.infolist()
        for info in members:
            if info.is_dir():
                continue
            listing.append(f"{info.filename}  ({info.file_size:,} bytes)")
            reason = _refusal(info, budget, limits)
            if reason:
                skipped.append(f"{info.filename}: {reason}")
                continue
            child = _unpack_member(bundle, info, archive, budget, limits)
            if isinstance(child, str):
                skipped.append(f"{info.filename}: {child}")
            else:
                children.append(child)
    text = "\n".join(listing)
    if skipped:
        text += "\n\nNot unpacked:\n" + "\n".join(skipped)
    note = f"ZIP archive: {len(listing)} files listed, {len(children)} unpacked"
    if skipped:
        note += f", {len(skipped)} not unpacked (limits or encryption)"
    result = _done(text or "(empty archive)", note, limits.max_text_chars)
    result.children = children
    return result


def _refusal(info: zipfile.ZipInfo, budget: Budget, limits: LimitSettings) -> str | None:
    if info.flag_bits & 0x1:
        return "encrypted"
    if budget.files_left <= 0:
        return f"more than max_attachments ({limits.max_attachments}) files"
    if info.file_size > max(info.compress_size, 1) * limits.max_unpack_ratio:
        return f"inflates over {limits.max_unpack_ratio} times (max_unpack_ratio): a zip bomb?"
    if info.file_size > budget.bytes_left:
        return f"over max_unpacked_bytes ({limits.max_unpacked_bytes})"
    return None


def _unpack_member(
    bundle: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    archive: Archive,
    budget: Budget,
    limits: LimitSettings,
) -> Child | str:
    """Stream one member into the archive, counting real bytes against the budget."""
    allowed = min(budget.bytes_left, max(info.compress_size, 1) * limits.max_unpack_ratio)
    head = b""
    written = 0
    over = False

    def chunks() -> Iterator[bytes]:
        nonlocal head, written, over
        with bundle.open(info) as stream:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > allowed:
                    over = True
                    raise _Over
                if not head:
                    head = chunk[:65536]
                yield chunk

    try:
        sha256, size = archive.put_stream(chunks())
    except _Over:
        return "inflates past its limits (a zip bomb?); not unpacked"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        return f"unreadable ({type(exc).__name__}: {exc})"
    budget.bytes_left -= size
    budget.files_left -= 1
    name = info.filename.replace("\\", "/").rsplit("/", 1)[-1] or "file"
    return _child(name, head, sha256, size)


class _Over(Exception):
    """A ZIP member inflated past what it may."""


def extract_tnef(path: Path, archive: Archive, limits: LimitSettings) -> Extracted:
    from tnefparse import TNEF

    tnef = TNEF(path.read_bytes(), do_checksum=False)
    children: list[Child] = []
    for attachment in tnef.attachments[: limits.max_attachments]:
        data = attachment.data or b""
        name = _text(attachment.long_filename()) or _text(attachment.name) or "attachment"
        sha256 = archive.put(data)
        children.append(_child(name, data, sha256, len(data)))
    text = _tnef_text(tnef)
    names = ", ".join(c.name for c in children) or "no files"
    note = f"TNEF (winmail.dat) unpacked with tnefparse: {len(children)} files ({names})"
    if not text:
        text = "Files in this winmail.dat:\n" + "\n".join(c.name for c in children)
    result = _done(_tidy(text), note, limits.max_text_chars)
    result.children = children
    return result


def _tnef_text(tnef: object) -> str:
    from ingest.charsets import decode_text
    from ingest.text import html_to_text

    body = getattr(tnef, "body", None)
    if body:
        return _text(body) if isinstance(body, str) else decode_text(body, None).text
    html = getattr(tnef, "htmlbody", None)
    if html:
        return html_to_text(html if isinstance(html, str) else decode_text(html, None).text)
    try:
        rtf = getattr(tnef, "rtfbody", None)
    except Exception:
        rtf = None
    if isinstance(rtf, bytes) and rtf.startswith(b"{\\rtf"):
        from striprtf.striprtf import rtf_to_text

        return str(rtf_to_text(rtf.decode("latin-1"), errors="replace"))  # type: ignore[no-untyped-call]
    return ""


def extract_msg(path: Path, archive: Archive, limits: LimitSettings) -> Extracted:
    import extract_msg as outlook

    message = outlook.openMsg(str(path), strict=False)
    try:
        heading = [
            f"{label}: {value}"
            for label, value in (
                ("From", getattr(message, "sender", None)),
                ("Date", getattr(message, "date", None)),
                ("Subject", getattr(message, "subject", None)),
            )
            if value
        ]
        body = getattr(message, "body", None) or ""
        children: list[Child] = []
        for attachment in list(getattr(message, "attachments", []))[: limits.max_attachments]:
            data = getattr(attachment, "data", None)
            name = (
                getattr(attachment, "longFilename", None)
                or getattr(attachment, "shortFilename", None)
                or "attachment"
            )
            if not isinstance(data, bytes):
                continue  # an embedded message or OLE object: left in the .msg itself
            children.append(_child(str(name), data, archive.put(data), len(data)))
        sender, date, subject = (
            str(getattr(message, name, None) or "") for name in ("sender", "date", "subject")
        )
    finally:
        message.close()
    text = "\n".join(heading) + ("\n\n" if heading else "") + _tidy(str(body))
    note = f"Outlook message read with extract-msg: {len(children)} files"
    result = _done(text.strip(), note, limits.max_text_chars)
    result.children = children
    result.message = message_content(sender, date, subject, _tidy(str(body)), limits.max_text_chars)
    return result


def extract_eml(path: Path, archive: Archive, limits: LimitSettings) -> Extracted:
    from ingest.parse import parse_message

    raw = path.read_bytes()
    parsed = parse_message(raw, limits)
    children: list[Child] = []
    for attachment in parsed.attachments:
        if attachment.parent is not None:
            continue  # its own forwarded messages' files stay inside the .eml file
        if isinstance(attachment.payload, Span):
            sha256, size = archive.put_stream(
                decoded_chunks(raw, attachment.payload, attachment.encoding)
            )
        else:
            sha256, size = archive.put(attachment.payload), len(attachment.payload)
        children.append(
            Child(attachment.name, attachment.content_type, sha256, size, attachment.sniffed_type)
        )
    heading = [
        f"{label}: {value}"
        for label, value in (
            ("From", " ".join(filter(None, (parsed.sender_name, parsed.sender_address)))),
            ("Date", parsed.date.isoformat() if parsed.date else ""),
            ("Subject", parsed.subject),
        )
        if value
    ]
    text = "\n".join(heading) + ("\n\n" if heading else "") + parsed.body_text
    result = _done(
        text.strip(),
        f"email message ({parsed.parser}): {len(children)} files",
        limits.max_text_chars,
    )
    result.children = children
    result.message = message_content(
        parsed.sender_name, parsed.date, parsed.subject, parsed.body_text, limits.max_text_chars
    )
    return result


def _child(name: str, data: bytes, sha256: str, size: int) -> Child:
    """`data` is the file, or (from a ZIP stream) its first bytes."""
    sniffed = sniff(data[:65536], data)
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Child(name, guessed, sha256, size, sniffed.content_type if sniffed else None)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00").strip()
    return str(value).strip("\x00").strip() if value else ""
