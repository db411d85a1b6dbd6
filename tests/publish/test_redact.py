"""Telephone numbers are removed as carefully as email addresses, and nothing else is."""

from __future__ import annotations

import pytest

from publish.redact import PHONE_REMOVED, REMOVED, redact


@pytest.mark.parametrize(
    "text",
    [
        "Call +1 212 555 0100 now",
        "contact Megan Harding, (330) \n672-0419.",  # wrapped at the end of a line
        "TEL : 1 (212) 963 5958",
        "FAX: 1 (212) 963 1010",
        "fax to +1 212/963-9681",
        "+44 20 7946 0958",
        "+254-20-2712345",
        "+33 1 23 45 67 89",
        "+86 10 1234 5678",
        "Tel.: 020 7946 0958",
        "Phone: (0)20 7946 0958",
        "Mobile +254 722 000 000",
        "тел. +7 495 123-45-67",
        "Факс: 8 (495) 123-45-67",
        "هاتف: 0020 2 1234567",
        "电话：010-12345678",
        "(212) 963-5958",
    ],
)
def test_phone_numbers_are_removed(text: str) -> None:
    redacted = redact(text)
    assert PHONE_REMOVED in redacted, redacted
    assert sum(c.isdigit() for c in redacted) <= 3, redacted  # only a code like "1 " may stay


@pytest.mark.parametrize(
    "text",
    [
        "by 15 November 2010",
        "in 2010\n\n(12) 345 members",  # two paragraphs are not one number
        "on 2010-11-15 at 23:59",
        "15/11/2010 and 15.11.2010",
        "reference DESA-10/3078",
        "submission DESA-10-3078/0042",
        "resolution 2010/2 of 19 July",
        "the 2010-2011 biennium",
        "paragraph 35 of the Tunis Agenda",
        "ISBN 978-3-16-148410-0",
        "1 000 000 users",
        "a score of +5 and +2.5%",
        "Room DC2-2320, 2 UN Plaza, New York, NY 10017",
        "Phone 12",
        "between 1990 and 2010",
        "IPv4 192.0.2.1 and AS64496",
    ],
)
def test_dates_references_and_other_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_both_kinds_in_one_text() -> None:
    text = "Write to jo.smith@mofa.gov.example or call +1 212 555 0100 (office)."
    assert redact(text) == f"Write to {REMOVED} or call {PHONE_REMOVED} (office)."


def test_every_character_the_patterns_take_for_an_announcing_letter_casefolds_to_it() -> None:
    """redact_phones skips the announcing pattern for a text whose casefold holds none of its
    words; that is sound only if no character the pattern's (?i) matches folds elsewhere
    ("ſ" folds to the "s" of whatsapp, "ᲄ" to the "т" of тел). Checked over the Basic
    Multilingual Plane here (all of Unicode once, by hand: the same)."""
    import re

    from publish.redact import ANNOUNCING_WORDS

    for letter in sorted(set("".join(ANNOUNCING_WORDS))):
        pattern = re.compile("(?i)" + re.escape(letter))
        for code in range(0x10000):
            if pattern.fullmatch(chr(code)):
                assert chr(code).casefold() == letter, (letter, hex(code))


@pytest.mark.parametrize(
    "text", ["WHATſAPP 0612345678", "ᲄел. 8 495 123 45 67", "TÉL 01 23 45 67 89"]
)
def test_an_announcing_word_in_other_cases_still_announces(text: str) -> None:
    assert PHONE_REMOVED in redact(text), text
