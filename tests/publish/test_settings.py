"""`[site] language` and `base_url` from config.toml: read, checked, and used by the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailroom.config import ConfigError, load_settings
from tests.cli import write_config


def with_site(tmp_path: Path, lines: str) -> Path:
    path = write_config(tmp_path)
    path.write_text(
        path.read_text().replace('output = "site"', f'output = "site"\n{lines}'), encoding="utf-8"
    )
    return path


def test_the_default_language_is_english_and_can_be_any_of_the_six(tmp_path: Path) -> None:
    assert load_settings(write_config(tmp_path)).site.language == "en"
    settings = load_settings(with_site(tmp_path, 'language = "ar"'))
    assert settings.site.language == "ar"


def test_an_unknown_language_or_a_bad_address_names_the_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config.toml: \[site\] language: "):
        load_settings(with_site(tmp_path, 'language = "de"'))
    with pytest.raises(ConfigError, match=r"\[site\] base_url: must start with https://"):
        load_settings(with_site(tmp_path, 'base_url = "www.un.org/consultation"'))


def test_the_base_url_ends_with_a_slash(tmp_path: Path) -> None:
    settings = load_settings(with_site(tmp_path, 'base_url = "https://www.un.org/desa"'))
    assert settings.site.base_url == "https://www.un.org/desa/"
