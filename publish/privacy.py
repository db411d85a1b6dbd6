"""One rule for every published byte: nothing the site serves holds an email address, a
telephone number or a GPS position.

Every file a build writes anew passes `Privacy.admit`, called from the one choke
point all writing goes through (publish.output); a file linked unchanged from the
previous build was admitted when that build wrote it, and a build made before this
check (or an older version of it) is not reused. A file that fails is deleted from
the build before the swap, so it is never served, and it is reported by `mailroom
publish` and `mailroom status`.

The check uses publish.redact's patterns, where the bytes can be read: the text of
pages, feeds, data and search records; inside gzip (the search index) and ZIP files
(Office documents, data/attachments.zip); a PDF's text, information dictionary,
XMP, annotations and decoded streams (pypdf); an image's EXIF, XMP, IPTC and
comments (Pillow: EXIF GPS tags count as a finding); the readable strings of any
other file. It cannot read words drawn in pixels: an address in a scanned letter or
a photographed sign is not found.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from publish.redact import finds
from publish.swap import current_build

log = logging.getLogger(__name__)

CHECK_VERSION = "1"  # raise it when the check learns more: the next build checks every file
REPORT = "privacy.json"
ATTACHMENTS_ZIP = "data/attachments.zip"
READ_LIMIT = 64 << 20  # bytes of one file (or member) read into memory to be checked
UNPACK_LIMIT = 256 << 20  # bytes one compressed file may unpack to while being checked
WINDOW = 1 << 20  # a large text file is read in windows this long, overlapping
OVERLAP = 4096

KINDS = {
    "email": "an email address",
    "phone": "a telephone number",
    "gps": "a GPS position",
    "unchecked": "content that could not be checked",
}
_STRINGS = re.compile(rb"[\x20-\x7e\t]{6,}|(?:[\x20-\x7e]\x00){6,}")
_TAG = re.compile(r"<[^>]*>")
_XMP_GPS = re.compile(rb"GPS(?:Latitude|Longitude)", re.I)


@dataclass(frozen=True, slots=True)
class Finding:
    """What was found (one of KINDS) and where in the file; never the value itself."""

    kind: str
    where: str

    def __str__(self) -> str:
        return f"{KINDS.get(self.kind, self.kind)} ({self.where})"


@dataclass(frozen=True, slots=True)
class Withheld:
    path: str
    reason: str


# The check ---------------------------------------------------------------------------------


def inspect_path(path: Path) -> Finding | None:
    """Check one file by what its bytes are, never by its name."""
    if path.stat().st_size <= READ_LIMIT:
        return inspect_bytes(path.read_bytes(), "the file")
    with path.open("rb") as source:
        return _windows(iter(lambda: source.read(WINDOW), b""), "the file")


def inspect_bytes(data: bytes, where: str, depth: int = 0) -> Finding | None:
    try:
        if depth > 4:
            return Finding("unchecked", f"{where}: nested too deeply")
        if data.startswith(b"\x1f\x8b"):
            return _gzip(data, where, depth)
        if data.startswith(b"PK\x03\x04"):
            return _zip(data, where, depth)
        if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
            return _pdf(data, where)
        if _is_image(data):
            return _image(data, where)
        text = _as_text(data)
        if text is not None:
            return _text(text, where)
        return _text(_strings(data), where)
    except MemoryError:
        raise
    except Exception as exc:  # a file our own readers choke on is not published unchecked
        return Finding("unchecked", f"{where}: {type(exc).__name__}")


def _text(text: str, where: str, *, phones: bool = True) -> Finding | None:
    kind = finds(text, phones=phones)
    return Finding(kind, where) if kind else None


def _windows(chunks: Any, where: str) -> Finding | None:
    """A long file, a window at a time (each overlapping the last): memory stays flat."""
    tail = ""
    binary = None
    for chunk in chunks:
        if binary is None:
            binary = _as_text(chunk[:65536], partial=True) is None
        text = _strings(chunk) if binary else chunk.decode("utf-8", "replace")
        finding = _text(tail + text, where)
        if finding:
            return finding
        tail = text[-OVERLAP:]
    return None


def _as_text(data: bytes, *, partial: bool = False) -> str | None:
    """The bytes as text, when they are text: UTF-8 (or UTF-16 with its mark), else a
    legacy 8-bit charset for bytes with no NUL in them; None for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if b"\x00" in data[:65536]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8")
        controls = sum(b < 9 or 13 < b < 32 for b in data[:65536])
        return None if controls > len(data[:65536]) // 100 else data.decode("cp1252", "replace")


