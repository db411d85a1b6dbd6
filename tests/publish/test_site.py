"""build_site: nothing public before the posting date, everything escaped and address-free after."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest import poll_once
from ingest.rule_settings import IntakeRules, ModerationSettings
from publish import OutputInUse, PreviewClash, SiteSettings, build_site
from store import ConsultationSettings, Store
from tests import samples
from tests.conftest import maildir
from tests.html_checks import executable_content
from tests.messages import comment

HOSTILE = "<script>alert('x')</script>"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def populate(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    messages = [
        comment(
            1,
            subject=f"Our view {HOSTILE}",
            sender=f"Evil {HOSTILE}",
            body=f"Dear colleagues,\n{HOSTILE}\n<img src=x onerror=alert(1)>\n"
            "Write to me at jo.smith@mofa.gov.example or +1 212 555 0100.\n",
            attachments=[("report.html", "text/html", b"<script>alert(1)</script>")],
        ),
        comment(
            2, body="Plain comment.", attachments=[("paper.pdf", "application/pdf", samples.pdf())]
        ),
        comment(3, address="no-name@example.org", sender=""),
        b"\n\n",  # will fail to parse: never published
    ]
    poll_once(
        maildir(tmp_path / "Maildir", messages),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: datetime(2010, 11, 10, tzinfo=UTC),
        # Post-moderation, and late comments published: these test messages carry no
        # Received header, so the mailbox's clock is the files' time, after the deadline.
        rules=IntakeRules(consultation, moderation=ModerationSettings(mode="post", late="publish")),
    )


def test_nothing_is_written_to_the_public_folder_before_the_posting_date(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    populate(tmp_path, store, consultation)
    just_before = consultation.posting_date - timedelta(microseconds=1)
    report = build_site(store, consultation, site_settings, just_before)
    assert not report.published
    assert not site_settings.output.exists()
    assert not site_settings.output.parent.exists() or not any(
        site_settings.output.parent.iterdir()
    )


def test_a_preview_is_marked_and_never_the_public_folder(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    populate(tmp_path, store, consultation)
    preview = tmp_path / "preview"
    early = datetime(2010, 11, 20, tzinfo=UTC)
    report = build_site(store, consultation, site_settings, early, preview=preview)
    assert report.published and report.submissions == 3
    index = (preview / "index.html").read_text()
    assert "not yet public" in index and 'content="noindex, nofollow"' in index
    assert (preview / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert not site_settings.output.exists()
    with pytest.raises(PreviewClash):
        build_site(store, consultation, site_settings, early, preview=site_settings.output)


def test_after_the_posting_date_every_published_submission_has_a_safe_page(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    populate(tmp_path, store, consultation)
    report = build_site(store, consultation, site_settings, consultation.posting_date)
    site = site_settings.output
    assert report.published and report.submissions == 3
    for language in ("ar", "en", "es", "fr", "ru", "zh"):
        pages = sorted(p.parent.name for p in site.glob(f"{language}/submissions/*/index.html"))
        assert pages == [f"DESA-10-3078-{n:04d}" for n in (1, 2, 3)]
    assert "noindex" not in (site / "index.html").read_text()
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert executable_content(html) == [], page
        assert not ADDRESS.search(html), f"an email address in {page}"
        assert "Content-Security-Policy" in html
    for path in [
        *site.glob("feeds/*.atom"),
        *site.glob("data/submissions.*"),
        site / "sitemap.xml",
    ]:
        assert not ADDRESS.search(path.read_text()), f"an email address in {path}"
    first = (site / "en/submissions/DESA-10-3078-0001/index.html").read_text()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in first
    assert "[email address removed]" in first
    # The attached HTML file is never published raw: only its text, and it has none.
    files = sorted(p.name for p in site.glob("files/*/*"))
    assert files == ["1-paper.pdf"]


def test_publishing_swaps_a_finished_build_in_and_keeps_readers_off_half_builds(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    populate(tmp_path, store, consultation)
    site = site_settings.output
    build_site(store, consultation, site_settings, consultation.posting_date)
    first = site.resolve()
    build_site(store, consultation, site_settings, consultation.posting_date + timedelta(hours=1))
    second = site.resolve()
    assert site.is_symlink() and first != second
    assert (second / "index.html").is_file()
    build_site(store, consultation, site_settings, consultation.posting_date + timedelta(hours=2))
    assert not first.exists()  # only keep_builds (2) finished builds stay


def test_an_output_folder_mailroom_did_not_make_is_left_alone(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    site_settings.output.mkdir(parents=True)
    (site_settings.output / "precious.txt").write_text("keep me")
    with pytest.raises(OutputInUse, match="did not make"):
        build_site(store, consultation, site_settings, consultation.posting_date)
    assert (site_settings.output / "precious.txt").read_text() == "keep me"
