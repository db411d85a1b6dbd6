"""The demo mailbox is read back with the standard library's parser, as a client would."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest

from mailroom.demo_mailbox import write_demo_maildir

NEW_YORK = ZoneInfo("America/New_York")
DEADLINE = datetime(2010, 11, 15, 23, 59, 59, tzinfo=NEW_YORK)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
EXAMPLE_DOMAIN = re.compile(r"(^|\.)example(\.(org|com|net))?$")


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "Maildir"
    count = write_demo_maildir(root)
    assert count == len(list((root / "new").iterdir()))
    return root


@pytest.fixture(scope="module")
def raw(maildir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((maildir / "new").iterdir())}


@pytest.fixture(scope="module")
def messages(raw: dict[str, bytes]) -> dict[str, EmailMessage]:
    parser = BytesParser(policy=policy.default)
    parsed = {}
    for name, data in raw.items():
        message = parser.parsebytes(data)
        assert isinstance(message, EmailMessage)
        parsed[name] = message
    return parsed


def received_at(message: EmailMessage) -> datetime:
    top = str(message.get_all("Received", [""])[0])
    return parsedate_to_datetime(top.rsplit(";", 1)[1].strip())


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def attachments(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    return [a for a in message.iter_attachments() if a.get_content_type() == content_type]


def test_layout_and_count(maildir: Path, raw: dict[str, bytes]) -> None:
    assert {p.name for p in maildir.iterdir()} == {"new", "cur", "tmp"}
    assert not list((maildir / "cur").iterdir()) and not list((maildir / "tmp").iterdir())
    assert len(raw) >= 30
    assert all(re.fullmatch(r"\d{10}\.M\d+P1\.demo", name) for name in raw)


def test_every_message_parses_with_the_headers_a_mailbox_has(
    messages: dict[str, EmailMessage], raw: dict[str, bytes]
) -> None:
    for name, message in messages.items():
        assert raw[name].startswith(b"Received: from "), name
        assert b"\r\n" not in raw[name], name
        assert not message.defects, (name, message.defects)
        assert str(message["To"]) == "unpan@un.org"
        for header in ("From", "Subject", "Date", "Content-Language"):
            assert message[header], (name, header)
        assert EXAMPLE_DOMAIN.search(message["From"].addresses[0].domain), name
        text_of(message)  # every body decodes in its declared charset
        for part in message.walk():
            for sub in part.iter_parts() if part.is_multipart() else ():
                assert "MIME-Version" not in sub


def test_received_times_deadline_and_clocks(
    maildir: Path, messages: dict[str, EmailMessage]
) -> None:
    times = {name: received_at(m) for name, m in messages.items()}
    for name, when in times.items():
        assert datetime(2010, 10, 1, tzinfo=UTC) <= when < datetime(2010, 12, 1, tzinfo=UTC)
        assert int(name.split(".")[0]) == int(when.timestamp())
        assert int((maildir / "new" / name).stat().st_mtime) == int(when.timestamp())
    late = [name for name, when in times.items() if when > DEADLINE]
    assert 2 <= len(late) <= 3
    last_minute = [
        m
        for name, m in messages.items()
        if times[name].astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M") == "2010-11-15 23:30"
    ]
    assert len(last_minute) == 1
    assert last_minute[0]["Date"].datetime.day == 16  # sent "on the 16th", received on time
    skewed = [m for name, m in messages.items() if abs(m["Date"].datetime - times[name]).days]
    assert skewed  # a sender's clock a day off
    assert sum("Message-ID" not in m for m in messages.values()) == 1


def test_languages_and_charsets(messages: dict[str, EmailMessage]) -> None:
    languages = Counter(str(m["Content-Language"]) for m in messages.values())
    assert languages["en"] > len(messages) / 2
    for lang in ("fr", "es", "ru", "ar", "zh"):
        assert languages[lang] >= 3, lang
    charsets = {part.get_content_charset() for m in messages.values() for part in m.walk()} - {None}
    assert {"utf-8", "iso-8859-1", "koi8-r", "windows-1251", "windows-1256", "gb2312"} <= charsets
    subjects = " ".join(str(m["Subject"]) for m in messages.values())
    for word in ("coopération", "cooperación", "Северия", "التعاون", "加强合作"):
        assert word in subjects


def test_structures(messages: dict[str, EmailMessage]) -> None:
    types = Counter(m.get_content_type() for m in messages.values())
    assert types["text/plain"] and types["multipart/alternative"] and types["multipart/mixed"]
    assert types["text/html"] == 1
    assert any(str(m["Organization"] or "") for m in messages.values())
    reply = [m for m in messages.values() if m["In-Reply-To"]]
    assert len(reply) == 1
    body = text_of(reply[0])
    assert "\n> " in body and "\n-- \n" in body
    assert re.search(r"\+\d[\d ()-]{8,}", body.split("\n-- \n")[1])  # a phone number


def test_addresses_only_in_headers_and_signatures(messages: dict[str, EmailMessage]) -> None:
    for message in messages.values():
        before_signature = text_of(message).split("\n-- \n")[0]
        assert not ADDRESS.search(before_signature), message["Subject"]
    signed = [text_of(m).split("\n-- \n") for m in messages.values()]
    assert any(len(parts) == 2 and ADDRESS.search(parts[1]) for parts in signed)


def test_pdf_attachments_have_text(messages: dict[str, EmailMessage]) -> None:
    pdfs = [a for m in messages.values() for a in attachments(m, "application/pdf")]
    assert len(pdfs) >= 6
    for part in pdfs:
        reader = pypdf.PdfReader(io.BytesIO(part.get_content()))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert len(text) > 200, part.get_filename()
    names = {part.get_filename() for part in pdfs}
    assert "Contribución de la sociedad civil.pdf" in names


def test_docx_attachments_open(messages: dict[str, EmailMessage]) -> None:
    docs = [a for m in messages.values() for a in attachments(m, DOCX)]
    assert len(docs) >= 4
    scripts = set()
    for part in docs:
        document = docx.Document(io.BytesIO(part.get_content()))
        text = "\n".join(p.text for p in document.paragraphs)
        assert len(text) > 100, part.get_filename()
        scripts |= {"cyrillic" for c in text if "а" <= c <= "я"}
        scripts |= {"arabic" for c in text if "\u0600" <= c <= "\u06ff"}
        scripts |= {"han" for c in text if "\u4e00" <= c <= "\u9fff"}
    assert scripts == {"cyrillic", "arabic", "han"}
    both = [m for m in messages.values() if len(list(m.iter_attachments())) == 2]
    assert len(both) == 1


def test_non_ascii_attachment_name_is_rfc2231(raw: dict[str, bytes]) -> None:
    assert any(b"filename*=utf-8''Contribuci%C3%B3n" in data for data in raw.values())


def test_hostile_message_is_there(messages: dict[str, EmailMessage]) -> None:
    hostile = [m for m in messages.values() if HOSTILE_SCRIPT in str(m["Subject"])]
    assert len(hostile) == 1
    message = hostile[0]
    assert HOSTILE_IMG in message["From"].addresses[0].display_name
    assert HOSTILE_SCRIPT in text_of(message) and HOSTILE_IMG in text_of(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None and HOSTILE_SCRIPT in html_part.get_content()


def test_two_runs_write_the_same_bytes(tmp_path: Path, raw: dict[str, bytes]) -> None:
    write_demo_maildir(tmp_path / "again")
    again = {p.name: p.read_bytes() for p in sorted((tmp_path / "again" / "new").iterdir())}
    assert again == raw
