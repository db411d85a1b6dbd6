"""Invariant 5 with the rules on: no email address or telephone number on any page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from publish import SiteSettings, build_site
from store import ConsultationSettings, Store
from tests.rules import judge, mail, post_rules

PHONE = re.compile(r"\+\d[\d ()./-]{7,}\d")
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def test_no_address_or_phone_number_reaches_any_page(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    received = datetime(2010, 11, 10, tzinfo=UTC)
    judge(
        tmp_path,
        store,
        [
            mail(
                1,
                sender="Office +41 22 917 1234",
                subject="Call +1 212 555 0100",
                body="Our view.\n\n--\nJane Roe\nTel.: +254 20 271 2345\nFax: (212) 963-1010\n"
                "jane.roe@ngo.example.org\n",
                received=received,
            ),
            mail(
                2,
                body="Reference DESA-10/3078 of 7 October 2010, resolution 2010/2.",
                received=received,
            ),
        ],
        post_rules(consultation),
        datetime(2010, 11, 20, tzinfo=UTC),
    )
    build_site(store, consultation, site_settings, consultation.posting_date)
    pages = [p.read_text() for p in site_settings.output.rglob("*.html")]
    assert pages
    for html in pages:
        assert not PHONE.search(html) and "963-1010" not in html
        assert not ADDRESS.search(html)
    everything = " ".join(pages)
    assert "[phone number removed]" in everything
    assert "DESA-10/3078 of 7 October 2010, resolution 2010/2" in everything  # left alone
