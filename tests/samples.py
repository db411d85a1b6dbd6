"""Real files of each format a comment comes in, made here with the libraries or by hand.

Each sample carries a sentence that must come back out of it as text.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from email.message import EmailMessage
from email.policy import SMTP

from docx import Document
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.text import H, P
from PIL import Image

from tests.ole import compound_file

SENTENCE = "Enhanced cooperation needs every stakeholder at the table"


def pdf(text: str = SENTENCE) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.multi_cell(0, 10, text)
    return bytes(document.output())


def scanned_pdf() -> bytes:
    """A page with a picture and no text layer, as a scanner makes it."""
    document = FPDF()
    document.add_page()
    picture = Image.new("L", (40, 40), color=128)
    document.image(picture, x=10, y=10, w=100)
    return bytes(document.output())


def encrypted_pdf() -> bytes:
    document = FPDF()
    document.set_encryption(owner_password="owner", user_password="secret")
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(0, 10, SENTENCE)
    return bytes(document.output())


def docx(text: str = SENTENCE) -> bytes:
    document = Document()
    document.add_heading("Comment", level=1)
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Group"
    table.rows[0].cells[1].text = "Civil society"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt(text: str = SENTENCE) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Comment"))
    document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def rtf(text: str = SENTENCE) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    return (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}"
        b"\\f0\\fs24 " + escaped.encode("cp1252") + b" \\'e9t\\'e9\\par }"
    )


def doc(text: str = SENTENCE) -> bytes:
    """A Word 97 document, written by hand: a FIB, the text, a one-piece piece table, an empty
    stylesheet and a one-font font table (antiword reads both)."""
    body = (text + "\r").encode("cp1252")
    fc_text = 0x800
    word = bytearray(max(fc_text + len(body) + 512, 4608))  # antiword reads no mini stream
    struct.pack_into("<HH", word, 0, 0xA5EC, 0x00C1)  # wIdent, nFib (Word 97)
    struct.pack_into("<H", word, 0x0A, 0x0200)  # flags: the table stream is 1Table
    struct.pack_into("<II", word, 0x18, fc_text, fc_text + len(body))  # fcMin, fcMac
    struct.pack_into("<H", word, 0x20, 0x0016)  # csw
    struct.pack_into("<H", word, 0x3A, 0x0016)  # cslw
    struct.pack_into("<I", word, 0x40, fc_text + len(body))  # cbMac
    struct.pack_into("<I", word, 0x4C, len(body))  # ccpText
    struct.pack_into("<H", word, 0x98, 0x005D)  # cbRgFcLcb
    word[fc_text : fc_text + len(body)] = body
    # The piece table: one piece, 8-bit text (bit 30 of fc set, fc doubled).
    plc = struct.pack("<II", 0, len(body)) + struct.pack("<HIH", 0, (fc_text * 2) | 0x40000000, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    stylesheet = struct.pack("<H", 18) + struct.pack("<HHHHHH", 0, 10, 1, 0, 0, 0) + bytes(6)
    font_name = "Times New Roman\x00".encode("utf-16-le")
    font = struct.pack("<BBHBB", 0, 0x16, 400, 0, 0) + bytes(10) + bytes(24) + font_name
    font = bytes([len(font) - 1]) + font[1:]
    fonts = struct.pack("<HH", 1, 0) + font
    table = bytearray(4608)
    at = 0
    for offset, block in ((0x1A2, clx), (0xA2, stylesheet), (0x112, fonts)):
        table[at : at + len(block)] = block
        struct.pack_into("<II", word, offset, at, len(block))  # fc, lcb
        at += len(block)
    return compound_file({"WordDocument": bytes(word), "1Table": bytes(table)})


def tnef(body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A winmail.dat as Outlook writes it: a body and attachments, each a TNEF attribute."""

    def attribute(level: int, kind: int, ident: int, data: bytes) -> bytes:
        checksum = sum(data) & 0xFFFF
        return (
            struct.pack("<BI", level, (kind << 16) | ident)
            + struct.pack("<I", len(data))
            + data
            + struct.pack("<H", checksum)
        )

    out = struct.pack("<IH", 0x223E9F78, 0x0101)
    out += attribute(1, 0x0009, 0x9006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attribute(1, 0x0006, 0x9007, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += attribute(1, 0x0001, 0x8009, b"IPM.Microsoft Mail.Note\x00")  # attMessageClass
    out += attribute(1, 0x0002, 0x800C, body.encode("cp1252") + b"\x00")  # attBody
    for name, data in files:
        out += attribute(2, 0x0002, 0x9002, b"\x00" * 14)  # attAttachRendData
        out += attribute(2, 0x0001, 0x8010, name.encode("cp1252") + b"\x00")  # attAttachTitle
        out += attribute(2, 0x0006, 0x800F, data)  # attAttachData
    return out


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files:
            bundle.writestr(zipfile.ZipInfo(name, date_time=(2010, 11, 1, 0, 0, 0)), data)
    return out.getvalue()


def zip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """One member that inflates a thousandfold: zeros, compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        info = zipfile.ZipInfo("bomb.txt", date_time=(2010, 11, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with bundle.open(info, "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return out.getvalue()


def forwarded(text: str = SENTENCE, files: list[tuple[str, str, bytes]] | None = None) -> bytes:
    """A message as an email client attaches it when forwarding: its own text and files."""
    inner = EmailMessage()
    inner["From"] = "Original Sender <original@example.org>"
    inner["To"] = "unpan@un.org"
    inner["Subject"] = "Our original comment"
    inner["Date"] = "Fri, 05 Nov 2010 09:00:00 +0100"
    inner.set_content(text + "\n")
    for name, content_type, data in files or []:
        maintype, subtype = content_type.split("/", 1)
        inner.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return inner.as_bytes(policy=SMTP)


def msg(subject: str, body: str, files: list[tuple[str, bytes]]) -> bytes:
    """An Outlook .msg: MAPI properties as streams in a compound file."""

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    def properties(header: bytes, entries: list[tuple[int, int, bytes]]) -> bytes:
        out = header
        for tag, flags, value in entries:
            out += struct.pack("<II", tag, flags) + value.ljust(8, b"\x00")
        return out

    def string_entry(tag: int, value: bytes) -> tuple[int, int, bytes]:
        return tag, 6, struct.pack("<II", len(value) + 2, 0)

    streams: dict[str, bytes] = {
        "__substg1.0_001A001F": text("IPM.Note"),
        "__substg1.0_0037001F": text(subject),
        "__substg1.0_1000001F": text(body),
        "__substg1.0_0C1F001F": text("sender@example.org"),
        "__substg1.0_0C1A001F": text("Amina Diallo"),
        "__nameid_version1.0/__substg1.0_00020102": b"",
        "__nameid_version1.0/__substg1.0_00030102": b"",
        "__nameid_version1.0/__substg1.0_00040102": b"",
    }
    entries = [
        string_entry(0x001A001F, streams["__substg1.0_001A001F"]),
        string_entry(0x0037001F, streams["__substg1.0_0037001F"]),
        string_entry(0x1000001F, streams["__substg1.0_1000001F"]),
    ]
    header = struct.pack("<8xIIII8x", len(files), len(files), len(files), 0)
    streams["__properties_version1.0"] = properties(header, entries)
    for number, (name, data) in enumerate(files):
        folder = f"__attach_version1.0_#{number:08X}"
        streams[f"{folder}/__substg1.0_3707001F"] = text(name)
        streams[f"{folder}/__substg1.0_3704001F"] = text(name[:12])
        streams[f"{folder}/__substg1.0_37010102"] = data
        attach = [
            (0x37050003, 6, struct.pack("<I", 1)),  # PR_ATTACH_METHOD: by value
            (0x37010102, 6, struct.pack("<II", len(data), 0)),
            string_entry(0x3707001F, streams[f"{folder}/__substg1.0_3707001F"]),
        ]
        streams[f"{folder}/__properties_version1.0"] = properties(b"\x00" * 8, attach)
    return compound_file(streams)


def looping_pdf(pages: int = 2000) -> bytes:
    """A small PDF whose pages all share one content stream of a few hundred thousand
    operators that draw nothing: pypdf works through it for every page, for minutes."""
    operators = b"1 0 0 1 72 720 Tm ( ) Tj " * 30_000
    stream = zlib.compress(b"BT /F1 12 Tf " + operators + b"ET", 9)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * pages) + b"] /Count %d >>" % pages,
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
