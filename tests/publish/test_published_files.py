"""Issue 13: the files the site serves keep the promise the pages keep.

One comment comes with what real comments bring: a forwarded message with Cc and
Received headers (and a file of its own), a DOCX and a PDF whose properties name an
author and an address, a JPEG with a GPS position in its EXIF, a text file with a
signature, and a PDF letter whose text gives an address. After publishing, no file
the site serves, nor any member of data/attachments.zip, holds one of those
addresses, numbers, names from metadata or coordinates; the comment's own text is
complete; the forwarded message is shown as what it says; the letter is withheld,
and published as redacted text once the operator says so, with history.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from docx import Document
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from ingest import reparse_all
from publish import SiteSettings, build_site
from publish.output import BuildOutput
from store import ConsultationSettings, Store
from store.models import Attachment, Submission
from store.moderation import ModerationError, history, set_file_policy
from tests.rules import judge, post_rules

OWN_TEXT = (
    "Dear colleagues,\n\nWe support enhanced cooperation with every stakeholder at the table, "
    "and we ask that the consultation publish every comment in full.\n\n"
    "Our second point: multilingual access matters for developing countries.\n"
)
FORWARDED_TEXT = "The forwarded statement on capacity building travels with this comment."
SIGNED_TEXT = "Annex on open standards: interoperability first."
DOCX_TEXT = "The document's own words on Internet governance stay readable."
PDF_TEXT = "The PDF's own words on the digital divide stay readable."
LETTER_TEXT = "A letter that gives its writer's address in its text."

# Nothing of these may be served, in any file, in any form.
SECRETS = [
    "fwd.sender@forward.example",  # the forwarded message's From
    "cc.person@carbon.example",  # its Cc
    "bcc-like.reader@carbon.example",  # its To
    "192.0.2.44",  # an IP address in its Received header
    "relay.forward.example",  # the host in it
    "inner.file@forward.example",  # in the file the forwarded message carries
    "Dorothea Docxauthor",  # DOCX core properties
    "docx.editor@docprops.example",
    "Docxcompany Holdings",
    "Petra Pdfauthor",  # PDF information dictionary and XMP
    "pdf.author@pdfmeta.example",
    "Xavier Xmpcreator",
    "Gustav Gpsman",  # the photo's EXIF
    "signe@sig.example",  # the text file's signature
    "+44 20 7946 0958",
    "7946 0958",
    "letter.writer@letter.example",  # the letter's text
]


def forwarded_message() -> bytes:
    inner = EmailMessage()
    inner["Received"] = (
        "from relay.forward.example (relay.forward.example [192.0.2.44]) by mx.forward.example"
    )
    inner["From"] = "Fiona Forwarder <fwd.sender@forward.example>"
    inner["To"] = "bcc-like.reader@carbon.example"
    inner["Cc"] = "Carl Copy <cc.person@carbon.example>"
    inner["Subject"] = "Statement on capacity building"
    inner["Date"] = "Fri, 05 Nov 2010 09:00:00 +0100"
    inner.set_content(FORWARDED_TEXT + "\n")
    inner.add_attachment(
        b"Notes from the forwarded message. Contact inner.file@forward.example\n",
        maintype="text",
        subtype="plain",
        filename="notes.txt",
    )
    return inner.as_bytes(policy=SMTP)


def docx_with_properties() -> bytes:
    document = Document()
    document.add_paragraph(DOCX_TEXT)
    properties = document.core_properties
    properties.author = "Dorothea Docxauthor"
    properties.last_modified_by = "docx.editor@docprops.example"
    properties.comments = "Docxcompany Holdings, call +41 22 917 1234"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_properties(text: str = PDF_TEXT) -> bytes:
    document = FPDF()
    document.set_author("Petra Pdfauthor")
    document.set_subject("pdf.author@pdfmeta.example")
    document.set_xmp_metadata(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Xavier Xmpcreator'
        "</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    document.add_page()
    document.set_font("helvetica", size=12)
    document.multi_cell(0, 10, text)
    return bytes(document.output())


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (48, 32), (40, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = "Gustav Gpsman"  # Artist
    exif[0x010F] = "Phonemaker"  # Make
    exif[0x8825] = {1: "N", 2: (46.0, 12.0, 30.0), 3: "E", 4: (6.0, 8.0, 15.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def comment_with_everything() -> bytes:
    message = EmailMessage()
    message["From"] = "Amina Diallo <amina@ngo.example.org>"
    message["To"] = "unpan@un.org"
    message["Subject"] = "Comment with annexes"
    message["Date"] = "Mon, 08 Nov 2010 10:00:00 -0500"
    message["Message-ID"] = "<annexes@ngo.example.org>"
    message["Received"] = "from mail.ngo.example.org by mx.un.example; 8 Nov 2010 15:00:00 +0000"
    message.set_content(OWN_TEXT)
    message.add_attachment(forwarded_message(), maintype="message", subtype="rfc822")
    message.add_attachment(
        docx_with_properties(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="position.docx",
    )
    message.add_attachment(
        pdf_with_properties(), maintype="application", subtype="pdf", filename="paper.pdf"
    )
    message.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg", filename="photo.jpg")
    message.add_attachment(
        f"{SIGNED_TEXT}\n\n-- \nSigne Signature\nsigne@sig.example\nTel: +44 20 7946 0958\n",
        filename="annex.txt",
    )
    message.add_attachment(
        pdf_with_properties(f"{LETTER_TEXT} Write to letter.writer@letter.example."),
        maintype="application",
        subtype="pdf",
        filename="letter.pdf",
    )
    return message.as_bytes(policy=SMTP)


def served(site: Path) -> Iterator[tuple[str, bytes]]:
    """Every file the site serves, and every member of the zips among them."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            name = path.relative_to(site).as_posix()
            data = path.read_bytes()
            yield name, data
            yield from inside(name, data)


