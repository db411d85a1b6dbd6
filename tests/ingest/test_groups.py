# ruff: noqa: E501  (a table of cases reads best one per line)
"""Stakeholder groups and countries: suggested by rules, stored with the rule, confirmed or
changed by the operator, and never overwritten by the rules after that."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.classification import classify_pending
from ingest.countries import country_code, country_from_domain, country_from_signature
from ingest.groups import suggest_group
from ingest.rule_settings import GroupRule, IntakeRules, ModerationSettings
from store import ConsultationSettings, Store
from store.models import StakeholderGroup
from store.moderation import find_for_update, set_country, set_group
from tests.rules import judge, mail, one

G = StakeholderGroup
NOW = datetime(2010, 11, 20, tzinfo=UTC)
RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
RULES = (
    GroupRule(group=G.GOVERNMENTS, domains=("*.gov.example",)),
    GroupRule(group=G.PRIVATE_SECTOR, domains=("harbourline.example.com",), country="SG"),
    GroupRule(group=G.CIVIL_SOCIETY, subject_tag="Coalition"),
    GroupRule(group=G.TECHNICAL_COMMUNITY, senders=("*@ocnic.example.net",)),
    GroupRule(group=G.CIVIL_SOCIETY, form_values=("NGO", "Academia")),
)


@pytest.mark.parametrize(
    ("address", "subject", "form", "group", "rule", "country"),
    [
        ("a@mofa.gov.gh", "", "", G.GOVERNMENTS, "built-in: government domain *.gov.gh", "GH"),
        ("a@diplomatie.gouv.fr", "", "", G.GOVERNMENTS, "built-in: government domain *.gouv.fr", "FR"),
        ("a@sre.gob.mx", "", "", G.GOVERNMENTS, "built-in: government domain *.gob.mx", "MX"),
        ("a@state.gov", "", "", G.GOVERNMENTS, "built-in: government domain *.gov", "US"),
        ("a@who.int", "", "", G.INTERGOVERNMENTAL, "built-in: domain *.int", None),
        ("a@undp.org", "", "", G.INTERGOVERNMENTAL, "built-in: listed domain undp.org", None),
        ("a@ripe.net", "", "", G.TECHNICAL_COMMUNITY, "built-in: listed domain ripe.net", None),
        ("a@x.org", "[Civil society] Our view", "", G.CIVIL_SOCIETY, "built-in: subject tag [civil society]", None),
        ("a@x.org", "Re: [Sociedad civil] Aporte", "", G.CIVIL_SOCIETY, "built-in: subject tag [sociedad civil]", None),
        ("a@x.org", "[Private sector]", "", G.PRIVATE_SECTOR, "built-in: subject tag [private sector]", None),
        ("a@x.org", "", "Internet technical community", G.TECHNICAL_COMMUNITY, "built-in: form field 'Internet technical community'", None),
        # The operator's rules come first, in file order.
        ("a@un.estmere.gov.example", "", "", G.GOVERNMENTS, "[[group_rule]] #1: domains *.gov.example", None),
        ("a@harbourline.example.com", "[Civil society]", "", G.PRIVATE_SECTOR, "[[group_rule]] #2: domains harbourline.example.com", "SG"),
        ("a@x.org", "[coalition] statement", "", G.CIVIL_SOCIETY, "[[group_rule]] #3: subject tag [Coalition]", None),
        ("mtupou@ocnic.example.net", "", "", G.TECHNICAL_COMMUNITY, "[[group_rule]] #4: senders *@ocnic.example.net", None),
        ("a@x.org", "", "academia", G.CIVIL_SOCIETY, "[[group_rule]] #5: form values NGO, Academia", None),
    ],
)  # fmt: skip
def test_rules_suggest_a_group_and_say_which_rule(
    address: str,
    subject: str,
    form: str,
    group: StakeholderGroup,
    rule: str,
    country: str | None,
) -> None:
    found = suggest_group(
        sender_address=address, subject=subject, form_group=form, rules=RULES, builtin=True
    )
    assert found is not None
    assert (found.group, found.rule, found.country) == (group, rule, country)


def test_nothing_matches_an_individual_and_built_ins_can_be_turned_off() -> None:
    assert (
        suggest_group(
            sender_address="jane@example.net", subject="My view", form_group="", rules=RULES,
            builtin=True,
        )
        is None
    )  # fmt: skip
    assert (
        suggest_group(
            sender_address="a@who.int", subject="[Civil society]", form_group="", rules=(),
            builtin=False,
        )
        is None
    )  # fmt: skip


def test_a_group_rule_names_exactly_one_signal() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        GroupRule(group=G.GOVERNMENTS, domains=("a.example",), subject_tag="Gov")
    with pytest.raises(ValueError, match="exactly one of"):
        GroupRule(group=G.GOVERNMENTS)


def test_countries_from_codes_names_domains_and_signatures() -> None:
    assert country_code("gh") == country_code("GHA") == country_code("Ghana") == "GH"
    assert country_code("Russia") == "RU" and country_code("Estmere") is None
    assert country_from_domain("mofa.gov.gh") == "GH"
    assert country_from_domain("parliament.uk") == "GB"
    assert country_from_domain("startup.io") is None  # sold to everyone
    assert country_from_domain("example.org") is None
    assert country_from_signature("Grace Wanyama\nNairobi, Kenya") == "KE"
    assert country_from_signature("Papua New Guinea Internet Society") == "PG"
    assert country_from_signature("Jordan Lee\nAtlanta, Georgia") is None  # names, a state
    assert country_from_signature("offices in France and Germany") is None  # which one?


def test_suggestions_are_stored_with_their_rule_and_the_operator_has_the_last_word(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = IntakeRules(consultation, moderation=ModerationSettings(mode="post"), group_rules=RULES)
    gov, civil, person = judge(
        tmp_path,
        store,
        [
            mail(1, address="intl@mofa.gov.gh", received=RECEIVED),
            mail(2, subject="[Civil society] Joint statement", received=RECEIVED),
            mail(3, body="My own view.\n\nJane Roe\nKampala, Uganda\n", received=RECEIVED),
        ],
        rules,
        NOW,
    )
    assert (gov.stakeholder_group, gov.country, gov.country_source) == (
        G.GOVERNMENTS,
        "GH",
        "group rule",
    )
    assert gov.group_rule == "built-in: government domain *.gov.gh" and not gov.group_confirmed
    assert civil.stakeholder_group == G.CIVIL_SOCIETY
    assert (person.stakeholder_group, person.country, person.country_source) == (
        G.UNCLASSIFIED,
        "UG",
        "signature",
    )
    with store.session() as session:
        row = find_for_update(session, person.reference)
        assert row is not None
        set_group(session, row, G.PRIVATE_SECTOR, by="clerk", at=NOW)
        set_country(session, row, "KE", by="clerk", at=NOW)
        confirm = find_for_update(session, gov.reference)
        assert confirm is not None
        set_group(session, confirm, confirm.stakeholder_group, by="clerk", at=NOW)
        session.commit()
    classify_pending(store, rules, NOW, redo=True)  # the rules run again: decisions stay
    person, gov = one(store, person.reference), one(store, gov.reference)
    assert (person.stakeholder_group, person.group_confirmed, person.group_rule) == (
        G.PRIVATE_SECTOR,
        True,
        "operator clerk",
    )
    assert (person.country, person.country_source) == ("KE", "operator")
    assert gov.group_confirmed and gov.group_rule == "built-in: government domain *.gov.gh"
