"""Operator texts by language in config.toml (the title, the organiser, the receipt's notice):
which text each language shows, and a wrong table refused with the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailroom.cli import app
from mailroom.config import ConfigError, load_settings
from store.settings import UN_LANGUAGES, LocalText
from tests.cli import write_config

PLAIN_TITLE = 'title = "Consultations on enhanced cooperation"\n'
TABLE_TITLE = (
    'title.en = "Consultations on enhanced cooperation"\n'
    'title.fr = "Consultations sur la coopération renforcée"\n'
    'title.ar = "مشاورات بشأن التعاون المعزز"\n'
)


def configured(tmp_path: Path, title: str, *, language: str = "en", extra: str = "") -> Path:
    """The tests' config with `title` lines in place of its plain title, and a site language."""
    config = write_config(tmp_path, extra=extra)
    text = config.read_text(encoding="utf-8").replace(PLAIN_TITLE, title)
    text = text.replace('output = "site"\n', f'output = "site"\nlanguage = "{language}"\n')
    config.write_text(text, encoding="utf-8")
    return config


def test_a_language_the_table_lacks_shows_the_site_language(tmp_path: Path) -> None:
    title = load_settings(configured(tmp_path, TABLE_TITLE, language="fr")).consultation.title
    shown = {language: title.for_language(language) for language in UN_LANGUAGES}
    french = "Consultations sur la coopération renforcée"
    assert shown == {
        "en": "Consultations on enhanced cooperation",
        "fr": french,
        "es": french,
        "ru": french,
        "ar": "مشاورات بشأن التعاون المعزز",
        "zh": french,
    }


def test_without_the_site_language_english_then_any_text_given() -> None:
    both = LocalText.parse({"ar": "مشاورات", "en": "Consultations"}).with_default("fr")
    assert both.for_language("zh") == "Consultations" and both.for_language("ar") == "مشاورات"
    arabic = LocalText.parse({"ar": "مشاورات"}).with_default("fr")
    assert arabic.for_language("en") == "مشاورات"


def test_a_plain_title_and_organiser_are_every_language_s(tmp_path: Path) -> None:
    extra = '[receipts]\npublication_notice = "Published with your name."\n'
    settings = load_settings(configured(tmp_path, PLAIN_TITLE, language="ar", extra=extra))
    c = settings.consultation
    for language in UN_LANGUAGES:
        assert c.title.for_language(language) == "Consultations on enhanced cooperation"
        assert c.organiser.for_language(language) == ""
        notice = settings.receipts.publication_notice.for_language(language)
        assert notice == "Published with your name."
    assert not c.organiser and not settings.receipts.from_name


@pytest.mark.parametrize(
    ("title", "extra", "expected"),
    [
        (
            'title.en = "C"\ntitle.de = "K"\n',
            "",
            "[consultation] title: unknown language key 'de'; the keys are en, fr, es, ru, ar, zh",
        ),
        ("title = {}\n", "", "[consultation] title: the table is empty"),
        ('title.en = "C"\ntitle.fr = " "\n', "", "title: the fr text must be a non-empty string"),
        ('title = ""\n', "", "[consultation] title: must not be empty"),
        ("title = 7\n", "", "[consultation] title: must be a text, or a table of texts"),
        (PLAIN_TITLE + 'organiser.sw = "x"\n', "", "organiser: unknown language key 'sw'"),
        (
            PLAIN_TITLE,
            '[receipts]\npublication_notice.EN = "x"\n',
            "[receipts] publication_notice: unknown language key 'EN'",
        ),
    ],
)
def test_a_wrong_text_table_names_the_file_and_the_key(
    tmp_path: Path, title: str, extra: str, expected: str
) -> None:
    config = configured(tmp_path, title, extra=extra)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert f"{config}: " in str(caught.value) and expected in str(caught.value), caught.value


def test_check_config_says_which_text_each_language_shows(tmp_path: Path) -> None:
    config = configured(tmp_path, TABLE_TITLE + 'organiser = "UN DESA"\n', language="fr")
    # In process: the same typer app the `mailroom` script runs, without a start-up each.
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("  title, by language:")
    assert lines[start + 1 : start + 8] == [
        "    en: Consultations on enhanced cooperation",
        "    fr: Consultations sur la coopération renforcée",
        "    es: not given; shows the fr text",
        "    ru: not given; shows the fr text",
        "    ar: مشاورات بشأن التعاون المعزز",
        "    zh: not given; shows the fr text",
        "  organiser (every language): UN DESA",
    ]
    wrong = configured(tmp_path, 'title.en = "C"\ntitle.de = "K"\n')
    refused = CliRunner().invoke(app, ["check-config", "--config", str(wrong)])
    assert refused.exit_code == 2
    assert f"{wrong}: [consultation] title: unknown language key 'de'" in refused.output