def inside(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """What a file holds in readable form: zip members, gzip, PDF text and metadata, EXIF."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            for member in bundle.namelist():
                content = bundle.read(member)
                yield f"{name}:{member}", content
                yield from inside(f"{name}:{member}", content)
    elif data.startswith(b"\x1f\x8b"):
        yield f"{name}:gunzipped", gzip.decompress(data)
    elif data.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(data))
        text = "".join(page.extract_text() for page in reader.pages)
        yield f"{name}:text", (text + json.dumps(dict(reader.metadata or {}))).encode()
    elif data.startswith(b"\xff\xd8"):
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            assert not exif.get_ifd(0x8825), f"a GPS position in {name}"
            yield f"{name}:exif", json.dumps({k: str(v) for k, v in exif.items()}).encode()


def leaks(data: bytes) -> list[str]:
    folded = data.lower()
    return [
        secret
        for secret in SECRETS
        if secret.lower().encode() in folded or secret.lower().encode("utf-16-le") in folded
    ]


@pytest.fixture
def published(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> tuple[Store, SiteSettings, ConsultationSettings]:
    judge(
        tmp_path,
        store,
        [comment_with_everything()],
        post_rules(consultation, late="publish"),
        datetime(2010, 11, 10, tzinfo=UTC),
    )
    return store, SiteSettings(output=tmp_path / "site"), consultation


@pytest.mark.slow
def test_no_served_file_holds_an_address_a_number_a_metadata_name_or_a_position(
    published: tuple[Store, SiteSettings, ConsultationSettings],
) -> None:
    store, settings, consultation = published
    report = build_site(store, consultation, settings, consultation.posting_date)
    site = settings.output
    names = []
    for name, data in served(site):
        assert not leaks(data), f"{name} holds {leaks(data)}"
        names.append(name)
    files = sorted(n for n in names if n.startswith("files/") and ":" not in n)
    folder = "files/DESA-10-3078-0001"
    assert files == [
        f"{folder}/{n}"
        for n in ("2-notes.txt", "3-position.docx", "4-paper.pdf", "5-photo.jpg", "6-annex.txt")
    ]
    zipped = sorted(n.split(":")[1] for n in names if n.count(":") == 1 and "attachments" in n)
    assert [f"files/{n}" for n in zipped] == files  # the zip holds exactly the served files
    feed = (site / "feeds/all.atom").read_text()
    enclosed = re.findall(r'rel="enclosure" type="([^"]+)" length="(\d+)" href="([^"]+)"', feed)
    hrefs = {href.removeprefix("../"): (kind, int(length)) for kind, length, href in enclosed}
    assert sorted(hrefs) == files  # served files only, each of them there
    for href, (kind, length) in hrefs.items():
        assert (site / href).stat().st_size == length, href
        assert kind == "text/plain" or not href.endswith(".txt"), href

    # The documents keep their content, without their metadata.
    docx = Document(str(site / folder / "3-position.docx"))
    assert DOCX_TEXT in docx.paragraphs[0].text and docx.core_properties.author == ""
    pdf = PdfReader(site / folder / "4-paper.pdf")
    assert PDF_TEXT in pdf.pages[0].extract_text() and not pdf.metadata
    with Image.open(site / folder / "5-photo.jpg") as photo:
        assert photo.size == (48, 32) and not photo.getexif()
    annex = (site / folder / "6-annex.txt").read_text()
    assert SIGNED_TEXT in annex and "[email address removed]" in annex

    # The comment's own text is complete; the forwarded message is shown as what it says.
    page = html.unescape((site / "en/submissions/DESA-10-3078-0001/index.html").read_text())
    for paragraph in OWN_TEXT.split("\n\n"):
        assert paragraph.strip() in page
    assert "Fiona Forwarder" in page and "Statement on capacity building" in page
    assert FORWARDED_TEXT in page and "Forwarded message" in page
    assert ".eml" not in page
    # The letter gives an address in its text: withheld, said so, its text shown redacted.
    assert f"{LETTER_TEXT} Write to [email address removed]." in page
    assert "it holds an email address, a telephone number or a location" in page
    assert [w.path for w in report.withheld] == [f"{folder}/7-letter.pdf"]
    assert "email address" in report.withheld[0].reason

    # The raw forwarded message stays in the archive, for the operator.
    with store.reader() as session:
        message = session.exec(select(Attachment).where(Attachment.position == 1)).one()
    assert message.message_sender_name == "Fiona Forwarder"
    assert b"cc.person@carbon.example" in store.archive.path(message.sha256).read_bytes()


@pytest.mark.slow
def test_the_operator_publishes_a_withheld_letter_as_text_and_the_history_says_so(
    published: tuple[Store, SiteSettings, ConsultationSettings],
) -> None:
    store, settings, consultation = published
    build_site(store, consultation, settings, consultation.posting_date)
    letter = settings.output / "files/DESA-10-3078-0001/7-letter.pdf.txt"
    assert not letter.exists()
    later = consultation.posting_date + timedelta(hours=1)
    with store.session() as session:
        row = session.exec(select(Submission)).one()
        with pytest.raises(ModerationError, match="needs a reason"):
            set_file_policy(session, row, {"7": "text"}, by="op", at=later, reason=" ")
        set_file_policy(
            session,
            row,
            {"7": "text"},
            by="operator",
            at=consultation.posting_date,
            reason="the letterhead's address",
        )
        session.commit()
        events = history(session, row.id or 0)
    assert [(e.action, e.reason) for e in events][-1] == ("files", "the letterhead's address")
    assert json.loads(events[-1].changes or "") == {"file 7": [None, "text"]}
    first = {p.name: p.stat().st_ino for p in letter.parent.iterdir()}
    report = build_site(store, consultation, settings, later)
    assert report.withheld == []
    assert letter.read_text().startswith(f"{LETTER_TEXT} Write to [email address removed].")
    # Nothing else was made again: the other files are the first build's, linked.
    assert {p.name: p.stat().st_ino for p in letter.parent.iterdir()} == first | {
        letter.name: letter.stat().st_ino
    }


@pytest.mark.slow
def test_reparse_records_forwarded_messages_parsed_before_the_fields_existed(
    published: tuple[Store, SiteSettings, ConsultationSettings],
) -> None:
    store, _, consultation = published
    with store.session() as session:
        session.execute(
            update(Attachment).values(
                message_sender_name=None, message_date=None, message_subject=None, message_text=None
            )
        )
        session.commit()
    reparse_all(store, consultation.posting_date)
    with store.reader() as session:
        message = session.exec(select(Attachment).where(Attachment.position == 1)).one()
    assert (message.message_sender_name, message.message_subject) == (
        "Fiona Forwarder",
        "Statement on capacity building",
    )
    assert message.message_text == FORWARDED_TEXT
    assert message.message_date == datetime(2010, 11, 5, 8, 0, tzinfo=UTC)


def test_a_page_that_holds_an_address_is_withheld_at_the_choke_point(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "manifest").mkdir()
    output = BuildOutput(tmp_path / "public", tmp_path / "manifest", None)
    output.write_text("en/leaky.html", "<p>write to someone@example.org</p>")
    output.settle("en/leaky.html")
    output.write_text("en/fine.html", "<p>Reference DESA-10/3078 of 7 October 2010.</p>")
    output.settle("en/fine.html")
    output.write_text("data/x.json.gz", "")
    (tmp_path / "public/data/x.json.gz").write_bytes(gzip.compress(b'{"t": "+41 22 917 1234"}'))
    output.settle("data/x.json.gz")
    output.close({})
    assert not (tmp_path / "public/en/leaky.html").exists()
    assert not (tmp_path / "public/data/x.json.gz").exists()
    assert (tmp_path / "public/en/fine.html").is_file()
    report = json.loads((tmp_path / "manifest/privacy.json").read_text())
    assert report["withheld"] == [  # by path
        {"path": "data/x.json.gz", "reason": "holds a telephone number (the file)"},
        {"path": "en/leaky.html", "reason": "holds an email address (the file)"},
    ]
