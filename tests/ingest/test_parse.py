"""Parsing without a database: charsets, file names, the three parser paths, limits, segments."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from ingest import LimitSettings, parse_message
from ingest.bounds import Span, decoded_chunks
from ingest.charsets import decode_text
from ingest.language import detect_language, direction
from ingest.names import checked_name, safe_name, unique_names
from ingest.segments import mark_segments
from ingest.sniff import sniff
from tests import samples
from tests.conftest import CORPUS
from tests.messages import comment

UN_LANGUAGES = {
    "en": "We welcome this consultation on enhanced cooperation and the role of every "
    "stakeholder in shaping international public policy for the Internet.",
    "fr": "Nous saluons cette consultation sur la coopération renforcée et le rôle de chaque "
    "partie prenante dans les politiques publiques internationales relatives à l'Internet.",
    "es": "Acogemos con satisfacción esta consulta sobre la cooperación reforzada y el papel "
    "de todas las partes interesadas en las políticas públicas internacionales de Internet.",
    "ru": "Мы приветствуем эту консультацию по расширенному сотрудничеству и роли всех "
    "заинтересованных сторон в международной государственной политике в области Интернета.",
    "zh": "我们欢迎就加强合作问题进行的这次磋商，以及所有利益攸关方在制定与互联网有关的"
    "国际公共政策方面的作用。",
    "ar": "نرحب بهذه المشاورة بشأن التعاون المعزز ودور جميع أصحاب المصلحة في السياسات العامة "
    "الدولية المتعلقة بالإنترنت.",
}


def raw(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


@pytest.mark.parametrize(
    ("data", "declared", "text", "guessed"),
    [
        ("สวัสดีครับ ความคิดเห็น".encode("cp874"), "windows-874", "สวัสดีครับ ความคิดเห็น", False),
        ("Café crème".encode(), "iso-8859-1", "Café crème", True),  # UTF-8 labelled Latin-1
        (
            "中文评论意见".encode("gb18030"),
            "gb2312",
            "中文评论意见",
            False,
        ),  # GB2312 read as GB18030
        (
            "Это комментарий к консультации по сотрудничеству".encode("cp1251"),
            "x-unknown",
            "Это комментарий к консультации по сотрудничеству",
            True,
        ),
        (
            "Ça va très bien. ".encode() + "crème brûlée à la carte".encode("cp1252"),
            "utf-8",
            "Ça va très bien. crème brûlée à la carte",
            True,
        ),
        (b"\xff\xfe" + "Счет за услуги".encode("utf-16-le"), None, "Счет за услуги", False),
    ],
    ids=["windows-874", "wrong-label", "gb2312", "x-unknown", "mixed", "bom"],
)
def test_charsets_are_decoded_without_losing_meaning(
    data: bytes, declared: str | None, text: str, guessed: bool
) -> None:
    decoded = decode_text(data, declared)
    assert decoded.text == text
    assert decoded.guessed is guessed
    assert (decoded.note is not None) is guessed


def test_eight_bit_headers_are_read_in_the_message_charset_and_the_guess_is_recorded() -> None:
    message = (
        b"From: =?windows-1251?B?yOLg7SDP5fLw7uI=?= <ivan@example.org>\r\n"
        b"Subject: " + "Комментарий к консультации".encode("cp1251") + b"\r\n"
        b"Content-Type: text/plain; charset=windows-1251\r\n\r\n"
        + "Текст комментария.".encode("cp1251")
        + b"\r\n"
    )
    parsed = parse_message(message)
    assert parsed.subject == "Комментарий к консультации"
    assert parsed.sender_name == "Иван Петров"
    assert parsed.body_text == "Текст комментария."
    assert "CharsetGuessed:subject" in parsed.defects


def test_file_names_from_rfc_2231_and_2047_are_made_safe() -> None:
    message = raw(
        "From: a@example.org\nSubject: names\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n',
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''%D0%9F%D1%80%D0%B5%D0%B4%D0%BB%D0%BE%D0%B6;\r\n"
        b" filename*1*=%D0%B5%D0%BD%D0%B8%D1%8F.pdf\r\n\r\n"
        + base64.b64encode(samples.pdf())
        + b"\r\n--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?B?5rOo6YeKLnBkZg==?="\r\n\r\n'
        + base64.b64encode(samples.pdf())
        + b"\r\n--b--\r\n",
    )
    names = [a.name for a in parse_message(message).attachments]
    assert names == ["Предложения.pdf", "注释.pdf"]


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("a\x00b\x1fc.txt", "a_b_c.txt"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),
        ("..", "attachment-3.pdf"),
        ("   ", "attachment-3.pdf"),
    ],
)
def test_unsafe_names_become_safe(original: str, safe: str) -> None:
    assert safe_name(original, "application/pdf", 3) == safe


def test_names_are_unique_and_say_what_the_content_is() -> None:
    assert unique_names(["a.pdf", "A.pdf", "a.pdf"]) == ["a.pdf", "A (2).pdf", "a (3).pdf"]
    html = sniff(b"<html><script>x</script></html>")
    assert checked_name("report.pdf", html) == (
        "report.pdf.html",
        "named .pdf but the content is text/html",
    )
    assert checked_name("report.PDF", sniff(samples.pdf())) == ("report.PDF", None)
    assert checked_name("scan", sniff(samples.pdf()))[0] == "scan.pdf"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/peer is not on this machine")
@pytest.mark.parametrize(
    ("path", "parser", "text"),
    [
        ("stalwartlabs-mail-parser/malformed/001.eml", "email", ""),
        ("stalwartlabs-mail-parser/malformed/013.eml", "email", "hello, world"),
        ("apache-james-mime4j/testmsgs/ending-boundaries.msg", "repaired", "first part"),
        ("stalwartlabs-mail-parser/malformed/004.eml", "repaired", "body"),
        ("apache-james-mime4j/testmsgs/missing-boundary.msg", "mail-parser", "AAA"),
    ],
)
def test_where_mail_parser_fails_another_path_reads_it_and_says_which(
    path: str, parser: str, text: str
) -> None:
    parsed = parse_message((CORPUS / path).read_bytes())
    assert parsed.parser == parser
    assert text in parsed.body_text
    if parser == "email":
        assert any(d.startswith("ParserFallback:mail-parser") for d in parsed.defects)


def test_a_big_attachment_is_cut_out_of_the_parse_and_decoded_in_chunks() -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    message = comment(1, attachments=[("big.bin", "application/octet-stream", data)])
    parsed = parse_message(message)
    (attachment,) = parsed.attachments
    assert isinstance(attachment.payload, Span)
    assert parsed.bounded is not None and len(parsed.bounded.data) < 64 * 1024
    decoded = b"".join(decoded_chunks(message, attachment.payload, attachment.encoding))
    assert hashlib.sha256(decoded).digest() == hashlib.sha256(data).digest()
    assert parsed.body_text == "This is comment 1."


def test_header_limits_cut_and_flag_but_keep_what_a_submission_needs() -> None:
    headers = "".join(f"X-Spam-{n}: {n}\n" for n in range(2000))
    message = raw(
        f"{headers}From: Amina <amina@example.org>\nSubject: {'long ' * 30000}\n"
        "Content-Type: text/plain\n",
        b"The comment.\r\n",
    )
    parsed = parse_message(message, LimitSettings(max_headers=100, max_header_bytes=1024))
    assert parsed.sender_address == "amina@example.org"
    assert parsed.body_text == "The comment."
    assert len(parsed.subject) < 1024
    assert any("max_headers" in flag for flag in parsed.flags)
    assert any("max_header_bytes" in flag for flag in parsed.flags)


def test_html_mail_becomes_text_and_sanitised_html() -> None:
    html = (
        "<p onclick='x()'>Dear <b>colleagues</b></p><script>alert(1)</script>"
        "<a href='javascript:alert(1)'>j</a><img src='http://tracker.example/p.png'>"
        "<iframe src='http://evil.example'></iframe><form><input></form>"
        "<a href='https://www.un.org/'>UN</a>"
    )
    parsed = parse_message(comment(1, body="", html=html).replace(b"text/plain", b"text/x-none"))
    assert "Dear colleagues" in parsed.body_text and "alert" not in parsed.body_text
    assert parsed.body_html is not None
    for bad in ("<script", "onclick", "javascript:", "tracker.example", "<iframe", "<form", "<img"):
        assert bad not in parsed.body_html
    assert 'href="https://www.un.org/"' in parsed.body_html


def test_quoted_replies_and_signatures_are_marked_not_removed() -> None:
    text = (
        "We support the proposal.\n-- \nAmina Diallo\nMinistry\n\n"
        "On Mon, Nov 8, 2010 at 10:00 AM, Jo <jo@example.org> wrote:\n> Earlier text\n"
    )
    segments = mark_segments(text)
    assert [s["kind"] for s in segments] == ["text", "signature", "quote"]
    assert "".join(text[s["start"] : s["end"]] for s in segments) == text
    assert text[segments[2]["start"] :].startswith("On Mon, Nov 8")
    forward = "FYI\n\n---------- Forwarded message ----------\nFrom: x\n\nThe comment itself\n"
    assert [s["kind"] for s in mark_segments(forward)] == ["text"]
    assert [s["kind"] for s in mark_segments("> only quoted\n> text\n")] == ["text"]


def test_an_attribution_is_found_after_many_lines_and_a_long_comment_is_not_folded() -> None:
    """Only lines that end like an attribution are tried; a wrapped one is still found; and a
    comment longer than quotequail's line limit is all text, not a quote from line 1000 on."""
    opening = "".join(
        f"Point {n}: see annex {n}.\nWe agree with the following:\n" for n in range(60)
    )
    wrapped = (
        "On Mon, Nov 8, 2010 at 10:00 AM, Jo Bloggs of the\nMinistry <jo@example.org> wrote:\n"
    )
    text = opening + wrapped + "> Earlier text\n"
    segments = mark_segments(text)
    assert [s["kind"] for s in segments] == ["text", "quote"]
    assert text[segments[1]["start"] :].endswith("wrote:\n> Earlier text\n")
    assert text[: segments[0]["end"]].startswith(opening)
    long_comment = "A paragraph of the comment.\n" * 1500
    assert [s["kind"] for s in mark_segments(long_comment)] == ["text"]


