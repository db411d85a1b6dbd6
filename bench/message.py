"""One generated message: its bytes depend only on (seed, index).

Each message imitates one mail client of 2010 (Outlook, Gmail, Thunderbird, Apple Mail,
PHPMailer): its boundaries, its transfer encodings, how it encodes headers and file names.
"""

from __future__ import annotations

import base64
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from bench.headers import display_name, fold, unstructured
from bench.parts import (
    ENCODINGS,
    MAILBOX,
    Part,
    attachment,
    boundary_for,
    encodable,
    forwarded_message,
    html_body,
    multipart,
    prose,
    text_part,
    wrap,
)
from bench.texts import EN, LANGUAGES, ZH_TRADITIONAL_NAME, ZH_TRADITIONAL_SUBJECT, Language

MIN_SIZE = 2048
MAX_SIZE = 300 * 1024
MX = "mx.un.example"
NEW_YORK = ZoneInfo("America/New_York")
FIRST = datetime(2010, 10, 1, 9, 0, tzinfo=NEW_YORK).timestamp()
LAST = datetime(2010, 11, 20, 9, 0, tzinfo=NEW_YORK).timestamp()
SENDER_OFFSETS = {
    "en": (-5, 0, 1, 3, 12),
    "fr": (1, 0, 1),
    "es": (1, -3, -5),
    "ru": (3, 4),
    "ar": (2, 3, 4),
    "zh": (8,),
}
MAILERS = ("outlook", "gmail", "thunderbird", "apple", "phpmailer")
MAILER_WEIGHTS = (35, 25, 20, 10, 10)


@dataclass(frozen=True)
class Built:
    epoch: int  # when the mailbox received it
    data: bytes
    facts: dict[str, object]


@dataclass(frozen=True)
class Sender:
    """Who writes, with which client and charset, and when the mailbox received it."""

    lang: Language
    mailer: str
    charset: str  # of the body, as first chosen
    header_charset: str  # the body's, or UTF-8 where it cannot spell the subject or name
    name: str
    organisation: str
    subject: str
    domain: str
    address: str
    received: datetime
    sent: datetime


def _pick_language(rng: random.Random) -> Language:
    return rng.choices(LANGUAGES, weights=[lang.share for lang in LANGUAGES])[0]


def _stamp(when: datetime) -> str:
    """A Postfix-style date: `Mon,  8 Nov 2010 14:03:11 -0500 (EST)`."""
    zone = when.tzname() or ""
    suffix = "" if zone.startswith("UTC") else f" ({zone})"
    return f"{format_datetime(when).replace(', 0', ',  ')}{suffix}"


def _size_target(rng: random.Random, attachments: bool) -> int:
    if attachments:
        return int(min(MAX_SIZE, max(MIN_SIZE, rng.lognormvariate(math.log(50_000), 1.0))))
    return int(min(60_000, max(MIN_SIZE, rng.lognormvariate(math.log(5_200), 0.55))))


def _expansion(body_kind: str, encoding: str, lang: Language, charset: str) -> float:
    """Encoded body bytes per byte of text: HTML repeats the text, QP triples non-Latin bytes."""
    copies = {"alternative": 2.5, "html": 1.5, "plain": 1.0}[body_kind]
    if encoding == "base64":
        per_byte = 1.37
    elif encoding == "quoted-printable" and lang.code in ("ru", "ar", "zh"):
        per_byte = 2.9
    else:
        per_byte = 1.05
    return copies * per_byte


def build_message(seed: int, index: int) -> Built:
    """Message `index` of mailbox `seed`; resized (deterministically) to stay in 2 KB-300 KiB."""
    scale = 1.0
    for _ in range(8):
        built = _compose(random.Random(f"mailroom-bench:{seed}:{index}"), scale)
        if len(built.data) > MAX_SIZE:
            scale *= 0.6
        elif len(built.data) < MIN_SIZE:
            scale *= 1.6
        else:
            return built
    data = (
        built.data[:MAX_SIZE] if len(built.data) > MAX_SIZE else built.data.ljust(MIN_SIZE, b"\n")
    )
    return Built(built.epoch, data, built.facts)


