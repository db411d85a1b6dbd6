"""Which stakeholder group a submission seems to come from, and which rule says so.

The operator's `[[group_rule]]` entries are tried first, in file order; then, unless
`[groups] builtin = false`, the built-in rules: a tag the sender put in the subject
(`[Civil society]`), a form's group field, government domains by country, `.int` and
listed domains of intergovernmental organizations, and the Internet's technical bodies.
A suggestion is stored with the rule that made it; the operator confirms or changes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ingest.countries import country_from_domain
from ingest.rule_settings import GroupRule
from store.models import StakeholderGroup

G = StakeholderGroup

# What senders write in a subject tag or a form's group field, in the UN's six languages.
WORDS: dict[StakeholderGroup, tuple[str, ...]] = {
    G.GOVERNMENTS: (
        "government", "governments", "member state", "gouvernement", "gouvernements",
        "gobierno", "gobiernos", "правительство", "правительства", "حكومة", "الحكومات", "政府",
    ),
    G.CIVIL_SOCIETY: (
        "civil society", "ngo", "société civile", "societe civile", "sociedad civil",
        "гражданское общество", "المجتمع المدني", "民间社会",
    ),
    G.INTERGOVERNMENTAL: (
        "intergovernmental", "intergovernmental organization", "intergovernmental organisation",
        "international organization", "international organisation", "igo",
        "organisation internationale", "organización internacional",
        "международная организация", "منظمة دولية", "国际组织",
    ),
    G.PRIVATE_SECTOR: (
        "private sector", "business", "secteur privé", "secteur prive", "sector privado",
        "частный сектор", "القطاع الخاص", "私营部门",
    ),
    G.TECHNICAL_COMMUNITY: (
        "technical community", "internet technical community", "communauté technique",
        "comunidad técnica", "техническое сообщество", "المجتمع التقني", "技术界",
    ),
}  # fmt: skip
# Second-level labels governments use under their country code: gov.gh, gouv.fr, gob.mx, go.ke.
GOVERNMENT_LABELS = frozenset({"gov", "gouv", "gob", "go", "govt", "gv", "gub", "government"})
GOVERNMENT_DOMAINS = {"gc.ca": "CA", "admin.ch": "CH", "bund.de": "DE", "gov": "US"}
INTERGOVERNMENTAL_DOMAINS = (
    "un.org", "undp.org", "unesco.org", "unicef.org", "unctad.org", "ohchr.org", "unep.org",
    "worldbank.org", "imf.org", "oecd.org", "wto.org", "europa.eu", "osce.org", "apec.org",
    "asean.org", "iadb.org", "afdb.org", "adb.org", "oas.org", "thecommonwealth.org",
)  # fmt: skip
TECHNICAL_DOMAINS = (
    "icann.org", "iana.org", "ietf.org", "iab.org", "irtf.org", "isoc.org",
    "internetsociety.org", "w3.org", "ripe.net", "arin.net", "apnic.net", "lacnic.net",
    "afrinic.net", "nro.net", "isc.org", "dns-oarc.net",
)  # fmt: skip

_TAG = re.compile(r"\[([^\[\]]{2,60})\]")


@dataclass(frozen=True, slots=True)
class GroupSuggestion:
    group: StakeholderGroup
    rule: str
    country: str | None = None


def suggest_group(
    *,
    sender_address: str,
    subject: str,
    form_group: str,
    rules: tuple[GroupRule, ...],
    builtin: bool,
) -> GroupSuggestion | None:
    """The first rule that matches, or None (the submission stays unclassified)."""
    domain = sender_address.rpartition("@")[2].lower().strip(".")
    address = sender_address.lower()
    tags = [_fold(tag) for tag in _TAG.findall(subject)]
    for number, rule in enumerate(rules, start=1):
        if _matches(rule, domain, address, tags, _fold(form_group)):
            country = rule.country.upper() if rule.country else None
            return GroupSuggestion(rule.group, f"[[group_rule]] #{number}: {rule.label}", country)
    if not builtin:
        return None
    for tag in tags:
        group = group_for_word(tag)
        if group is not None:
            return GroupSuggestion(group, f"built-in: subject tag [{tag}]")
    if form_group:
        group = group_for_word(form_group)
        if group is not None:
            return GroupSuggestion(group, f"built-in: form field {form_group!r}")
    return _builtin_domain(domain) if domain else None


def group_for_word(word: str) -> StakeholderGroup | None:
    """The group a tag or form value names, in any of the six languages, or by our own name."""
    folded = _fold(word)
    for group in StakeholderGroup:
        if folded in (group.value.replace("_", " "), _fold(group.label)):
            return group
    for group, words in WORDS.items():
        if folded in words:
            return group
    return None


def domain_matches(pattern: str, domain: str) -> bool:
    """`un.org` matches it and its subdomains; a glob (`*.gov.example`) matches as written."""
    pattern = pattern.lower().strip()
    if any(c in pattern for c in "*?["):
        return fnmatchcase(domain, pattern)
    return domain == pattern or domain.endswith("." + pattern)


def _matches(rule: GroupRule, domain: str, address: str, tags: list[str], form: str) -> bool:
    if rule.domains:
        return bool(domain) and any(domain_matches(p, domain) for p in rule.domains)
    if rule.senders:
        return any(fnmatchcase(address, p.lower()) for p in rule.senders)
    if rule.subject_tag:
        return _fold(rule.subject_tag) in tags
    return bool(form) and form in {_fold(v) for v in rule.form_values}


def _builtin_domain(domain: str) -> GroupSuggestion | None:
    labels = domain.split(".")
    if labels[-1] == "int":
        return GroupSuggestion(G.INTERGOVERNMENTAL, "built-in: domain *.int")
    for suffix, code in GOVERNMENT_DOMAINS.items():
        if domain_matches(suffix, domain):
            return _government(suffix, code)
    if len(labels) >= 3 and labels[-2] in GOVERNMENT_LABELS:
        country = country_from_domain(domain)
        if country is not None:
            return _government(".".join(labels[-2:]), country)
    for listed, group in (
        *((d, G.INTERGOVERNMENTAL) for d in INTERGOVERNMENTAL_DOMAINS),
        *((d, G.TECHNICAL_COMMUNITY) for d in TECHNICAL_DOMAINS),
    ):
        if domain_matches(listed, domain):
            return GroupSuggestion(group, f"built-in: listed domain {listed}")
    return None


def _government(suffix: str, country: str | None) -> GroupSuggestion:
    return GroupSuggestion(G.GOVERNMENTS, f"built-in: government domain *.{suffix}", country)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())
