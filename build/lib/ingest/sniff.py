"""What a file really is, from its first bytes: the sender's name and content type are claims.

Written by hand rather than with a magic library because the answers that
matter here need a look inside containers (DOCX, ODT and a plain ZIP are all
ZIP files; DOC, MSG and XLS are all OLE2 files) and at text (HTML, SVG and XML
are what a browser would run, and magic databases call them all "text").
Only the first bytes are read, plus one bounded search for OLE stream names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD = 64 * 1024  # how much of a file sniffing reads


@dataclass(frozen=True, slots=True)
class Sniffed:
    content_type: str
    extension: str | None  # the usual one; None for plain text and unknown binaries
    extensions: frozenset[str] = frozenset()  # every extension such a file may carry
    active: bool = False  # HTML, SVG, XML: a browser might run script from it


def _kind(content_type: str, extension: str | None, *others: str, active: bool = False) -> Sniffed:
    names = {extension, *others} - {None}
    return Sniffed(content_type, extension, frozenset(n for n in names if n), active)


PDF = _kind("application/pdf", "pdf")
DOCX = _kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "docm"
)
XLSX = _kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "xlsm")
PPTX = _kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "ppsx"
)
ODT = _kind("application/vnd.oasis.opendocument.text", "odt", "ott")
ODS = _kind("application/vnd.oasis.opendocument.spreadsheet", "ods")
ODP = _kind("application/vnd.oasis.opendocument.presentation", "odp")
ZIP = _kind("application/zip", "zip")
DOC = _kind("application/msword", "doc", "dot")
XLS = _kind("application/vnd.ms-excel", "xls")
PPT = _kind("application/vnd.ms-powerpoint", "ppt")
MSG = _kind("application/vnd.ms-outlook", "msg")
OLE = _kind("application/x-ole-storage", None)
TNEF = _kind("application/ms-tnef", "dat", "tnef")
RTF = _kind("application/rtf", "rtf", "doc")  # Word saves RTF under .doc, harmlessly
HTML = _kind("text/html", "html", "htm", "xhtml", "shtml", active=True)
SVG = _kind("image/svg+xml", "svg", "svgz", active=True)
XML = _kind("application/xml", "xml", "xsd", "xsl", "xslt", "rss", "atom", "kml", active=True)
EML = _kind("message/rfc822", "eml", "mht", "mhtml")
TEXT = _kind("text/plain", None)

_MAGIC: list[tuple[bytes, Sniffed]] = [
    (b"\x89PNG\r\n\x1a\n", _kind("image/png", "png")),
    (b"\xff\xd8\xff", _kind("image/jpeg", "jpg", "jpeg", "jpe", "jfif")),
    (b"GIF87a", _kind("image/gif", "gif")),
    (b"GIF89a", _kind("image/gif", "gif")),
    (b"II*\x00", _kind("image/tiff", "tif", "tiff")),
    (b"MM\x00*", _kind("image/tiff", "tif", "tiff")),
    (b"\x1f\x8b", _kind("application/gzip", "gz", "tgz")),
    (b"7z\xbc\xaf\x27\x1c", _kind("application/x-7z-compressed", "7z")),
    (b"Rar!\x1a\x07", _kind("application/vnd.rar", "rar")),
    (b"\x78\x9f\x3e\x22", TNEF),
    (b"{\\rtf", RTF),
    (b"ID3", _kind("audio/mpeg", "mp3")),
]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = [
    ("__substg1.0_".encode("utf-16-le"), MSG),
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
]
_ODF = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.text-template": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.presentation": ODP,
}
_HEADER_LINE = re.compile(
    rb"^(received|return-path|from|to|subject|date|message-id|mime-version|delivered-to|"
    rb"x-[a-z0-9-]+|content-type|reply-to|sender|dkim-signature|authentication-results)"
    rb"[ \t]*:",
    re.IGNORECASE,
)
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|script|iframe|title|style|meta|"
    rb"a\s|img|div|table|p[\s>]|br|h1|font|b>|iframe)",
    re.IGNORECASE | re.DOTALL,
)
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)


def sniff(head: bytes, whole: bytes | None = None) -> Sniffed | None:
    """What the content is, from its first bytes (`whole`, if given, for OLE stream names)."""
    head = head[:HEAD]
    if head.lstrip()[:5] == b"%PDF-":
        return PDF
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _kind("image/webp", "webp")
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(whole if whole is not None else head)
    if b"%PDF-" in head[:1024]:  # readers accept junk before the header, so must we
        return PDF
    return _text_kind(head)


def _zip_kind(head: bytes) -> Sniffed:
    """ODF names its type in a first, stored `mimetype` entry; Office documents start with
    their package parts. Anything else is a plain ZIP, even one full of documents."""
    names = _zip_names(head)
    first = names[0] if names else b""
    if first == b"mimetype":
        start = 30 + len(first) + int.from_bytes(head[28:30], "little")
        declared = head[start : start + 80].split(b"PK", 1)[0].strip()
        return _ODF.get(declared, ZIP)
    if first not in (b"[Content_Types].xml", b"_rels/.rels") and not first.startswith(
        (b"word/", b"xl/", b"ppt/", b"docProps/")
    ):
        return ZIP
    for prefix, kind in ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX)):
        if any(name.startswith(prefix) for name in names) or (len(names) < 2 and prefix in head):
            return kind
    return ZIP


def _zip_names(head: bytes) -> list[bytes]:
    """Entry names from the local headers at the start of a ZIP, as far as sizes allow."""
    names: list[bytes] = []
    at = 0
    while head.startswith(b"PK\x03\x04", at) and len(names) < 20:
        flags = int.from_bytes(head[at + 6 : at + 8], "little")
        size = int.from_bytes(head[at + 18 : at + 22], "little")
        name_length = int.from_bytes(head[at + 26 : at + 28], "little")
        extra_length = int.from_bytes(head[at + 28 : at + 30], "little")
        names.append(head[at + 30 : at + 30 + name_length])
        if flags & 0x08:  # sizes come after the data: no way to skip to the next entry
            break
        at += 30 + name_length + extra_length + size
    return names


def _ole_kind(data: bytes) -> Sniffed:
    for stream, kind in _OLE_STREAMS:
        if stream in data:
            return kind
    return OLE


def _text_kind(head: bytes) -> Sniffed | None:
    sample = head[:8192]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if sample.startswith(bom):
            sample = sample[len(bom) :]
            if bom != b"\xef\xbb\xbf":
                sample = sample.decode("utf-16", "ignore").encode("utf-8", "ignore")
            break
    if b"\x00" in sample:
        return None
    stripped = sample.lstrip()
    lowered = stripped[:1024].lower()
    if lowered.startswith(b"<?xml"):
        if _SVG.search(sample):
            return SVG
        if b"<html" in sample[:2048].lower():
            return HTML
        return XML
    if _SVG.match(stripped):
        return SVG
    if _HTML_START.match(stripped):
        return HTML
    if _HEADER_LINE.match(stripped) and (b"\n\n" in sample or b"\r\n\r\n" in sample):
        lines = stripped.split(b"\n", 8)[:4]
        if sum(1 for line in lines if _HEADER_LINE.match(line) or line[:1] in b" \t") >= 2:
            return EML
    return TEXT


_BY_TYPE: dict[str, Sniffed] = {}
for _known in (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, ZIP, DOC, XLS, PPT, MSG, TNEF, RTF, HTML, SVG,
               XML, EML, *(kind for _, kind in _MAGIC)):  # fmt: skip
    _BY_TYPE.setdefault(_known.content_type, _known)


def known_type(content_type: str | None) -> Sniffed | None:
    """The Sniffed for a content type a worker reported (it sniffed the whole file)."""
    return _BY_TYPE.get(content_type or "")
