"""MIME parts as 2010 mail clients wrote them: text bodies, HTML, attachments, forwards.

Built by hand rather than with `email.message`, for speed and so that each imitated client
(Outlook, Gmail, Thunderbird, Apple Mail, PHPMailer) keeps its own boundaries and encodings.
"""

from __future__ import annotations

import base64
import binascii
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from bench.documents import make_docx, make_pdf, wrap_words
from bench.headers import filename_params, fold, name_param, unstructured
from bench.texts import ATTACHMENT_STEMS, DOCUMENT_TITLES, EN, ZH_TRADITIONAL, Language

MAILBOX = "unpan@un.org"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ENCODINGS = {  # body transfer encodings each client used
    "outlook": ("quoted-printable", "quoted-printable", "base64"),
    "gmail": ("base64", "quoted-printable", "7bit"),
    "thunderbird": ("8bit", "8bit", "quoted-printable"),
    "apple": ("quoted-printable", "7bit", "quoted-printable"),
    "phpmailer": ("8bit", "base64", "quoted-printable"),
}


@dataclass
class Part:
    headers: list[str]
    body: bytes

    def render(self) -> bytes:
        return ("\n".join(self.headers) + "\n\n").encode("ascii") + self.body


def encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def boundary_for(rng: random.Random, mailer: str, level: int) -> str:
    if mailer == "outlook":
        a, b, c = rng.randrange(16**4), rng.randrange(16**4), rng.randrange(16**8)
        return f"----=_NextPart_{level:03d}_{a:04X}_01CB{b:04X}.{c:08X}"
    if mailer == "gmail":
        return f"{rng.randrange(16**28):028x}"
    if mailer == "thunderbird":
        return "------------" + "".join(str(rng.randrange(10)) for _ in range(24))
    if mailer == "apple":
        return f"Apple-Mail-{rng.randrange(100)}--{rng.randrange(10**9)}"
    return f"b1_{rng.randrange(16**32):032x}"


def prose(lang: Language, rng: random.Random, target: int, charset: str) -> list[str]:
    """Paragraphs of about `target` encoded bytes: greeting, prose, closing."""
    sentences = ZH_TRADITIONAL if charset == "big5" else lang.sentences
    paragraphs = [rng.choice(lang.greetings) if charset != "big5" else "各位同事："]
    size = len(paragraphs[0].encode(charset))
    while size < target:
        paragraph = lang.joiner.join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        size += len(paragraph.encode(charset, "replace")) + 2
    paragraphs.append(rng.choice(lang.closings) if charset != "big5" else "順頌商祺")
    return paragraphs


def wrap(paragraph: str, width: int, cjk: bool) -> str:
    if cjk:
        return "\n".join(paragraph[i : i + 36] for i in range(0, len(paragraph), 36))
    return "\n".join(wrap_words(paragraph, width))


def transfer(data: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        return binascii.b2a_qp(data)
    return data


def text_part(subtype: str, text: str, charset: str, encoding: str, extra: str = "") -> Part:
    data = text.encode(charset)
    if encoding == "7bit" and not data.isascii():
        encoding = "8bit"
    if encoding == "8bit" and data.isascii():
        encoding = "7bit"
    return Part(
        [
            f"Content-Type: text/{subtype}; charset={charset}{extra}",
            f"Content-Transfer-Encoding: {encoding}",
        ],
        transfer(data, encoding),
    )


def html_body(paragraphs: list[str], lang: str, charset: str, mailer: str) -> str:
    direction = ' dir="rtl"' if lang == "ar" else ""
    if mailer == "outlook":
        head = (
            f'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv='
            f'"Content-Type" content="text/html; charset={charset}"><style><!--\n'
            "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; margin-bottom:.0001pt;"
            ' font-size:11.0pt; font-family:"Calibri","sans-serif";}\n--></style></head>'
        )
        body = "".join(f'<p class="MsoNormal">{escape(p)}<o:p></o:p></p>\n' for p in paragraphs)
        section = f'<div class="WordSection1">\n{body}</div>'
        return f'{head}<body lang="{lang}"{direction}>{section}</body></html>\n'
    body = "".join(f"<div>{escape(p)}</div><div><br></div>\n" for p in paragraphs)
    return f'<html><head><meta charset="{charset}"></head><body{direction}>\n{body}</body></html>\n'


def multipart(subtype: str, boundary: str, parts: list[Part]) -> Part:
    chunks = [b"--" + boundary.encode() + b"\n" + part.render() for part in parts]
    body = b"\n".join(chunks) + b"\n--" + boundary.encode() + b"--\n"
    return Part([f'Content-Type: multipart/{subtype};\n boundary="{boundary}"'], body)


def attachment(
    rng: random.Random, lang: Language, sender: str, kind: str, budget: int, style: str, number: int
) -> tuple[Part, int]:
    """One attachment part and its raw size; `budget` is the raw bytes it may take."""
    stems = ATTACHMENT_STEMS[lang.code] if rng.random() < 0.6 else ATTACHMENT_STEMS["en"]
    stem = rng.choice(stems)
    title = rng.choice(DOCUMENT_TITLES)
    writing = lang if lang.code in ("en", "fr", "es") else EN
    if kind == "txt":
        charset = "utf-8"
        paragraphs = prose(writing, rng, max(400, min(budget, 20000)), charset)
        data = "\n\n".join(paragraphs).encode(charset)
        content_type = f"text/plain; charset={charset}"
        filename = f"{stem}.txt"
    elif kind == "pdf":
        text_bytes = rng.randint(1500, 9000)
        paragraphs = prose(writing, rng, text_bytes, "utf-8")
        scanned = rng.random() < 0.4
        noise = (
            max(0, min(budget - text_bytes // 3 - 2000, rng.randint(20_000, 230_000)))
            if scanned
            else 0
        )
        data = make_pdf(
            title,
            sender if sender.isascii() else "Consultation respondent",
            paragraphs,
            noise=noise,
            rng=rng,
        )
        content_type = "application/pdf"
        filename = f"{stem}.pdf"
    else:
        paragraphs = prose(writing, rng, rng.randint(1500, 6000), "utf-8")
        data = make_docx(title, sender, lang.code, paragraphs)
        content_type = DOCX_TYPE
        filename = f"{stem}.docx"
    if number > 1 and rng.random() < 0.5:
        filename = filename.replace(".", f" ({number}).", 1)
    disposition = f"Content-Disposition: attachment;\n {filename_params(filename, style)}"
    encoding = "base64" if kind != "txt" else rng.choice(["base64", "quoted-printable"])
    part = Part(
        [
            f"Content-Type: {content_type};\n {name_param(filename)}",
            f"Content-Transfer-Encoding: {encoding}",
            disposition,
        ],
        transfer(data, encoding),
    )
    return part, len(data)


def forwarded_message(rng: random.Random, lang: Language, epoch: float) -> Part:
    when = datetime.fromtimestamp(epoch - rng.randint(3600, 9 * 86400), UTC)
    sender = rng.choice(EN.names)
    inner = "\n".join(
        [
            f"From: {sender} <{sender.split()[0].lower()}@partner.example.org>",
            f"To: {MAILBOX}",
            fold("Subject", unstructured(rng.choice(EN.subjects), "utf-8", "B")),
            f"Date: {format_datetime(when)}",
            f"Message-ID: <{rng.randrange(16**12):012x}@partner.example.org>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "\n\n".join(
                wrap(p, 72, False) for p in prose(EN, rng, rng.randint(600, 2500), "ascii")
            ),
            "",
        ]
    ).encode("ascii")
    return Part(["Content-Type: message/rfc822", "Content-Disposition: attachment"], inner)
