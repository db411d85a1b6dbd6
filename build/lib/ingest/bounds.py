"""A message made small enough to parse, whatever its size, before any parser sees it.

The email package holds a whole message, and every part of it, as strings: a
100 MB attachment costs over a gigabyte of memory to parse. So any body longer
than ELIDE_BYTES is cut out of the bytes handed to the parser and replaced by
a marker line; the parsed part then points at its span of the raw message,
which is decoded a chunk at a time straight into the archive. A body is found
without parsing: a MIME boundary always starts a line with `--`, so a long
stretch without such a line lies inside one part.

The top header block is also held to the header limits here: too many header
fields, or one too long, are cut (the fields a submission needs are kept).
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.settings import LimitSettings

ELIDE_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
HEAD_BYTES = 64 * 1024  # what sniffing reads of a cut-out body

MULTIPARTS_PER_DEPTH = 5
MAX_MULTIPARTS = 200  # the email package recurses once per level: keep well inside the stack
_MULTIPART = re.compile(
    rb"^content-type:[ \t]*(multipart/[a-z0-9.+-]*)", re.IGNORECASE | re.MULTILINE
)
_DASH_LINE = re.compile(rb"^--", re.MULTILINE)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_FIELD_START = re.compile(rb"^[^ \t\r\n]", re.MULTILINE)
_KEEP = (
    b"from", b"subject", b"date", b"message-id", b"content-type", b"content-transfer-encoding",
    b"content-disposition", b"mime-version", b"organization", b"organisation", b"to", b"cc",
    b"sender", b"reply-to", b"received",
)  # fmt: skip
_NOT_BASE64 = bytes(
    b for b in range(256) if not (chr(b).isascii() and (chr(b).isalnum() or chr(b) in "+/="))
)


@dataclass(frozen=True, slots=True)
class Span:
    """Bytes [start, end) of the raw message: one part's body, still transfer-encoded."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Bounded:
    """What the parser gets, and where the cut-out bodies are in the raw message."""

    data: bytes
    spans: dict[str, Span] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def span_of(self, payload: str) -> Span | None:
        """The span a part's body marker stands for, or None for an ordinary body."""
        if len(payload) > 200 or not self.spans:
            return None
        return self.spans.get(payload.strip())


def bound(raw: bytes, limits: LimitSettings) -> Bounded:
    flags: list[str] = []
    body_start = _header_end(raw)
    header, header_flags = _bounded_header(raw[:body_start], limits)
    flags += header_flags
    if len(raw) <= ELIDE_BYTES:
        return Bounded(_flattened(header + raw[body_start:], limits, flags), {}, flags)
    nonce = hashlib.sha256(raw).hexdigest()[:16]
    newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    pieces: list[bytes] = [header]
    spans: dict[str, Span] = {}
    position = body_start
    starts = [m.start() for m in _DASH_LINE.finditer(raw, body_start)] + [len(raw)]
    gap_start = body_start
    for gap_end in starts:
        if gap_end - gap_start > ELIDE_BYTES:
            begin = _body_begin(raw, gap_start, gap_end, top=gap_start == body_start)
            if begin is not None and gap_end - begin > ELIDE_BYTES:
                marker = f"MAILROOM-ELIDED-{nonce}-{len(spans)}"
                spans[marker] = Span(begin, gap_end)
                pieces.append(raw[position:begin])
                pieces.append(marker.encode() + newline)
                position = gap_end
        gap_start = gap_end
    pieces.append(raw[position:])
    return Bounded(_flattened(b"".join(pieces), limits, flags), spans, flags)


def _flattened(data: bytes, limits: LimitSettings, flags: list[str]) -> bytes:
    """No more multiparts than the parser can nest: past MULTIPARTS_PER_DEPTH * max_depth
    (nesting is at most that deep), the rest are declared opaque, so the email package's
    recursive parser cannot run out of stack. The walk never goes that deep anyway."""
    cap = min(MULTIPARTS_PER_DEPTH * limits.max_depth, MAX_MULTIPARTS)
    found = list(_MULTIPART.finditer(data))
    if len(found) <= cap:
        return data
    flags.append(
        f"{len(found)} multipart containers, over {cap}; "
        "the ones past that are in the raw message only"
    )
    pieces: list[bytes] = []
    position = 0
    for match in found[cap:]:
        pieces.append(data[position : match.start(1)])
        pieces.append(b"application/x-mailroom-opaque")
        position = match.end(1)
    pieces.append(data[position:])
    return b"".join(pieces)


