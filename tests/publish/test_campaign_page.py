"""A campaign on the site: the first copy's page says how many published senders sent the
text and which organisations they came from; the other copies link the first copy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingest import poll_once
from publish import SiteSettings, build_site
from publish.due import PUBLIC
from store import ConsultationSettings, Store
from store.campaigns import campaign_organisations, campaign_references, campaign_summaries
from tests.conftest import maildir
from tests.ingest.test_campaigns import LETTER_A
from tests.messages import comment
from tests.rules import post_rules

RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)


def test_a_campaign_is_shown_with_its_count_and_organisations(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    organisations = ["Open Net Club", "Open Net Club", "Citizens Online", ""]
    copies = [
        comment(
            n,
            sender=f"Sender {n}",
            address=f"sender{n}@example.net",
            body=f"Dear Secretary-General,\n\n{LETTER_A}\n\nSender {n}\n",
            received=RECEIVED,
            organisation=organisation,
        )
        for n, organisation in enumerate(organisations, start=1)
    ]
    other = comment(9, body="A comment of my own on enhanced cooperation.", received=RECEIVED)
    poll_once(
        maildir(tmp_path / "Maildir", [*copies, other]),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: consultation.deadline,
        rules=post_rules(consultation),
    )
    build_site(store, consultation, site_settings, consultation.posting_date)
    pages = site_settings.output / "en" / "submissions"
    first = (pages / "DESA-10-3078-0001" / "index.html").read_text()
    third = (pages / "DESA-10-3078-0003" / "index.html").read_text()
    alone = (pages / "DESA-10-3078-0005" / "index.html").read_text()
    assert "Senders of this text or one nearly the same: 4" in first
    assert 'Open Net Club</span> (2), <span dir="auto">Citizens Online' in first
    assert "The first copy" not in first
    assert 'href="../DESA-10-3078-0001/index.html">The first copy: DESA-10-3078/0001' in third
    # Only the first copy counts: hiding or adding a copy leaves the other copies' pages alone.
    assert "Senders of this text" not in third and "Open Net Club" not in third
    assert "the first copy says how many" in third
    assert "Campaign" not in alone
    french = (site_settings.output / "fr/submissions/DESA-10-3078-0001/index.html").read_text()
    assert "Expéditeurs de ce texte ou d'un texte presque identique : 4" in french
    # The build reads every campaign at once; the answers are the per-campaign queries'.
    with store.reader() as session:
        summaries = campaign_summaries(session, PUBLIC)
        assert len(summaries) == 1
        for campaign_id, summary in summaries.items():
            references, size = campaign_references(session, campaign_id, PUBLIC, limit=1)
            assert (
                (summary.size, summary.first) == (size, references[0]) == (4, "DESA-10-3078/0001")
            )
            assert summary.organisations == campaign_organisations(session, campaign_id)
            assert summary.more_organisations == 0
