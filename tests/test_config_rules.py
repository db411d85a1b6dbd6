"""The rule tables in config.toml: defaults, and errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailroom.config import ConfigError, load_settings
from store.models import StakeholderGroup
from tests.cli import write_config

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config.toml"


def test_defaults_are_the_safe_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text().split("[moderation]")[0])
    settings = load_settings(config)
    assert (settings.moderation.mode, settings.moderation.late) == ("pre", "hold")
    assert settings.moderation.hold_dmarc_fail and settings.groups.builtin
    assert not settings.receipts.enabled and settings.smtp is None
    assert settings.receipts.from_address == "unpan@un.org"  # the consultation's address
    assert settings.intake_rules.receipts_on is False


def test_the_example_config_has_every_rule_table() -> None:
    settings = load_settings(REPO_CONFIG)
    assert settings.group_rules[0].group == StakeholderGroup.INTERGOVERNMENTAL
    assert settings.form.fields.comment == "Comment" and settings.smtp is not None
    assert settings.smtp.effective_port == 587 and settings.smtp.password_env


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('[moderation]\nmode = "sometimes"', "[moderation] mode: Input should be 'pre' or 'post'"),
        (
            '[[group_rule]]\ngroup = "governments"\ndomains = ["*.gov.example"]\n'
            'subject_tag = "Gov"',
            "[[group_rule]] #1 (the table): give exactly one of domains, senders",
        ),
        ('[[group_rule]]\ngroup = "aliens"\ndomains = ["x.org"]', "[[group_rule]] #1 group:"),
        ("[receipts]\nenabled = true", "[receipts] enabled = true needs an [smtp] table"),
        (
            '[smtp]\nhost = "smtp.example.org"\nsecurity = "plain"',
            'security = "plain" sends the password in clear',
        ),
        ('[smtp]\nhost = "smtp.example.org"\nuser = "me"', "give exactly one of password_env"),
        ("[campaigns]\nthreshold = 0.1", "[campaigns] threshold: Input should be greater than 0.3"),
        ('[moderation]\nspam_patterns = ["(unclosed"]', "is not a regular expression"),
        ("[receipt]\nenabled = true", "unknown table or key 'receipt'"),
    ],
)
def test_a_wrong_rule_table_names_the_file_and_the_key(
    tmp_path: Path, extra: str, expected: str
) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text().split("[moderation]")[0] + "\n" + extra + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert str(config) in str(caught.value) and expected in str(caught.value), caught.value
