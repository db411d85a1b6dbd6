"""Invariants 1, 2 and 6 under SIGKILL: the short seeded fault campaign (tests/fault_campaign.py).

Real `mailroom poll`, `publish` and `run` processes against a private Dovecot, the database
and an SMTP peer, killed at random moments of poll, parse, rules, receipts and publish.
The long run (200 kills and more) is the same module as a script; see README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.dovecot import Dovecot
from tests.fault_campaign import Options, run_campaign
from tests.site_whole import site_problems

KILLS = 12  # on each database: 24 kills in CI; the long run is the script's


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_kills_lose_duplicate_and_set_aside_nothing_and_never_tear_the_site(
    tmp_path: Path, dovecot: Dovecot, database: str
) -> None:
    options = Options(
        seed=9,
        kills=KILLS,
        database=database,
        messages=(1, 2),
        kills_per_round=(6, 8),  # few clean restarts: each costs a publish
        postgres_url=POSTGRES_URL,
    )
    result = run_campaign(options, tmp_path, dovecot)
    print(result.table())
    assert result.failures == []
    assert sum(result.kills.values()) == KILLS
    assert (result.lost, result.duplicated, result.set_aside, result.site_torn) == (0, 0, 0, 0)
    assert result.receipts_sent == result.delivered and result.receipts_doubled == 0
    # The kills spread over the pass: not all in one phase (the seed fixes the aims).
    assert len([phase for phase, n in result.kills.items() if n]) >= 3


def test_the_campaign_sees_a_torn_site(tmp_path: Path) -> None:
    """The site check itself: a whole build passes; a half-written one, a missing page, or a
    folder that is no build does not."""
    site = tmp_path / "site"
    assert site_problems(site, must_exist=False) == []
    assert site_problems(site, must_exist=True) == ["no site, though one was published"]
    build = tmp_path / ".site.builds" / "b1"
    (build / "public" / "en").mkdir(parents=True)
    (build / "manifest").mkdir()
    (build / "public" / "index.html").write_text('<a href="en/index.html">English</a>')
    (build / "public" / "en" / "index.html").write_text('<a href="../index.html">home</a>')
    (build / "manifest" / "pages.jsonl").write_text('[["home"], "d", ["en/index.html"]]\n')
    site.symlink_to(build / "public")
    assert site_problems(site, must_exist=True) == [f"{site} points at {build / 'public'}, "
                                                    "not a finished build"]  # fmt: skip
    (build / "manifest" / "singles.json").write_text("{}")
    assert site_problems(site, must_exist=True) == []
    (build / "public" / "en" / "index.html").write_text('<a href="themes/index.html">x</a>')
    assert site_problems(site, must_exist=True) == [
        "en/index.html links themes/index.html, which is missing"
    ]
    (build / "public" / "en" / "index.html").unlink()
    assert "en/index.html (listed in pages.jsonl) is missing" in site_problems(
        site, must_exist=True
    )
