"""Email addresses and telephone numbers never reach the site, whatever field they hide in.

Phone numbers are matched conservatively, so dates (2010-11-15, 15/11/2010), years
(2010-2011), references (DESA-10/3078, DESA-10-3078/0042) and resolution numbers
(2010/2) stay: only a number written the way phone numbers are written is removed:
in international form (`+1 212 555 0100`), after a word that announces one (`Tel.`,
`Fax:`, `тел.`, `هاتف`, `电话`), or with an area code in brackets (`(212) 963-5958`).
"""

from __future__ import annotations

import re

REMOVED = "[email address removed]"
PHONE_REMOVED = "[phone number removed]"
MIN_DIGITS, MAX_DIGITS = 7, 15

_EMAIL = re.compile(
    r"""(?ix)
    (?:mailto:)?
    [\w.!#$%&'*+/=?^`{|}~-]+                  # local part
    (?:@|＠|\s?[(\[]at[)\]]\s?)                # @ and its common disguises
    [\w-]+(?:(?:\.|\s?[(\[]dot[)\]]\s?)[\w-]+)+
    """
)
# One separator between groups of digits, or a line break (a number may run over one).
_SEPARATOR = r"(?:[ \t.\-/\u00a0]|[ \t\u00a0]*\r?\n[ \t\u00a0]*)"
_INTERNATIONAL = re.compile(
    rf"(?<![\w+])\+\d{{1,3}}(?:{_SEPARATOR}?\(\d{{1,5}}\))?(?:{_SEPARATOR}?\d{{1,5}}){{1,6}}(?!\w)"
)
_BRACKETED = re.compile(
    rf"(?<![\w(])(?:\d{{1,3}}{_SEPARATOR})?\(\d{{2,5}}\){_SEPARATOR}?\d{{2,5}}"
    rf"(?:{_SEPARATOR}\d{{2,5}}){{1,3}}(?!\w)"
)
_ANNOUNCED = re.compile(
    r"(?i)(?<!\w)(tel|tél|phone|telephone|téléphone|teléfono|telefono|fax|mobile|mob|cell|"
    r"whatsapp|тел|телефон|факс|моб|هاتف|الهاتف|فاكس|电话|電話|传真|傳真|手机)"
    r"(\.?\s*(?:no\.?|n°|nº)?\s*[:：]?\s*)"
    r"(\(?\+?\d[\d \t().\-/\u00a0]{5,}\d)"
)


# Cheap tests first: most values (a name, a date, a label) hold no "@" and fewer than seven
# digits, and skipping the full patterns for them saves a third of a site build. The tests
# themselves are written to scan a text once: a comment's text is redacted at every publish
# (the data export, the search index), and they were most of that.
#
# Where an address may be: an @ (or a fullwidth one), or "at" in brackets, "(at)", "[AT]".
_AT_SIGN = re.compile(r"[@＠]")
_AT_IN_BRACKETS = re.compile(r"[(\[][aA][tT][)\]]")  # not (?i): a scan three times slower
_SEVEN_DIGITS = re.compile(r"\D*+(?:\d\D*+){7}")  # from the start, never backtracking


def redact(text: str) -> str:
    """Replace anything shaped like an email address or a telephone number."""
    if "@" in text or "＠" in text or _AT_IN_BRACKETS.search(text):
        text = _EMAIL.sub(REMOVED, text)
    return redact_phones(text)


def redact_phones(text: str) -> str:
    if not _SEVEN_DIGITS.match(text):
        return text
    if _may_announce(text):
        text = _ANNOUNCED.sub(_announced, text)
    # An international number starts with "+", a bracketed one has "(": without them, neither
    # pattern can match, and a reference like DESA-10-3078/0042 (on every list line, and
    # checked again in every file the site serves) skips their scans, as it skips the one
    # for an announcing word.
    if "+" in text:
        text = _INTERNATIONAL.sub(_number, text)
    if "(" in text:
        text = _BRACKETED.sub(_number, text)
    return text


def _digits(value: str) -> int:
    return sum(map(str.isdigit, value))


def _number(match: re.Match[str]) -> str:
    value = match.group(0)
    return PHONE_REMOVED if MIN_DIGITS <= _digits(value) <= MAX_DIGITS else value


def _announced(match: re.Match[str]) -> str:
    word, gap, number = match.groups()
    if MIN_DIGITS <= _digits(number) <= MAX_DIGITS:
        return f"{word}{gap}{PHONE_REMOVED}"
    return match.group(0)


_NUMBERISH = re.compile(r"[\d(+][\d \t\r\n().\-/\u00a0]{5,}\d")
# The words of _ANNOUNCED, shortened to what each contains ("telephone" holds "tel").
ANNOUNCING_WORDS = (
    "tel tél phone fax mob cell whatsapp тел факс моб هاتف فاكس 电话 電話 传真 傳真 手机".split()
)
_ANNOUNCING = re.compile("(?i)" + "|".join(ANNOUNCING_WORDS))


def _may_announce(text: str) -> bool:
    """Whether a word that announces a number may be in `text`, before _ANNOUNCED's slow
    scan: every character that (?i) takes for a letter of these words casefolds to that
    letter (tests/publish/test_redact.py), so a text whose casefold holds none has none."""
    folded = text.casefold()
    return any(word in folded for word in ANNOUNCING_WORDS)


# What an address can span around its "@": a local part is at most 64 characters
# (RFC 5321; a longer run still ends in a match), a domain at most 255.
_BEFORE, _AFTER = 72, 260


def finds(text: str, *, phones: bool = True) -> str | None:
    """What `redact` would remove from `text`, if anything: "email" or "phone" (numbers
    only with `phones`: a PDF's drawing instructions are numbers, not text).

    The site's last check (publish.privacy) asks this of every file it serves, so a value
    that slipped past redaction is found by the very patterns that redaction uses. They run
    only around an "@" and around runs of digits, so a long page costs little.
    """
    for marks in (_AT_SIGN, _AT_IN_BRACKETS):
        for at in marks.finditer(text):
            if _EMAIL.search(text, max(0, at.start() - _BEFORE), at.end() + _AFTER):
                return "email"
    if not phones:
        return None
    for run in _NUMBERISH.finditer(text):
        number = run.group(0)
        if _digits(number) < MIN_DIGITS:
            continue
        start = run.start()
        # A number is removed only after a "+", with a "(" in it, or after a word that
        # announces it; none of those here (a reference, a date range), nothing to try.
        if (
            number[0] != "+"
            and "(" not in number
            and not _ANNOUNCING.search(text, max(0, start - 48), start)
        ):
            continue
        window = text[max(0, start - 48) : run.end() + 1]
        if redact_phones(window) != window:
            return "phone"
    return None