@pytest.mark.parametrize("code", sorted(UN_LANGUAGES))
def test_the_six_un_languages_are_recognised(code: str) -> None:
    assert detect_language(UN_LANGUAGES[code]) == code
    assert direction(code) == ("rtl" if code == "ar" else "ltr")


def test_too_little_text_has_no_language() -> None:
    assert detect_language("ok thanks") is None
    assert detect_language("") is None


def test_limits_come_from_the_config_table(tmp_path: Path) -> None:
    from mailroom.config import ConfigError, load_settings
    from tests.cli import write_config

    config = write_config(tmp_path)
    config.write_text(config.read_text() + "\n[limits]\nmax_attachments = 7\n")
    assert load_settings(config).limits.max_attachments == 7
    config.write_text(config.read_text() + "max_attachmnets = 8\n")
    with pytest.raises(ConfigError, match=r"\[limits\] max_attachmnets: is not a known key"):
        load_settings(config)


@pytest.mark.parametrize("levels", [15, 50, 5000])
def test_deep_mime_is_read_to_max_depth_and_never_overflows_the_stack(levels: int) -> None:
    from tests.test_hostile import nested

    parsed = parse_message(nested(levels))
    assert parsed.subject == "Nested fifty deep"
    if levels <= 20:
        assert parsed.body_text.startswith("Deep down") and parsed.flags == []
    else:
        assert parsed.body_text == ""
        assert any("max_depth" in flag for flag in parsed.flags)
