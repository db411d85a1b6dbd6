"""From raw bytes to what the store saves: parse, keep the files, read their text, mark the rest.

No database here (the store saves the result): the archive takes each file's
bytes (a big one streamed from its span of the raw message), the extraction
pool reads their text, and files found inside files (ZIP members, the files of
a winmail.dat) become attachments of their own, a level at a time, up to
max_archive_depth. Work is done for several messages at once so the pool's
workers are kept busy. The result depends only on the bytes and the limits: a
reparse yields the same records (only extraction_seconds differs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.bounds import decoded_chunks, restored_chunks
from ingest.extraction import ExtractorPool, Outcome, Task
from ingest.formats import kind_of
from ingest.language import detect_language, enough_letters
from ingest.names import checked_name, safe_name, unique_names
from ingest.parse import ParsedAttachment, ParsedMessage, parse_message
from ingest.segments import mark_segments
from ingest.settings import LimitSettings
from ingest.sniff import known_type
from store.archive import Archive
from store.content import AttachmentContent, MessageContent, SubmissionContent
from store.models import TextStatus

LANGUAGE_SAMPLE = 20_000


@dataclass(slots=True)
class Draft:
    """One attachment on its way to a record."""

    name: str
    original_name: str
    content_type: str
    sniffed_type: str | None
    sha256: str
    size: int
    charset: str | None = None
    depth: int = 0  # how many archives deep it was found
    status: TextStatus | None = None  # None: waiting for a worker
    note: str | None = None
    text: str | None = None
    seconds: float | None = None
    name_note: str | None = None  # why the name differs from the sender's
    message: MessageContent | None = None  # a forwarded message's own fields
    children: list[Draft] = field(default_factory=list)


@dataclass(slots=True)
class Prepared:
    """A parsed message, its files stored, their text still to read."""

    parsed: ParsedMessage
    roots: list[Draft]
    drafts: list[Draft]
    flags: list[str] = field(default_factory=list)


def prepare(raw: bytes, archive: Archive, limits: LimitSettings) -> Prepared:
    """Parse and store every file; raises UnparseableMessage like parse_message."""
    parsed = parse_message(raw, limits)
    prepared = Prepared(parsed, [], [], list(parsed.flags))
    for attachment in parsed.attachments:
        draft = _stored(attachment, raw, parsed, archive)
        _decide(draft, limits, too_large_message=parsed.too_large)
        if attachment.text is not None:
            draft.status = TextStatus.EXTRACTED if attachment.text.strip() else TextStatus.NO_TEXT
            draft.text = attachment.text or None
            draft.note = attachment.text_note
            draft.message = attachment.message
        if attachment.name_note:
            draft.name_note = attachment.name_note
            prepared.flags.append(f"{draft.name}: {attachment.name_note}")
        if attachment.parent is not None:
            prepared.drafts[attachment.parent].children.append(draft)
        else:
            prepared.roots.append(draft)
        prepared.drafts.append(draft)
    return prepared


def extract(batch: list[Prepared], pool: ExtractorPool, archive: Archive) -> None:
    """Read every waiting file's text, and the files inside them, a level at a time."""
    limits = pool.limits
    level = [(p, d) for p in batch for d in p.drafts if d.status is None]
    while level:
        tasks = [
            Task(
                path=archive.path(d.sha256),
                kind=kind_of(d.sniffed_type, d.content_type, d.name) or "",
                name=d.name,
                content_type=d.content_type,
                charset=d.charset,
                list_only=d.depth >= limits.max_archive_depth,
            )
            for _, d in level
        ]
        following: list[tuple[Prepared, Draft]] = []
        for (prepared, draft), outcome in zip(level, pool.run(tasks), strict=True):
            _take(draft, outcome)
            for found in outcome.children:
                if len(prepared.drafts) >= limits.max_attachments:
                    prepared.flags.append(
                        f"{draft.name}: holds more files than max_attachments "
                        f"({limits.max_attachments}) allows; the rest stay inside it"
                    )
                    break
                child = _child(found, draft, limits)
                draft.children.append(child)
                prepared.drafts.append(child)
                if child.status is None:
                    following.append((prepared, child))
        level = following


