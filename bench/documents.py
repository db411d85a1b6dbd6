"""Small real attachments, made fast: our own PDF writer, and DOCX from python-docx's template.

fpdf2 and python-docx take tens of milliseconds a document; ten thousand messages need
something quicker. The PDF here is a plain PDF 1.4 (Helvetica, FlateDecode text, and for a
"scanned" document a grey noise image to reach its size) that pypdf reads; the DOCX is the
python-docx default document with its body and core properties replaced.
"""

from __future__ import annotations

import io
import random
import textwrap
import zipfile
import zlib
from functools import cache
from xml.sax.saxutils import escape

from docx import Document

ZIP_DATE = (2010, 11, 1, 0, 0, 0)
PAGE_LINES = 48
LINE_CHARS = 90


def _pdf_string(text: str) -> bytes:
    data = text.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _lines(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(wrap_words(paragraph, LINE_CHARS) or [""])
        lines.append("")
    return lines


def wrap_words(paragraph: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken only between words."""
    return textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)


def make_pdf(
    title: str, author: str, paragraphs: list[str], *, noise: int, rng: random.Random
) -> bytes:
    """A PDF whose text pypdf extracts; `noise` bytes of grey image make it look scanned."""
    lines = [title, "", *_lines(paragraphs)]
    pages = [lines[i : i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = 0
    side = 0
    if noise > 0:
        side = max(8, int(noise**0.5))
        pixels = rng.randbytes(side * side)
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n"
            % (side, side, len(pixels))
            + pixels
            + b"\nendstream"
        )
    kids: list[int] = []
    for number, page in enumerate(pages):
        ops = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
        ops += [_pdf_string(line) + b" '" for line in page]
        ops.append(b"ET")
        if image and number == 0:
            ops.append(b"q 480 0 0 240 56 60 cm /Im1 Do Q")
        stream = zlib.compress(b"\n".join(ops), 6)
        content = add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        xobject = b" /XObject << /Im1 %d 0 R >>" % image if image and number == 0 else b""
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >>%s >> >>" % (tree, content, font, xobject)
            )
        )
    info = add(
        b"<< /Title "
        + _pdf_string(title)
        + b" /Author "
        + _pdf_string(author)
        + b" /Producer (Mailroom bench) /CreationDate (D:20101101000000Z) >>"
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, info, xref)
    )
    return out.getvalue()


@cache
def _docx_template() -> tuple[tuple[str, bytes], ...]:
    """The parts of python-docx's default document, made once per process."""
    raw = io.BytesIO()
    Document().save(raw)
    with zipfile.ZipFile(raw) as source:
        return tuple((item.filename, source.read(item.filename)) for item in source.infolist())


_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<w:body>{paragraphs}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body>'
    "</w:document>"
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><dc:language>{lang}"
    "</dc:language><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2010-11-01T00:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
)


def make_docx(title: str, author: str, lang: str, paragraphs: list[str]) -> bytes:
    """A Word document python-docx opens: the default template with our text in it."""
    heading = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
        f"<w:r><w:t>{escape(title)}</w:t></w:r></w:p>"
    )
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    replaced = {
        "word/document.xml": _BODY.format(paragraphs=heading + body).encode(),
        "docProps/core.xml": _CORE.format(
            title=escape(title), author=escape(author), lang=lang
        ).encode(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, data in _docx_template():
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, replaced.get(name, data))
    return out.getvalue()