def _strings(data: bytes) -> str:
    """Readable runs of a binary file (ASCII, and UTF-16 as Windows writes it), like strings(1)."""
    runs = []
    for match in _STRINGS.finditer(data):
        run = match.group(0)
        runs.append(run.decode("utf-16-le") if b"\x00" in run else run.decode("ascii"))
    return "\n".join(runs)


def _gzip(data: bytes, where: str, depth: int) -> Finding | None:
    inflater = zlib.decompressobj(31)
    inner = inflater.decompress(data, UNPACK_LIMIT)
    if inflater.unconsumed_tail:
        return Finding("unchecked", f"{where}: unpacks to more than {UNPACK_LIMIT} bytes")
    return inspect_bytes(inner, where, depth + 1)


def _zip(data: bytes, where: str, depth: int) -> Finding | None:
    budget = UNPACK_LIMIT
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        for info in bundle.infolist():
            inside = f"{where}: {info.filename}" if depth else info.filename
            finding = _text(info.filename, inside)
            if finding or info.is_dir():
                return finding
            with bundle.open(info) as member:
                content = member.read(min(READ_LIMIT, budget) + 1)
            budget -= len(content)
            if len(content) > READ_LIMIT or budget < 0:
                return Finding("unchecked", f"{inside}: too large to check")
            finding = _member(content, inside, depth)
            if finding:
                return finding
    return None


def _member(content: bytes, where: str, depth: int) -> Finding | None:
    """A ZIP member; XML is read as it is and without its tags (Word splits words into runs)."""
    text = _as_text(content) if content.lstrip()[:1] == b"<" else None
    if text is None:
        return inspect_bytes(content, where, depth + 1)
    return _text(text, where) or _text(_TAG.sub("", text), where)