def _headers(
    rng: random.Random, sender: Sender, *, has_received: bool, has_message_id: bool
) -> list[str]:
    """The header block, top Received first, as the sender's client and our MX wrote it."""
    mailer, domain, received, sent = sender.mailer, sender.domain, sender.received, sender.sent
    headers: list[str] = []
    if has_received:
        ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"
        queue = f"{rng.randrange(16**10):010X}"
        headers.append(
            f"Received: from mail.{domain} (mail.{domain} [{ip}])\n\tby {MX} (Postfix) with "
            f"ESMTPS id {queue}\n\tfor <{MAILBOX}>; {_stamp(received)}"
        )
        if rng.random() < 0.6:
            hop = received - timedelta(seconds=rng.randint(1, 30))
            headers.append(
                f"Received: from [10.{rng.randrange(256)}.{rng.randrange(256)}.1]"
                f" (unknown [10.0.0.1])\n\tby mail.{domain} (Postfix) with ESMTPSA id "
                f"{rng.randrange(16**10):010X}\n\tfor <{MAILBOX}>; "
                f"{_stamp(hop.astimezone(sent.tzinfo))}"
            )
    if has_message_id:
        if mailer == "gmail":
            mid = f"<AANLkTi{base64.b32encode(rng.randbytes(20)).decode().lower()}@mail.gmail.com>"
        else:
            mid = f"<{sent:%Y%m%d%H%M%S}.{rng.randrange(16**8):08X}@{domain}>"
        headers.append(f"Message-ID: {mid}")
    headers.append(f"Date: {format_datetime(sent)}")
    mode = "Q" if mailer in ("apple", "thunderbird") and rng.random() < 0.5 else "B"
    headers.append(
        f"From: {display_name(sender.name, sender.header_charset, mode)} <{sender.address}>"
    )
    if sender.organisation and rng.random() < 0.3:
        headers.append(
            fold("Organization", unstructured(sender.organisation, sender.header_charset, mode))
        )
    headers.append(f"To: {MAILBOX}")
    subject_style = "outlook" if mailer == "outlook" else mode
    headers.append(
        fold("Subject", unstructured(sender.subject, sender.header_charset, subject_style))
    )
    if mailer == "outlook":
        headers.append("X-Mailer: Microsoft Office Outlook 12.0")
        headers.append(f"Thread-Index: Act{base64.b64encode(rng.randbytes(18)).decode()}")
    elif mailer == "thunderbird":
        headers.append(
            "User-Agent: Mozilla/5.0 (Windows; U; Windows NT 6.1; rv:1.9.2.12) "
            "Gecko/20101027 Thunderbird/3.1.6"
        )
    elif mailer == "apple":
        headers.append("X-Mailer: Apple Mail (2.1081)")
    elif mailer == "phpmailer":
        headers.append("X-Mailer: PHPMailer 5.1 (phpmailer.sourceforge.net)")
    headers.append("MIME-Version: 1.0")
    if rng.random() < 0.4:
        headers.append(f"Content-Language: {sender.lang.code}")
    return headers


def _sender(rng: random.Random) -> Sender:
    lang = _pick_language(rng)
    mailer = rng.choices(MAILERS, weights=MAILER_WEIGHTS)[0]
    charset = rng.choice(lang.legacy) if rng.random() < lang.legacy_share else "utf-8"
    name = ZH_TRADITIONAL_NAME if charset == "big5" else rng.choice(lang.names)
    organisation = rng.choice(lang.organisations)
    if charset == "big5" and organisation:
        organisation = "中華網際網路協會"
    subject = ZH_TRADITIONAL_SUBJECT if charset == "big5" else rng.choice(lang.subjects)
    epoch = rng.uniform(FIRST, LAST)
    sent = datetime.fromtimestamp(
        epoch - rng.randint(5, 400),
        timezone(timedelta(hours=rng.choice(SENDER_OFFSETS[lang.code]))),
    )
    domain = f"{rng.choice(('mail', 'org', 'net', 'gov', 'edu'))}{rng.randrange(900)}.example"
    return Sender(
        lang=lang,
        mailer=mailer,
        charset=charset,
        header_charset=charset if encodable(subject + name + organisation, charset) else "utf-8",
        name=name,
        organisation=organisation,
        subject=subject,
        domain=domain,
        address=f"user{rng.randrange(100_000)}@{domain}",
        received=datetime.fromtimestamp(epoch, NEW_YORK),
        sent=sent,
    )


