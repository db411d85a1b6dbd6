"""Every local link of every built site resolves (invariant 6), whatever the store holds:
the sample, nothing at all, only late comments, none late, a campaign, corrections,
withheld files, long paged lists, a preview, absolute addresses. tests/links.py follows
the links; each shape here is a store a real consultation can come to."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from publish import SiteSettings, build_site
from store import ConsultationSettings, Store
from store.models import Moderation, StakeholderGroup, Submission
from tests.ingest.test_campaigns import LETTER_A
from tests.links import broken_links
from tests.publish.sample import ARABIC_BODY, CHINESE_BODY, Comment, comments, populate
from tests.rules import judge, mail, post_rules

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
ON_TIME = datetime(2010, 11, 8, 15, 0, tzinfo=UTC)
LATE = datetime(2010, 11, 20, 15, 0, tzinfo=UTC)  # after the deadline of 15 November
INTAKE = datetime(2010, 11, 25, tzinfo=UTC)
BODIES = [
    ("en", "We support enhanced cooperation through the existing institutions.\n"),
    ("fr", "Nous soutenons une coopération renforcée et transparente.\n"),
    ("es", "Apoyamos una cooperación reforzada y transparente.\n"),
    ("ru", "Мы поддерживаем расширенное сотрудничество.\n"),
    ("ar", ARABIC_BODY),
    ("zh", CHINESE_BODY),
]

Shape = Callable[[Path, Store, ConsultationSettings], None]


def six_languages(tmp_path: Path, store: Store, consultation: ConsultationSettings,
                  received: datetime, late: str = "publish") -> None:  # fmt: skip
    """A comment in each language, all received at `received`, through the consultation's
    rules with this late policy."""
    messages = [
        mail(n, subject=f"Comment {n}", body=body, received=received, language=language)
        for n, (language, body) in enumerate(BODIES, start=1)
    ]
    judge(tmp_path, store, messages, post_rules(consultation, late=late), INTAKE)


def sample(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    populate(tmp_path, store, consultation)


def long_lists(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """More organisations and comments than a list page holds (page_size 10)."""
    extra = [
        Comment(
            f"Comment {n}",
            f"Writer {n}",
            f"Our comment number {n}.\n",
            ON_TIME,
            language="en",
            group=StakeholderGroup.CIVIL_SOCIETY,
            country="KE",
            organisation=f"Organisation {n:02d}",
        )
        for n in range(1, 25)
    ]
    populate(tmp_path, store, consultation, extra)


def all_late(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    six_languages(tmp_path, store, consultation, LATE)


def none_late(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    six_languages(tmp_path, store, consultation, ON_TIME)


def late_held(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """Comments arrived, all late, and the policy holds them: nothing is published."""
    six_languages(tmp_path, store, consultation, LATE, late="hold")


def nothing(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """No mail at all."""


def sample_all_late(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    late = [replace(c, received=LATE) for c in comments()]
    populate(tmp_path, store, consultation, sample=late)


def campaign(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """Copies of one letter; the first copy is hidden, so another one leads the campaign."""
    copies = [
        mail(n, sender=f"Sender {n}", address=f"sender{n}@example.net",
             body=f"Dear Secretary-General,\n\n{LETTER_A}\n\nSender {n}\n", received=ON_TIME)
        for n in range(1, 5)
    ]  # fmt: skip
    other = mail(9, body="A comment of my own on enhanced cooperation.", received=ON_TIME)
    judge(tmp_path, store, [*copies, other], post_rules(consultation), INTAKE)
    _moderate(store, "DESA-10-3078/0001", Moderation.HIDDEN)


def corrections(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """A comment, its corrected version and an addition; another sender's corrected comment
    whose earlier version was then withdrawn."""
    alice, bob = "policy@apic.example.org", "bob@isoc.example.org"
    messages = [
        mail(1, address=alice, subject="APIC comments", body="Our comments.\n",
             received=ON_TIME, message_id="orig@apic.example.org"),
        mail(2, address=alice, subject="APIC comments (corrected version)",
             body="Please use this corrected version.\n", received=ON_TIME),
        mail(3, address=alice, subject="Re: APIC comments",
             body="We would like to add one point: meetings should be webcast.\n",
             headers=(("In-Reply-To", "<orig@apic.example.org>"),), received=ON_TIME),
        mail(4, address=bob, subject="ISOC comments", body="First words.\n", received=ON_TIME),
        mail(5, address=bob, subject="ISOC comments (corrected version)",
             body="The corrected words.\n", received=ON_TIME),
    ]  # fmt: skip
    judge(tmp_path, store, messages, post_rules(consultation), INTAKE)
    _moderate(store, "DESA-10-3078/0004", Moderation.WITHDRAWN)


def withheld_files(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """Attachments of every kind, a forwarded message and a letter that is withheld."""
    from tests.publish.test_published_files import comment_with_everything

    rules = post_rules(consultation, late="publish")
    judge(tmp_path, store, [comment_with_everything()], rules, INTAKE)


def themes(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    """Themes computed, then the comment each theme quotes hidden before the next build."""
    from publish.themes import refresh_themes
    from store.themes import stored_themes
    from tests.theme_set import comments as theme_comments

    messages = [
        mail(n, address=f"writer{n}@example.org", subject=f"Comment {n}", body=text + "\n",
             received=ON_TIME, language=language)
        for n, (_topic, language, text) in enumerate(theme_comments()[:24], start=1)
    ]  # fmt: skip
    judge(tmp_path, store, messages, post_rules(consultation), INTAKE)
    refresh_themes(store, INTAKE)
    with store.reader() as session:
        quoted = {t.excerpt_reference for t in stored_themes(session) if t.excerpt_reference}
    assert quoted
    for reference in quoted:
        _moderate(store, reference, Moderation.HIDDEN)


def _moderate(store: Store, reference: str, moderation: Moderation) -> None:
    with store.session() as session:
        row = session.exec(select(Submission).where(Submission.reference == reference)).one()
        row.moderation = moderation
        session.add(row)
        session.commit()


SHAPES: dict[str, Shape] = {
    "sample": sample,
    "long-lists": long_lists,
    "all-late": all_late,
    "sample-all-late": sample_all_late,
    "none-late": none_late,
    "late-held": late_held,
    "nothing": nothing,
    "campaign": campaign,
    "corrections": corrections,
    "withheld-files": withheld_files,
    "themes": themes,
}


@pytest.mark.parametrize(
    "shape",
    [pytest.param(s, marks=pytest.mark.slow) if s == "withheld-files" else s for s in SHAPES],
)
def test_every_local_link_of_every_page_resolves(
    shape: str,
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    site_settings: SiteSettings,
) -> None:
    SHAPES[shape](tmp_path, store, consultation)
    settings = site_settings.model_copy(update={"page_size": 10})
    report = build_site(store, consultation, settings, consultation.posting_date)
    assert report.published
    assert broken_links(settings.output) == []
    # A later build over the first (pages hard-linked from it) links as well as a fresh one.
    build_site(store, consultation, settings, consultation.posting_date.replace(hour=1))
    assert broken_links(settings.output) == []


def test_the_home_page_links_only_the_timing_lists_that_exist(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    all_late(tmp_path, store, consultation)
    report = build_site(store, consultation, site_settings, consultation.posting_date)
    assert report.submissions == len(BODIES)
    site = site_settings.output
    for language in LANGUAGES:
        home = (site / language / "index.html").read_text()
        assert f'href="../{language}/timing/late/index.html"' in home
        assert "timing/on-time/" not in home
        assert not (site / language / "timing" / "on-time").exists()
    assert "timing/on-time/" not in (site / "index.html").read_text()


def test_a_preview_and_a_site_with_absolute_addresses_link_within_themselves(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    sample_all_late(tmp_path, store, consultation)
    base_url = "https://comments.example.org/desa-10-3078/"
    settings = site_settings.model_copy(update={"base_url": base_url, "language": "ar"})
    build_site(store, consultation, settings, consultation.posting_date)
    assert broken_links(settings.output, base_url) == []
    preview = tmp_path / "preview"
    build_site(store, consultation, site_settings, consultation.deadline, preview=preview)
    assert broken_links(preview) == []


def test_a_theme_never_quotes_or_links_a_comment_hidden_since_it_was_computed(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    from store.themes import stored_themes

    themes(tmp_path, store, consultation)
    build_site(store, consultation, site_settings, consultation.posting_date)
    page = html.unescape((site_settings.output / "en" / "themes" / "index.html").read_text())
    with store.reader() as session:
        stored = stored_themes(session)
    assert stored and all(t.excerpt for t in stored)
    for theme in stored:
        assert theme.excerpt[:40] not in page
        assert theme.excerpt_reference not in page
    assert page.count('<section class="theme"') >= 1
