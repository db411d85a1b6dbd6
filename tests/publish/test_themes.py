"""Themes: measured on a labelled set in six languages (tests/theme_set.py) with the adjusted
Rand index, and the rules around them: a campaign counts once, the same store gives the same
themes, a vector is computed once per text, the digest and the site show them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score
from sqlmodel import col, select

from publish import SiteSettings
from publish.digest import write_digest
from publish.themes import refresh_themes
from store import ConsultationSettings, Store, StoreSettings, open_store
from store.models import Submission, ThemeMember
from store.themes import stored_themes, theme_members
from tests.rules import judge, mail, post_rules
from tests.theme_set import TOPICS, comments

RECEIVED = datetime(2010, 11, 8, 15, 0, tzinfo=UTC)
NOW = datetime(2010, 12, 2, 12, 0, tzinfo=UTC)
CAMPAIGN = (
    "We write to ask that the meeting of 14 December be broadcast online, with remote "
    "participation, so that those who cannot travel to New York can follow it and ask questions."
)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(
        StoreSettings(url=f"sqlite:///{tmp_path / 'themes.db'}", archive=tmp_path / "archive")
    )
    try:
        yield opened
    finally:
        opened.close()


def ingest(tmp_path: Path, store: Store, consultation: ConsultationSettings,
           texts: list[tuple[str, str]]) -> list[Submission]:  # fmt: skip
    messages = [
        mail(n, address=f"writer{n}@example.org", subject=f"Comment {n}", body=text + "\n",
             received=RECEIVED, language=language)
        for n, (language, text) in enumerate(texts, start=1)
    ]  # fmt: skip
    return judge(tmp_path, store, messages, post_rules(consultation), NOW)


def grouping(store: Store) -> dict[int, int]:
    with store.reader() as session:
        rows = session.exec(select(ThemeMember.submission_id, ThemeMember.theme_id))
        return dict(rows.all())


@pytest.mark.slow
def test_the_labelled_set_in_six_languages(
    tmp_path: Path, sqlite_store: Store, consultation: ConsultationSettings
) -> None:
    """Six topics, each said twice in each of the six languages: 72 comments."""
    labelled = comments()
    rows = ingest(
        tmp_path, sqlite_store, consultation, [(lang, text) for _, lang, text in labelled]
    )
    report = refresh_themes(sqlite_store, NOW)
    assert report.computed and report.units == len(labelled) == 72
    found = grouping(sqlite_store)
    truth = [topic for topic, _, _ in labelled]
    predicted = [found[row.id or 0] for row in rows]
    score = adjusted_rand_score(truth, predicted)
    print(f"adjusted Rand index {score:.3f} over {len(labelled)} comments, "
          f"{len(TOPICS)} topics, {len(set(predicted))} themes")  # fmt: skip
    assert score >= 0.9
    # A French and an English comment on the same point land in the same theme.
    by_text = {text: found[row.id or 0] for (_, _, text), row in zip(labelled, rows, strict=True)}
    for languages in TOPICS.values():
        assert by_text[languages["en"][0]] == by_text[languages["fr"][0]]
    # Each theme is named by its own words, in the language most of its comments use.
    with sqlite_store.reader() as session:
        labels = [theme.label for theme in stored_themes(session)]
    assert all(label for label in labels)
    assert any("remote" in label or "webcast" in label for label in labels), labels


def test_a_campaign_counts_once_and_the_same_store_gives_the_same_themes(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    texts = [
        ("en", TOPICS["privacy"]["en"][0]),
        ("fr", TOPICS["privacy"]["fr"][1]),
        ("es", TOPICS["privacy"]["es"][0]),
        ("en", TOPICS["cybersecurity"]["en"][0]),
        ("ru", TOPICS["cybersecurity"]["ru"][1]),
        ("zh", TOPICS["cybersecurity"]["zh"][0]),
        *[("en", f"Dear Secretariat,\n\n{CAMPAIGN}\n\nSigner {n}") for n in range(4)],
    ]
    rows = ingest(tmp_path, store, consultation, texts)
    assert len({row.campaign_id for row in rows[-4:]}) == 1 and rows[-1].campaign_id is not None
    first = refresh_themes(store, NOW)
    assert (first.computed, first.units, first.embedded) == (True, 7, 7)  # the campaign once
    assert refresh_themes(store, NOW).computed is False  # nothing changed: nothing computed
    again = refresh_themes(store, NOW, force=True)
    assert again.embedded == 0  # vectors are stored once per text
    themes_before = grouping(store)
    with store.reader() as session:
        themes = stored_themes(session)
        assert sum(t.size for t in themes) == 10 and sum(t.units for t in themes) == 7
        members = {ref: weight for t in themes for ref, weight in theme_members(session, t.id)}
        assert members[rows[6].reference] == 4 and rows[7].reference not in members
        first_ids = [row.id for row in rows[:3]]
        privacy = {tid for sid, tid in themes_before.items() if sid in first_ids}
        assert len(privacy) == 1  # en, fr, es on privacy: one theme
        labels_before = [(t.label, t.size, t.units) for t in themes]
    refresh_themes(store, NOW, force=True)
    after = grouping(store)
    assert sorted(after) == sorted(themes_before)
    same = adjusted_rand_score(
        [themes_before[k] for k in sorted(after)], [after[k] for k in sorted(after)]
    )
    assert same == 1.0
    with store.reader() as session:
        assert [(t.label, t.size, t.units) for t in stored_themes(session)] == labels_before


def test_the_digest_lists_the_themes(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    texts = [(lang, TOPICS["multilingualism"][lang][0]) for lang in ("en", "fr", "ar")]
    rows = ingest(tmp_path, store, consultation, texts)
    report = write_digest(store, consultation, site_settings, NOW, groups=None,
                          html_path=tmp_path / "d.html", csv_path=tmp_path / "d.csv")  # fmt: skip
    assert "No themes computed yet" in report.html.read_text()
    refresh_themes(store, NOW)
    write_digest(store, consultation, site_settings, NOW, groups=None,
                 html_path=tmp_path / "d.html", csv_path=tmp_path / "d.csv")  # fmt: skip
    html = (tmp_path / "d.html").read_text()
    assert "<h2>Themes</h2>" in html and all(row.reference in html for row in rows)
    with store.reader() as session:
        assert session.exec(select(col(ThemeMember.theme_id)).distinct()).all()