def _compose(rng: random.Random, scale: float) -> Built:
    sender = _sender(rng)
    lang, mailer, charset, name = sender.lang, sender.mailer, sender.charset, sender.name
    organisation, epoch = sender.organisation, sender.received.timestamp()

    roll = rng.random()
    body_kind = "alternative" if roll < 0.54 else "plain" if roll < 0.90 else "html"
    n_attachments = rng.choices((0, 1, 2, 3), weights=(70, 24, 5, 1))[0]
    forwarded = rng.random() < 0.014
    target = int(_size_target(rng, bool(n_attachments) or forwarded) * scale)
    encoding = rng.choice(ENCODINGS[mailer])

    # Attachments first: the body fills what is left of the size target.
    attachments: list[Part] = []
    kinds: list[str] = []
    used = 0
    style = rng.choice(("plain", "2231", "2231-long", "2047")) if mailer != "phpmailer" else "2047"
    for number in range(1, n_attachments + 1):
        kind = rng.choices(("pdf", "docx", "txt"), weights=(50, 30, 20))[0]
        room = int((MAX_SIZE - 12_000) * 0.73) - used
        if kind == "docx" and room < 40_000:
            kind = "txt"
        budget = min(room, max(1500, int((target * 0.73 - used) / (n_attachments - number + 1))))
        part, raw = attachment(rng, lang, name, kind, budget, style, number)
        attachments.append(part)
        kinds.append(kind)
        used += raw
    if forwarded:
        attachments.append(forwarded_message(rng, lang, epoch))

    if attachments:  # a covering note, whatever the attachments weigh
        text_target = int(rng.lognormvariate(math.log(1_800), 0.7) * scale)
    else:
        text_target = int((target - 900) / _expansion(body_kind, encoding, lang, charset))
    paragraphs = prose(lang, rng, max(200, text_target), charset)
    if rng.random() < 0.1:
        quoted = rng.choice(EN.sentences)
        paragraphs.append("\n".join("> " + line for line in wrap(quoted, 70, False).split("\n")))
    signature = f"-- \n{name}\n{organisation}" if organisation else f"-- \n{name}"
    cjk = lang.code == "zh"
    plain = "\n\n".join(wrap(p, 72, cjk) for p in paragraphs) + "\n\n" + signature + "\n"

    html_text = html_body(paragraphs, lang.code, charset, mailer)
    if not encodable(plain + html_text, charset):  # e.g. "œ" has no place in iso-8859-1
        charset = next((c for c in lang.legacy if encodable(plain + html_text, c)), "utf-8")
        html_text = html_body(paragraphs, lang.code, charset, mailer)

    flowed = "; format=flowed" if mailer == "thunderbird" else ""
    if body_kind == "plain":
        body = text_part("plain", plain, charset, encoding, flowed)
    elif body_kind == "html":
        body = text_part("html", html_text, charset, encoding)
    else:
        body = multipart(
            "alternative",
            boundary_for(rng, mailer, 1),
            [
                text_part("plain", plain, charset, encoding, flowed),
                text_part("html", html_text, charset, encoding),
            ],
        )
    top = (
        multipart("mixed", boundary_for(rng, mailer, 0), [body, *attachments])
        if attachments
        else body
    )

    has_received = rng.random() >= 0.03
    has_message_id = rng.random() >= 0.01
    headers = _headers(rng, sender, has_received=has_received, has_message_id=has_message_id)
    data = ("\n".join(headers) + "\n").encode("ascii") + top.render()
    facts: dict[str, object] = {
        "lang": lang.code,
        "subject": sender.subject,
        "from_name": name,
        "charset": charset,
        "legacy": charset != "utf-8",
        "mailer": mailer,
        "body": body_kind,
        "attachments": kinds,
        "forwarded": forwarded,
        "message_id": has_message_id,
        "received_header": has_received,
    }
    return Built(int(epoch), data, facts)
