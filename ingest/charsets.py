"""Text in whatever charset the sender's mailer claimed, read as the sender meant it.

Mail declares charsets that are missing, wrong (UTF-8 labelled Latin-1),
unknown to Python (`windows-874`, `x-mac-cyrillic`) or made up (`x-unknown`),
and mixes encodings in one part. Labels are resolved the way browsers resolve
them (the WHATWG table, via webencodings), with the usual supersets (GB2312 is
read as GB18030, Latin-1 as Windows-1252). Bytes that are valid UTF-8 are read
as UTF-8 whatever the label says; bytes the label cannot decode are guessed by
charset-normalizer, and the caller is told it was a guess. Nothing is dropped:
a run of bytes no charset explains becomes U+FFFD, never a crash.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import webencodings
from charset_normalizer import from_bytes

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "ascii": "cp1252", "latin-1": "cp1252"}
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "646", "iso646-us"}
_GUESS_BYTES = 64 * 1024  # charset-normalizer looks at no more than this
# What mail in the six UN languages (and most others) is written in; a guess among these
# is far better on short text than a guess among every codec Python knows.
_MAIL_CHARSETS = [
    "utf_8", "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "koi8_u",
    "cp1256", "iso8859_6", "cp1253", "cp1254", "cp1255", "cp1257", "cp874", "gb18030",
    "big5", "shift_jis", "euc_jp", "euc_kr", "mac_roman",
]  # fmt: skip
_UN_CHARSETS = {"utf_8", "cp1252", "iso8859_15", "cp1251", "koi8_r", "cp1256", "gb18030", "big5"}
_UN_PRIOR = 0.15
_SINGLE_BYTE = [c for c in _MAIL_CHARSETS if c.startswith(("cp", "iso", "koi", "mac"))]
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_SINGLE_BYTE_CODECS = {codecs.lookup(c).name for c in _SINGLE_BYTE}
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str
    guessed: bool = False
    note: str | None = None


def codec_for(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when nothing knows the label."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    found = webencodings.lookup(cleaned)
    if found is not None:
        name = str(found.codec_info.name)
    else:
        try:
            name = codecs.lookup(cleaned).name
        except (LookupError, ValueError):
            return None
    if name in ("replacement", "x-user-defined"):
        return None
    return _SUPERSETS.get(name, name)


def decode_text(data: bytes, declared: str | None) -> Decoded:
    """Decode a text part: the declared charset when it fits, else UTF-8, else a guess."""
    label = (declared or "").strip().lower() or None
    codec = codec_for(label)
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):  # a byte order mark says more than any label
            return Decoded(data[len(bom) :].decode(bom_codec, "replace"), bom_codec)
    if data.isascii():
        return Decoded(data.decode("ascii"), codec or "ascii")
    utf8 = _utf8(data)
    if utf8 is not None:
        if codec in (None, "utf-8"):
            guessed = codec is None
            return Decoded(utf8, "utf-8", guessed, _note(label, "utf-8") if guessed else None)
        if _strict(data, codec) is None or not codec.startswith("utf"):
            # Valid multi-byte UTF-8 is almost never legacy text by accident: the label is wrong.
            return Decoded(utf8, "utf-8", guessed=True, note=_note(label, "utf-8"))
    if codec is not None and not _looks_mixed(data):
        text = _strict(data, codec)
        if text is not None and label in _ASCII_LABELS:  # 8-bit bytes declared ASCII: as browsers
            return Decoded(text, codec, guessed=True, note=f"declared {label!r}; read as {codec}")
        if text is not None:
            return Decoded(text, codec)
    if _looks_mixed(data):
        guess = _single_byte_guess(data, codec)
        note = f"mixed UTF-8 and {guess}; each run read as what it is"
        return Decoded(_mixed(data, guess), f"utf-8+{guess}", guessed=True, note=note)
    guess = _guess(data)
    text = _strict(data, guess)
    if text is None:  # mostly UTF-8 with stray bytes: those are read as Windows-1252
        fallback = _single_byte_guess(data, codec)
        note = f"{_note(label, 'utf-8')}; bytes that are not UTF-8 read as {fallback}"
        return Decoded(_mixed(data, fallback), f"utf-8+{fallback}", guessed=True, note=note)
    return Decoded(text, guess, guessed=True, note=_note(label, guess))


def repair(text: str, hint: str | None = None) -> tuple[str, bool]:
    """Readable, storable text from a header the parser left with undecodable bytes.

    Returns (text, whether its charset was guessed). `hint` is a charset the
    message declares elsewhere (8-bit headers usually share the body's charset).
    """
    guessed = False
    if _SURROGATES.search(text):
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # lone surrogates that were never bytes
            text = _SURROGATES.sub("\ufffd", text)
        else:
            utf8 = _utf8(raw)
            hinted = codec_for(hint)
            if utf8 is not None:
                text = utf8
            elif hinted and hinted != "utf-8" and (decoded := _strict(raw, hinted)) is not None:
                text = decoded
                guessed = True
            else:
                guess = _guess(raw)
                text = _strict(raw, guess) or _mixed(raw, guess)
                guessed = True
    return clean_controls(text), guessed


def clean_controls(text: str) -> str:
    """No NUL or other C0 control a database or a page would choke on (tabs and newlines stay)."""
    return _CONTROLS.sub("", text)


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_mixed(data: bytes) -> bool:
    """Valid UTF-8 sequences and stray 8-bit bytes in one part: two encodings pasted together."""
    runs = _HIGH_RUN.findall(data)
    clean = sum(1 for run in runs if _utf8(run) is not None)
    return 0 < clean < len(runs) and clean * 4 >= len(runs)


def _single_byte_guess(data: bytes, declared: str | None) -> str:
    """The charset of the stray 8-bit runs in mixed text.

    Accented Latin letters come one byte at a time between ASCII letters; there
    the declared single-byte charset, or Windows-1252, is right. Longer runs
    (Cyrillic, Greek, Arabic words) are guessed.
    """
    runs = [run for run in _HIGH_RUN.findall(data) if _utf8(run) is None]
    if sum(len(run) for run in runs) <= 1.5 * len(runs):
        return declared if declared in _SINGLE_BYTE_CODECS else "cp1252"
    return _guess(b" ".join(runs), _SINGLE_BYTE)


def _guess(data: bytes, candidates: list[str] | None = None) -> str:
    """charset-normalizer's least chaotic readings, the tie broken towards the charsets the
    six UN languages are written in: short Cyrillic text must not come out Greek."""
    results = list(from_bytes(data[:_GUESS_BYTES], cp_isolation=candidates or _MAIL_CHARSETS))
    if not results:
        return "cp1252"
    calmest = min(r.chaos for r in results)
    best = max(
        (r for r in results if r.chaos <= calmest + 0.05),
        key=lambda r: r.coherence + (_UN_PRIOR if r.encoding in _UN_CHARSETS else 0.0),
    )
    return codec_for(best.encoding) or "cp1252"


def _mixed(data: bytes, fallback: str) -> str:
    """UTF-8 where the bytes are UTF-8, `fallback` for the runs between: mixed parts stay whole."""
    if fallback.startswith("utf") or fallback.startswith("gb") or "big5" in fallback:
        fallback = (
            "cp1252"  # the runs between are single bytes: a multi-byte codec would split them
        )
    pieces: list[str] = []
    position = 0
    while position < len(data):
        try:
            pieces.append(data[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            bad_start = position + error.start
            pieces.append(data[position:bad_start].decode("utf-8"))
            end = bad_start + 1
            while end < len(data) and data[end] >= 0x80 and not _starts_utf8(data, end):
                end += 1
            pieces.append(data[bad_start:end].decode(fallback, "replace"))
            position = end
    return "".join(pieces)


def _starts_utf8(data: bytes, at: int) -> bool:
    """Whether a valid multi-byte UTF-8 sequence begins at `at`."""
    lead = data[at]
    length = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead <= 0xF4 else 0
    if not length or lead < 0xC2:
        return False
    try:
        data[at : at + length].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _note(label: str | None, used: str) -> str:
    if label is None:
        return f"no charset declared; read as {used}"
    if codec_for(label) is None:
        return f"unknown charset {label!r}; read as {used}"
    return f"declared {label!r} but the bytes are not; read as {used}"
