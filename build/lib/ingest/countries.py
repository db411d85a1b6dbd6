"""The submitter's country, as ISO 3166-1 alpha-2, from what the operator typed, a domain's
country code, or a country named in the signature. pycountry holds the standard's list.

Every guess is only a suggestion the operator may correct; a name that could mean
two things (Georgia, Jordan, Congo) is never guessed.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

# Country-code domains sold to everyone: they say nothing about where the sender is.
GENERIC_CCTLDS = frozenset(
    "ad ai am as bz cc cd co cx fm gg gl io is la ld ly me ms nu sc sh so st tk to tv vc ws "
    "eu su ac".split()
)
_CCTLD_EXCEPTIONS = {"uk": "GB"}
# Names that are also a person's first name, a US state, a word, or two countries.
AMBIGUOUS = frozenset(
    {"Georgia", "Jordan", "Chad", "Jersey", "Turkey", "Congo", "Korea", "Guinea", "Niger"}
)
# Short forms people write in signatures that the standard lists otherwise.
ALIASES = {
    "USA": "US",
    "U.S.A.": "US",
    "United States": "US",
    "United States of America": "US",
    "UK": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Russia": "RU",
    "South Korea": "KR",
    "Republic of Korea": "KR",
    "North Korea": "KP",
    "Iran": "IR",
    "Syria": "SY",
    "Tanzania": "TZ",
    "Vietnam": "VN",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Moldova": "MD",
    "Laos": "LA",
    "Czech Republic": "CZ",
    "Ivory Coast": "CI",
    "Côte d'Ivoire": "CI",
    "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG",
    "Papua New Guinea": "PG",
    "Equatorial Guinea": "GQ",
    "Guinea-Bissau": "GW",
    "Palestine": "PS",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Burma": "MM",
}


def country_code(value: str) -> str | None:
    """An alpha-2 code from a code (alpha-2 or alpha-3) or a name; None if unknown."""
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
        if found is not None:
            return str(found.alpha_2)
    if len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        if found is not None:
            return str(found.alpha_2)
    alias = {k.lower(): v for k, v in ALIASES.items()}.get(text.lower())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def country_from_domain(domain: str) -> str | None:
    """The country of a country-code top-level domain (`mofa.gov.gh` -> GH), if it means one."""
    label = domain.lower().rstrip(".").rsplit(".", 1)[-1]
    if len(label) != 2 or label in GENERIC_CCTLDS:
        return None
    if label in _CCTLD_EXCEPTIONS:
        return _CCTLD_EXCEPTIONS[label]
    found = pycountry.countries.get(alpha_2=label.upper())
    return str(found.alpha_2) if found is not None else None


def country_from_signature(text: str) -> str | None:
    """The one country named in a signature, or None when none or several are."""
    found = {_names()[match] for match in _pattern().findall(text)}
    return found.pop() if len(found) == 1 else None


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name and name not in AMBIGUOUS:
                names[str(name)] = str(country.alpha_2)
    names.update(ALIASES)
    return names


@cache
def _pattern() -> re.Pattern[str]:
    # Longest first, so "Papua New Guinea" is read whole and not as a shorter name inside it.
    alternatives = sorted(_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])")