def content(prepared: Prepared) -> SubmissionContent:
    """The record: attachments in reading order (each followed by what it holds)."""
    parsed = prepared.parsed
    ordered: list[tuple[Draft, int | None]] = []

    def visit(draft: Draft, parent: int | None) -> None:
        ordered.append((draft, parent))
        position = len(ordered)
        for child in draft.children:
            visit(child, position)

    for root in prepared.roots:
        visit(root, None)
    names = unique_names([draft.name for draft, _ in ordered])
    attachments = [
        AttachmentContent(
            name=name,
            original_name=draft.original_name,
            content_type=draft.content_type,
            size=draft.size,
            sha256=draft.sha256,
            parent_position=parent,
            sniffed_type=draft.sniffed_type,
            text=draft.text,
            text_status=draft.status,
            text_note="; ".join(filter(None, (draft.note, draft.name_note))) or None,
            extraction_seconds=round(draft.seconds, 3) if draft.seconds is not None else None,
            message=draft.message,
        )
        for name, (draft, parent) in zip(names, ordered, strict=True)
    ]
    segments = mark_segments(parsed.body_text)
    own = "".join(parsed.body_text[s["start"] : s["end"]] for s in segments if s["kind"] == "text")
    texts = [d.text for d, _ in ordered if d.text and d.status == TextStatus.EXTRACTED]
    # The comment's own words decide; a short cover note ("please find attached") lets its
    # files decide with it.
    language = detect_language(own) if enough_letters(own) else None
    language = language or detect_language(own, *(t[:LANGUAGE_SAMPLE] for t in texts))
    return SubmissionContent(
        subject=parsed.subject,
        sender_name=parsed.sender_name,
        sender_address=parsed.sender_address,
        organisation=parsed.organisation,
        message_id=parsed.message_id,
        date_header=parsed.date,
        body_text=parsed.body_text,
        parser=parsed.parser,
        defects=parsed.defects,
        attachments=attachments,
        body_html=parsed.body_html,
        language=language,
        body_segments=[dict(s) for s in segments] if len(segments) > 1 else None,
        flags=prepared.flags,
    )


def _stored(
    attachment: ParsedAttachment, raw: bytes, parsed: ParsedMessage, archive: Archive
) -> Draft:
    payload = attachment.payload
    if isinstance(payload, bytes):
        if parsed.bounded is not None and parsed.bounded.spans:
            sha256, size = archive.put_stream(restored_chunks(payload, parsed.bounded, raw))
        else:
            sha256, size = archive.put(payload), len(payload)
    else:
        sha256, size = archive.put_stream(decoded_chunks(raw, payload, attachment.encoding))
    return Draft(
        name=attachment.name,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        sniffed_type=attachment.sniffed_type,
        sha256=sha256,
        size=size,
        charset=attachment.charset,
    )


def _decide(draft: Draft, limits: LimitSettings, *, too_large_message: bool) -> None:
    """What can be said without a worker: too large, or a type nobody reads."""
    if too_large_message:
        draft.status = TextStatus.TOO_LARGE
        draft.note = f"the message is over max_message_bytes ({limits.max_message_bytes})"
    elif draft.size > limits.max_attachment_bytes:
        draft.status = TextStatus.TOO_LARGE
        draft.note = (
            f"{draft.size} bytes, over max_attachment_bytes ({limits.max_attachment_bytes}); "
            "kept, not read"
        )
    elif draft.size == 0:
        draft.status = TextStatus.NO_TEXT
        draft.note = "empty file"
    elif kind_of(draft.sniffed_type, draft.content_type, draft.name) is None:
        draft.status = TextStatus.UNSUPPORTED
        draft.note = f"unsupported type: {draft.sniffed_type or draft.content_type}"


def _take(draft: Draft, outcome: Outcome) -> None:
    draft.status = TextStatus(outcome.status)
    draft.note = outcome.note
    draft.text = outcome.text if outcome.text else None
    draft.seconds = outcome.seconds
    draft.message = outcome.message
    if outcome.sniffed_type:
        draft.sniffed_type = outcome.sniffed_type


def _child(found: dict[str, object], parent: Draft, limits: LimitSettings) -> Draft:
    content_type = str(found.get("content_type") or "application/octet-stream")
    sniffed_type = found.get("sniffed_type")
    sniffed_type = str(sniffed_type) if sniffed_type else None
    name, name_note = checked_name(
        safe_name(str(found.get("name") or ""), content_type, len(parent.children) + 1),
        known_type(sniffed_type),
    )
    size = found.get("size")
    draft = Draft(
        name=name,
        original_name=str(found.get("name") or ""),
        content_type=content_type,
        sniffed_type=sniffed_type,
        sha256=str(found["sha256"]),
        size=size if isinstance(size, int) else 0,
        depth=parent.depth + 1,
        name_note=name_note,
    )
    _decide(draft, limits, too_large_message=False)
    return draft
