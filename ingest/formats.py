"""Text from each kind of document a comment comes in; runs inside an extraction worker.

One function per kind, each given the file's path and returning an Extracted.
The libraries are imported when first needed, so a worker that only reads PDFs
never loads the Outlook stack. Containers (ZIP, TNEF, Outlook .msg, .eml) are
in ingest.containers: they also hand back the files they hold.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.charsets import clean_controls, decode_text
from ingest.sniff import Sniffed, sniff
from ingest.text import html_to_text
from store.content import MessageContent

# The kinds a worker reads; anything else is "unsupported" without a trip to a worker.
KINDS = ("pdf", "docx", "odf", "doc", "rtf", "text", "html", "zip", "tnef", "msg", "eml")
_BY_TYPE = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odf",
    "application/vnd.oasis.opendocument.text-template": "odf",
    "application/vnd.oasis.opendocument.spreadsheet": "odf",
    "application/vnd.oasis.opendocument.presentation": "odf",
    "application/msword": "doc",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/ms-tnef": "tnef",
    "application/vnd.ms-tnef": "tnef",
    "application/vnd.ms-outlook": "msg",
    "message/rfc822": "eml",
}
_BY_EXTENSION = {
    "pdf": "pdf", "docx": "docx", "odt": "odf", "ott": "odf", "ods": "odf", "odp": "odf",
    "doc": "doc", "rtf": "rtf", "txt": "text", "text": "text", "csv": "text", "md": "text",
    "htm": "html", "html": "html", "zip": "zip", "dat": "tnef", "msg": "msg", "eml": "eml",
}  # fmt: skip
_UNTYPED = ("application/octet-stream", "application/unknown", "application/x-unknown", "")
# A confident sniff wins over the sender's claim; plain text and unknown bytes do not.
_VAGUE = (None, "text/plain", "application/x-ole-storage")


@dataclass(slots=True)
class Child:
    """A file found inside a container, already stored in the archive."""

    name: str
    content_type: str
    sha256: str
    size: int
    sniffed_type: str | None = None


@dataclass(slots=True)
class Extracted:
    status: str  # a store.models.TextStatus value
    note: str
    text: str | None = None
    children: list[Child] = field(default_factory=list)
    sniffed_type: str | None = None
    message: MessageContent | None = None  # a forwarded message's own fields


def kind_of(sniffed_type: str | None, content_type: str, name: str) -> str | None:
    """Which reader fits a file: by what it is, else by what it claims, else by its name."""
    if sniffed_type not in _VAGUE:
        return _BY_TYPE.get(sniffed_type or "")
    declared = _BY_TYPE.get(content_type)
    if declared is not None and sniffed_type != "text/plain":
        return declared
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    by_name = _BY_EXTENSION.get(extension)
    if sniffed_type == "text/plain":
        if "html" in (declared, by_name):
            return "html"
        if "rtf" in (declared, by_name):
            return "rtf"
        if "eml" in (declared, by_name):
            return "eml"
        if content_type.startswith("text/") or by_name == "text":
            return "text"
        if content_type in _UNTYPED and (by_name is None or not extension):
            return "text"
        return None  # bytes that look like text, claimed to be audio, an image, a ZIP…
    if sniffed_type == "application/x-ole-storage":  # only a look at the whole file can tell
        return (
            declared
            if declared in ("doc", "msg")
            else by_name
            if by_name in ("doc", "msg")
            else None
        )
    if declared is not None:
        return declared
    if content_type.startswith("text/") and content_type not in ("text/html",):
        return "text"
    return by_name


def extract_pdf(path: Path, limit: int) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(path)
    note = ""
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:
            opened = False
        if not opened:
            return Extracted("unsupported", "encrypted PDF: its text needs a password")
        note = "encrypted with an empty password; "
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        pages.append(text)
        total += len(text.strip())
        if total > limit:
            break
    text = _tidy("\n\n".join(pages))
    count = len(reader.pages)
    if not text.strip():
        return Extracted("no_text", f"{note}scanned PDF, no text layer ({count} pages)")
    return _done(text, f"{note}PDF text layer read with pypdf ({count} pages)", limit)


def extract_docx(path: Path, limit: int) -> Extracted:
    import docx

    document = docx.Document(str(path))
    lines: list[str] = []
    body = document.element.body
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in block.iter() if _is(node, "t")))
        elif tag == "tbl":
            for row in block.iter():
                if _is(row, "tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if _is(t, "t"))
                        for cell in row.iterchildren()
                        if _is(cell, "tc")
                    ]
                    lines.append(" | ".join(cells))
    text = _tidy("\n".join(lines))
    if not text.strip():
        return Extracted("no_text", "Word document (DOCX) without text")
    return _done(text, "Word document (DOCX) read with python-docx", limit)


def extract_odf(path: Path, limit: int) -> Extracted:
    from odf import teletype
    from odf.opendocument import load

    document = load(str(path))
    lines: list[str] = []

    def visit(node: Any) -> None:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname[1] in ("p", "h"):
                lines.append(teletype.extractText(child))
            else:
                visit(child)

    visit(document.body)
    text = _tidy("\n".join(lines))
    if not text.strip():
        return Extracted("no_text", "OpenDocument file without text")
    return _done(text, "OpenDocument read with odfpy", limit)


def extract_doc(path: Path, limit: int) -> Extracted:
    antiword = shutil.which("antiword")
    if antiword is None:
        return Extracted("failed", "antiword is not installed (apt-get install antiword)")
    done = subprocess.run(
        [antiword, "-w", "0", "-m", "UTF-8.txt", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        return Extracted("failed", f"antiword could not read it: {reason[0][:200]}")
    text = _tidy(done.stdout.decode("utf-8", "replace"))
    if not text.strip():
        return Extracted("no_text", "Word 97-2003 document (DOC) without text")
    return _done(text, "Word 97-2003 document (DOC) read with antiword", limit)


def extract_rtf(path: Path, limit: int) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    page = re.search(rb"\\ansicpg(\d+)", data[:4096])
    codec = f"cp{page.group(1).decode()}" if page else "cp1252"
    try:
        "".encode(codec)
    except LookupError:
        codec = "cp1252"
    plain = rtf_to_text(data.decode("latin-1"), encoding=codec, errors="replace")  # type: ignore[no-untyped-call]
    text = _tidy(str(plain))
    if not text.strip():
        return Extracted("no_text", "RTF document without text")
    return _done(text, f"RTF read with striprtf ({codec})", limit)


def extract_text(path: Path, limit: int, charset: str | None) -> Extracted:
    decoded = decode_text(path.read_bytes()[: limit * 4], charset)
    text = _tidy(decoded.text)
    if not text.strip():
        return Extracted("no_text", "empty text file")
    how = f"plain text, {decoded.charset}" + (f" ({decoded.note})" if decoded.note else "")
    return _done(text, how, limit)


def extract_html(path: Path, limit: int, charset: str | None) -> Extracted:
    data = path.read_bytes()[: limit * 8]
    meta = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
    decoded = decode_text(data, charset or (meta.group(1).decode() if meta else None))
    text = _tidy(html_to_text(decoded.text))
    if not text.strip():
        return Extracted("no_text", "HTML file without text")
    how = f"HTML converted to text, {decoded.charset}"
    return _done(text, how + (f" ({decoded.note})" if decoded.note else ""), limit)


def sniffed_file(path: Path) -> Sniffed | None:
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return sniff(head, path.read_bytes())
    return sniff(head)


def _is(node: Any, local: str) -> bool:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.rsplit("}", 1)[-1] == local


def _tidy(text: str) -> str:
    text = clean_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _done(text: str, note: str, limit: int) -> Extracted:
    if len(text) > limit:
        return Extracted("extracted", f"{note}; cut at {limit} characters", text[:limit])
    return Extracted("extracted", note, text)
