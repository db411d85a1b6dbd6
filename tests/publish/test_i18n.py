"""The interface catalogs: complete in every language, and in step with the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from publish.i18n import LANGUAGES, LOCALE_DIR, Formats, own_name, translations
from tests.conftest import NEW_YORK

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def extracted() -> set[str]:
    """What `bash scripts/i18n` would extract now, from the templates and the code."""
    method_map = [("templates/**", "jinja2"), ("**.py", "python")]
    options = {"templates/**": {"extensions": "jinja2.ext.i18n"}}
    messages = extract_from_dir(
        ROOT / "publish",
        method_map=method_map,
        options_map=options,
        keywords={"_": None, "gettext": None, "N_": None},
    )
    return {str(message) for _file, _line, message, _comments, _context in messages}


def test_the_template_catalog_is_in_step_with_the_templates() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as source:
        template = {str(m.id) for m in read_po(source) if m.id}
    assert extracted() == template, "run `bash scripts/i18n` and translate what it adds"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as source:
        wanted = {str(m.id) for m in read_po(source) if m.id}
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string}
    assert set(translated) >= wanted, f"untranslated in {po}: {sorted(wanted - set(translated))}"
    for message, translation in translated.items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation))
        assert translations(language).gettext(message) == translation


def test_dates_numbers_and_names_follow_the_language() -> None:
    from datetime import date

    day = date(2010, 12, 1)
    assert Formats("fr", NEW_YORK).date(day) == "1 décembre 2010"
    assert Formats("zh", NEW_YORK).date(day) == "2010年12月1日"
    assert Formats("ru", NEW_YORK).country("KE") == "Кения"
    assert Formats("es", NEW_YORK).language_name("ar") == "árabe"
    assert [own_name(code) for code in LANGUAGES] == [
        "العربية",
        "English",
        "Español",
        "Français",
        "Русский",
        "中文",
    ]