def _pdf(data: bytes, where: str) -> Finding | None:
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        StreamObject,
        TextStringObject,
    )

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return Finding("unchecked", f"{where}: encrypted PDF")
    finding = _text(_strings(data), f"{where}: PDF", phones=False)
    for key, value in (reader.metadata or {}).items():
        finding = finding or _text(f"{key} {value}", f"{where}: PDF information")
    for number, page in enumerate(reader.pages, start=1):
        finding = finding or _text(page.extract_text() or "", f"{where}: text of page {number}")
        if finding:
            return finding
    # Every object: strings in dictionaries (annotations, forms, outlines), decoded streams.
    seen: set[int] = set()

    def strings(value: Any, depth: int = 0) -> list[str]:
        if isinstance(value, TextStringObject | str):
            return [str(value)]
        if depth > 8 or id(value) in seen:
            return []
        seen.add(id(value))
        if isinstance(value, DictionaryObject):
            return [s for v in value.values() for s in strings(v, depth + 1)]
        if isinstance(value, ArrayObject):
            return [s for v in value for s in strings(v, depth + 1)]
        return []

    ids = {(n, g) for g, entries in reader.xref.items() for n in entries}
    ids |= {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(ids):
        try:
            value = IndirectObject(number, generation, reader).get_object()
        except Exception:  # a broken object: the text and metadata read above still count
            value = None
        where_object = f"{where}: PDF object {number}"
        finding = _text("\n".join(strings(value)), where_object)
        if not finding and isinstance(value, StreamObject):
            subtype = value.get("/Subtype")
            try:
                stream = value.get_data()
            except Exception:
                stream = b""
            if b"xmpmeta" in stream and _XMP_GPS.search(stream):
                return Finding("gps", f"{where}: XMP")
            if subtype != "/Image":
                text = _as_text(stream) if stream[:1] == b"<" else None
                stream_text = text if text is not None else _strings(stream)
                finding = _text(stream_text, where_object, phones=False)
        if finding:
            return finding
    return None


def _is_image(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _image(data: bytes, where: str) -> Finding | None:
    """Metadata, not pixels: EXIF (GPS is a finding by itself), XMP, IPTC, comments."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if exif.get_ifd(0x8825):
            return Finding("gps", f"{where}: EXIF")
        values = [v for v in exif.values() if isinstance(v, str | bytes)]
        values += [v for v in exif.get_ifd(0x8769).values() if isinstance(v, str | bytes)]
        values += [v for v in image.info.values() if isinstance(v, str | bytes)]
    texts = []
    for value in values:
        if isinstance(value, bytes):
            if b"xmpmeta" in value and _XMP_GPS.search(value):
                return Finding("gps", f"{where}: XMP")
            texts.append(_as_text(value) or _strings(value))
        else:
            texts.append(value)
    if data.startswith(b"\xff\xd8"):  # a JPEG's segments before its pixels: IPTC and the rest
        start = data.find(b"\xff\xda")
        head = data[: start if start > 0 else len(data)]
        if _XMP_GPS.search(head):
            return Finding("gps", f"{where}: XMP")
        texts.append(_strings(head))
    return _text("\n".join(texts), f"{where}: image metadata")


# One build's record ------------------------------------------------------------------------


class Privacy:
    """Admits or withholds the files of one build, and remembers what it withheld."""

    def __init__(self) -> None:
        self.withheld: list[Withheld] = []
        self.by_policy: Counter[str] = Counter()
        self._checked: set[str] = set()

    def checked(self, name: str) -> None:
        """`name` was checked already, in the attachments' worker (publish.attachments)."""
        self._checked.add(name)

    def withhold(self, name: str, reason: str) -> None:
        self.withheld.append(Withheld(name, reason))
        log.warning("%s: withheld from the site: %s", name, reason)

    def admit(self, public: Path, name: str) -> bool:
        """Whether `name`, just written, may be served; if not it is deleted and reported."""
        if name in self._checked:
            self._checked.discard(name)
            return True
        path = public / name
        try:
            check = _served_zip if name == ATTACHMENTS_ZIP else _any_file
            finding = check(public, path)
        except MemoryError:
            finding = Finding("unchecked", "the file: out of memory")
        if finding is None:
            return True
        path.unlink()
        self.withhold(name, f"holds {finding}")
        return False

    def save(self, manifest: Path) -> None:
        report = {
            "version": CHECK_VERSION,
            # sorted: the attachments' thread and the renderer report in no fixed order
            "withheld": [asdict(w) for w in sorted(self.withheld, key=lambda w: w.path)],
            "not_published_by_policy": dict(sorted(self.by_policy.items())),
        }
        (manifest / REPORT).write_text(json.dumps(report, indent=1), encoding="utf-8")


def trusts(manifest: Path | None) -> bool:
    """Whether a build's files were checked by this version of the check (to reuse them)."""
    if manifest is None or not (manifest / REPORT).is_file():
        return False
    try:
        report = json.loads((manifest / REPORT).read_text(encoding="utf-8"))
    except ValueError:
        return False
    return isinstance(report, dict) and report.get("version") == CHECK_VERSION


def last_report(output: Path) -> dict[str, Any] | None:
    """What the current build withheld, for `mailroom status`; None before the first build."""
    build = current_build(output)
    path = build / "manifest" / REPORT if build else None
    if path is None or not path.is_file():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _any_file(public: Path, path: Path) -> Finding | None:
    return inspect_path(path)


def _served_zip(public: Path, path: Path) -> Finding | None:
    """data/attachments.zip: a member that is byte for byte a served file under files/ was
    admitted when that file was; any other member is checked here."""
    with zipfile.ZipFile(path) as bundle:
        for info in bundle.infolist():
            if info.is_dir():
                continue
            served = public / "files" / info.filename
            if (
                ".." not in Path(info.filename).parts
                and served.is_file()
                and served.stat().st_size == info.file_size
                and _crc32(served) == info.CRC
            ):
                continue
            with bundle.open(info) as member:
                content = member.read(READ_LIMIT + 1)
            if len(content) > READ_LIMIT:
                return Finding("unchecked", f"{info.filename}: too large to check")
            finding = _text(info.filename, info.filename) or inspect_bytes(content, info.filename)
            if finding:
                return finding
    return None


def _crc32(path: Path) -> int:
    value = 0
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            value = zlib.crc32(chunk, value)
    return value