def decoded_chunks(raw: bytes, span: Span, encoding: str) -> Iterator[bytes]:
    """A cut-out body, transfer-decoded a chunk at a time: memory stays at one chunk."""
    encoding = encoding.strip().lower()
    view = memoryview(raw)
    if encoding == "base64":
        leftover = b""
        for start in range(span.start, span.end, CHUNK):
            chunk = leftover + bytes(view[start : min(start + CHUNK, span.end)]).translate(
                None, _NOT_BASE64
            )
            usable = len(chunk) - len(chunk) % 4
            leftover = chunk[usable:]
            if usable:
                yield _b64(chunk[:usable])
        if leftover.rstrip(b"="):
            yield _b64(leftover + b"=" * (-len(leftover) % 4))
    elif encoding == "quoted-printable":
        leftover = b""
        for start in range(span.start, span.end, CHUNK):
            chunk = leftover + bytes(view[start : min(start + CHUNK, span.end)])
            cut = chunk.rfind(b"\n") + 1 if start + CHUNK < span.end else len(chunk)
            leftover = chunk[cut:]
            yield binascii.a2b_qp(chunk[:cut])
        if leftover:
            yield binascii.a2b_qp(leftover)
    else:
        for start in range(span.start, span.end, CHUNK):
            yield bytes(view[start : min(start + CHUNK, span.end)])


def decoded_head(raw: bytes, span: Span, encoding: str, size: int) -> bytes:
    """The first `size` decoded bytes of a cut-out body (for sniffing, or a long text body)."""
    taken: list[bytes] = []
    have = 0
    for chunk in decoded_chunks(raw, span, encoding):
        taken.append(chunk)
        have += len(chunk)
        if have >= size:
            break
    return b"".join(taken)[:size]


def _b64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:  # stray padding inside: decode what can be decoded
        return binascii.a2b_base64(data.replace(b"=", b"") + b"=" * (-len(data) % 4))


def _header_end(raw: bytes) -> int:
    match = _BLANK_LINE.search(raw)
    return match.end() if match else len(raw)


def _body_begin(raw: bytes, gap_start: int, gap_end: int, *, top: bool) -> int | None:
    """Where a part's body starts in a gap: after its header block (the first blank line)."""
    if top:
        return gap_start
    match = _BLANK_LINE.search(raw, gap_start, min(gap_end, gap_start + 256 * 1024))
    return match.end() if match else None


def _bounded_header(header: bytes, limits: LimitSettings) -> tuple[bytes, list[str]]:
    """The top header block within max_headers fields of at most max_header_bytes each."""
    starts = [m.start() for m in _FIELD_START.finditer(header)]
    if not starts:
        return header, []
    fields = [header[a:b] for a, b in zip(starts, [*starts[1:], len(header)], strict=True)]
    too_many = len(fields) > limits.max_headers
    too_long = [f for f in fields if len(f) > limits.max_header_bytes]
    if not too_many and not too_long:
        return header, []
    flags: list[str] = []
    if too_many:
        flags.append(
            f"{len(fields)} header fields, over max_headers ({limits.max_headers}); "
            "the rest are in the raw message only"
        )
    if too_long:
        flags.append(
            f"{len(too_long)} header field(s) longer than max_header_bytes "
            f"({limits.max_header_bytes}); cut"
        )
    kept: list[bytes] = []
    others = 0
    for value in fields:
        name = value.split(b":", 1)[0].strip().lower()
        if name not in _KEEP:
            others += 1
            if others > limits.max_headers:
                continue
        if len(value) > limits.max_header_bytes:
            newline = b"\r\n" if value.endswith(b"\r\n") else b"\n"
            value = value[: limits.max_header_bytes].rstrip(b"\r\n") + newline
        kept.append(value)
    blank = header[starts[-1] :].endswith(b"\n") and header.endswith((b"\n\n", b"\r\n\r\n"))
    result = b"".join(kept)
    if blank and not result.endswith((b"\n\n", b"\r\n\r\n")):
        result += b"\r\n" if result.endswith(b"\r\n") else b"\n"
    return result, flags


def restored_chunks(data: bytes, bounded: Bounded, raw: bytes) -> Iterator[bytes]:
    """`data` cut from the parser's copy (a forwarded message), with each marker line put back
    as the raw bytes it stands for: the stored file is what the sender sent."""
    if not bounded.spans or b"MAILROOM-ELIDED-" not in data:
        yield data
        return
    position = 0
    view = memoryview(raw)
    for match in re.finditer(rb"MAILROOM-ELIDED-[0-9a-f]{16}-\d+\r?\n", data):
        span = bounded.spans.get(match.group(0).strip().decode())
        if span is None:
            continue
        yield data[position : match.start()]
        for start in range(span.start, span.end, CHUNK):
            yield bytes(view[start : min(start + CHUNK, span.end)])
        position = match.end()
    yield data[position:]
