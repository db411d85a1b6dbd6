"""The interface in the UN's six languages: catalogs, and dates, numbers and names per locale.

Catalogs are the `.po` files under `publish/locale/`, compiled in memory when a
site is built: a fresh clone and an installed package both work, and no
compiled file can go stale. Dates, numbers, country and language names come
from Babel's CLDR data.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
MEMORY = 10_000  # days or numbers written, remembered per language


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is printed."""
    return message


def direction(language: str | None) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


@cache
def translations(language: str) -> NullTranslations:
    """The catalog for `language`, compiled from its .po file; English is the source text."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def catalog_fingerprint() -> bytes:
    """The catalogs' bytes: a change to a translation re-renders the pages in that language."""
    parts = [p.read_bytes() for p in sorted(LOCALE_DIR.rglob("*.po"))]
    return b"\0".join(parts)


class Formats:
    """Dates, numbers and names written the way readers of one language expect."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self.zone = zone
        # Babel takes tens of microseconds a call; a list page prints a day and a count on
        # every line, and a consultation has few of either, so each is written once.
        self._dates: dict[date, str] = {}
        self._numbers: dict[int, str] = {}

    def date(self, value: date | datetime | str | None) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        written = self._dates.get(value)
        if written is None:
            written = format_date(value, format="long", locale=self.locale)
            if len(self._dates) < MEMORY:
                self._dates[value] = written
        return written

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        here = value.astimezone(self.zone)
        clock = format_time(here, format="short", tzinfo=self.zone, locale=self.locale)
        return f"{self.date(here)}, {clock} {here.tzname()}"

    def number(self, value: int) -> str:
        if type(value) is not int:  # 2.0 and True are equal to 2 and 1 as keys
            return format_decimal(value, locale=self.locale)
        written = self._numbers.get(value)
        if written is None:
            written = format_decimal(value, locale=self.locale)
            if len(self._numbers) < MEMORY:
                self._numbers[value] = written
        return written

    def size(self, value: int) -> str:
        """Bytes as kB or MB, in this locale's digits."""
        if value < 1000:
            return f"{format_decimal(value, locale=self.locale)} B"
        if value < 1_000_000:
            return f"{format_decimal(round(value / 1000, 1), locale=self.locale)} kB"
        return f"{format_decimal(round(value / 1_000_000, 1), locale=self.locale)} MB"

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self.locale.territories.get(code.upper(), code.upper()))

    def language_name(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self.locale.languages.get(code, code))


@cache
def own_name(language: str) -> str:
    """A language's name in itself, for the language switcher: العربية, 中文, español…"""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:] if language not in ("zh", "ar") else name
