"""The consultation's title and organiser in the page's language: every page, the feeds and the
digest; a language the config leaves out shows the site's default language's text."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import feedparser
import pytest

from ingest import poll_once
from ingest.rule_settings import IntakeRules, ModerationSettings
from publish import SiteSettings, build_site
from publish.digest import write_digest
from store import ConsultationSettings, StoreSettings, open_store
from store.settings import UN_LANGUAGES, LocalText
from tests.conftest import maildir
from tests.messages import comment

TITLES = {
    "en": "Consultations on enhanced cooperation",
    "fr": "Consultations sur la coopération renforcée",
    "ru": "Консультации по вопросу о расширении сотрудничества",
    "ar": "مشاورات بشأن التعاون المعزز",
    "zh": "关于加强合作的磋商",
}  # no Spanish: es pages show the site's language, French
ORGANISERS = {"en": "UN DESA", "fr": "DAES de l’ONU"}
PLAIN = "Consultations on enhanced cooperation"


def built(
    tmp_path: Path, consultation: ConsultationSettings, site_language: str
) -> tuple[Path, Path]:
    """One published comment, the site in `site_language` and the digest (SQLite: the titles
    do not depend on the database)."""
    store = open_store(
        StoreSettings(url=f"sqlite:///{tmp_path / 'mailroom.db'}", archive=tmp_path / "archive")
    )
    try:
        poll_once(
            maildir(tmp_path / "Maildir", [comment(1)]),
            store,
            prefix=consultation.submission_prefix,
            now=lambda: datetime(2010, 11, 10, tzinfo=UTC),
            rules=IntakeRules(
                consultation, moderation=ModerationSettings(mode="post", late="publish")
            ),
        )
        site = SiteSettings.model_validate(
            {"output": tmp_path / "public" / "site", "language": site_language}
        )
        assert build_site(store, consultation, site, consultation.posting_date).published
        digest = tmp_path / "digest.html"
        write_digest(
            store,
            consultation,
            site,
            consultation.posting_date,
            groups=None,
            html_path=digest,
            csv_path=tmp_path / "digest.csv",
        )
    finally:
        store.close()
    return site.output, digest


@pytest.mark.slow  # two small site builds: about 10 s
@pytest.mark.parametrize("form", ["table", "plain"])
def test_every_page_and_feed_shows_the_title_in_its_own_language(
    tmp_path: Path, consultation: ConsultationSettings, form: str
) -> None:
    if form == "table":
        consultation = consultation.model_copy(
            update={"title": LocalText.parse(TITLES), "organiser": LocalText.parse(ORGANISERS)}
        ).with_default_language("fr")
        titles = {language: TITLES.get(language, TITLES["fr"]) for language in UN_LANGUAGES}
        organisers = {code: ORGANISERS.get(code, ORGANISERS["fr"]) for code in UN_LANGUAGES}
    else:
        consultation = consultation.model_copy(
            update={"organiser": LocalText.parse("UN DESA")}
        ).with_default_language("fr")
        titles = dict.fromkeys(UN_LANGUAGES, PLAIN)
        organisers = dict.fromkeys(UN_LANGUAGES, "UN DESA")
    site, digest = built(tmp_path, consultation, "fr")
    for language in UN_LANGUAGES:
        title = escape(titles[language], quote=False)
        others = {escape(t, quote=False) for t in titles.values()} - {title}
        home = (site / language / "index.html").read_text(encoding="utf-8")
        page = (site / language / "submissions/DESA-10-3078-0001/index.html").read_text()
        assert f"<title>{title}</title>" in home and f"<h1>{title}</h1>" in home
        assert f"— {title}</title>" in page and f'index.html">{title}</a></p>' in page
        assert escape(organisers[language], quote=False) in page
        assert not any(other in home or other in page for other in others), language
    top = (site / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{escape(titles['fr'], quote=False)}</h1>" in top  # the site's language
    for name in ("all", "civil_society", "unclassified"):
        if (site / "feeds" / f"{name}.atom").exists():
            feed = feedparser.parse(site / "feeds" / f"{name}.atom").feed
            assert feed.title.startswith(titles["fr"]) and feed.author == organisers["fr"]
    assert f"<h1>{escape(titles['en'], quote=False)}</h1>" in digest.read_text()  # in English
    for path in site.rglob("*"):
        if path.suffix in {".html", ".atom", ".xml", ".json"}:
            assert "LocalText(" not in path.read_text(encoding="utf-8"), path
