"""The documented layout, the feeds, the open data and the languages, off the browser."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import feedparser
import jsonschema
import pytest
from sqlmodel import select

from publish import SiteSettings, build_site
from publish.due import is_published
from store import ConsultationSettings, Store
from store.models import Moderation, Submission
from tests.publish.sample import ATTACHMENT_PHRASE, poll_numbered, populate

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


def published_references(store: Store) -> list[str]:
    """What due.py says is public, less the withdrawn (which only keep a tombstone)."""
    with store.reader() as session:
        rows = session.exec(select(Submission).order_by(Submission.number)).all()
        return [
            r.reference for r in rows if is_published(r) and r.moderation != Moderation.WITHDRAWN
        ]


@pytest.fixture
def built(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> tuple[Path, dict[str, str]]:
    references = populate(tmp_path, store, consultation)
    report = build_site(store, consultation, site_settings, consultation.posting_date)
    assert report.published and report.withdrawn == 1
    return site_settings.output, references


def slug(reference: str) -> str:
    return reference.replace("/", "-")


def test_the_layout_is_the_documented_one(built: tuple[Path, dict[str, str]]) -> None:
    site, references = built
    for path in (
        "index.html",
        "robots.txt",
        "sitemap.xml",
        "feeds/all.atom",
        "feeds/governments.atom",
        "data/submissions.json",
        "data/submissions.csv",
        "data/submissions.schema.json",
        "data/attachments.zip",
        "data/SHA256SUMS",
        "pagefind/shards.json",
        "pagefind/00000/pagefind.js",
        "pagefind/00000/pagefind-entry.json",
        "static/style.css",
    ):
        assert (site / path).is_file(), path
    kenya = slug(references["Position of the Government of Kenya"])
    for language in LANGUAGES:
        for path in (
            "index.html",
            "search/index.html",
            f"submissions/{kenya}/index.html",
            "groups/governments/index.html",
            "countries/ke/index.html",
            "languages/en/index.html",
            "channels/email/index.html",
            "timing/late/index.html",
            "dates/2010-11-08/index.html",
            "organisations/index.html",
        ):
            assert (site / language / path).is_file(), f"{language}/{path}"
    assert (site / "files" / kenya / "1-position.pdf").read_bytes().startswith(b"%PDF-")


def test_every_page_says_its_language_links_the_others_and_arabic_runs_right_to_left(
    built: tuple[Path, dict[str, str]],
) -> None:
    site, references = built
    top = (site / "index.html").read_text()
    assert '<html lang="en" dir="ltr">' in top  # [site] language defaults to English
    for language in LANGUAGES:
        assert f'href="{language}/index.html"' in top
    arabic = slug(references["تعليق على التعاون المعزز"])
    page = (site / "ar" / "submissions" / arabic / "index.html").read_text()
    assert '<html lang="ar" dir="rtl">' in page
    assert 'class="text" lang="ar" dir="rtl"' in page
    for language in LANGUAGES:
        assert f'hreflang="{language}" href="../../../{language}/submissions/{arabic}/' in page
    assert "المرجع" in page  # the interface is translated, not only marked
    english_page = (site / "en" / "submissions" / arabic / "index.html").read_text()
    assert '<html lang="en" dir="ltr">' in english_page
    assert 'class="text" lang="ar" dir="rtl"' in english_page
    assert "Rechercher" in (site / "fr" / "search" / "index.html").read_text()
    assert "搜索" in (site / "zh" / "search" / "index.html").read_text()


def test_a_submission_page_shows_what_the_public_may_see(
    built: tuple[Path, dict[str, str]],
) -> None:
    site, references = built
    kenya = (
        site / "en/submissions" / slug(references["Position of the Government of Kenya"])
    ) / "index.html"
    html = kenya.read_text()
    for shown in (
        "Grace Wanjiru",
        "Ministry of Information and Communication",
        "Governments",
        "Kenya",
        "Email",
        "English",
        "November 8, 2010",
        ATTACHMENT_PHRASE,
        "position.pdf",
        "application/pdf",
    ):
        assert shown in html, shown
    assert re.search(r'<details class="quote"><summary>Quoted text</summary>', html)
    assert re.search(r'<details class="signature"><summary>Signature</summary>', html)
    assert "@example.org" not in html
    anonymous = (
        site / "en/submissions" / slug(references["Comentario anónimo"]) / "index.html"
    ).read_text()
    assert "Anonymous" in anonymous
    assert "María López" not in anonymous and "Should not show" not in anonymous
    late = (
        site / "fr/submissions" / slug(references["Contribution tardive"]) / "index.html"
    ).read_text()
    assert "En retard" in late


def test_a_withdrawn_submission_keeps_its_address_and_is_nowhere_else(
    built: tuple[Path, dict[str, str]],
) -> None:
    site, references = built
    withdrawn = slug(references["Please withdraw my comment"])
    page = (site / "en/submissions" / withdrawn / "index.html").read_text()
    assert "This comment was withdrawn at the sender's request." in page
    assert 'content="noindex, nofollow"' in page
    assert "withdrawn-secret-text" not in page and "Withdrawn Sender" not in page
    for path in site.rglob("*"):
        if path.is_file() and path.suffix != ".pagefind" and "/pagefind/" not in str(path):
            data = path.read_bytes()
            assert b"withdrawn-secret-text" not in data, path
            assert b"Withdrawn Sender" not in data, path
        if path.suffix in (".xml", ".atom", ".json", ".csv") or path.name == "SHA256SUMS":
            assert withdrawn.encode() not in path.read_bytes() or path.name == "written.txt", path


def test_a_hidden_submission_appears_nowhere(built: tuple[Path, dict[str, str]]) -> None:
    site, references = built
    hidden = slug(references["Hidden comment"])
    assert not (site / "en/submissions" / hidden).exists()
    for path in site.rglob("*"):
        if path.is_file():
            assert b"hidden-secret-text" not in path.read_bytes(), path


def test_the_feeds_parse_as_atom_and_hold_what_is_published(
    built: tuple[Path, dict[str, str]], store: Store
) -> None:
    site, references = built
    feed = feedparser.parse((site / "feeds/all.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    listed = [entry.title.split(" ", 1)[0] for entry in feed.entries]
    assert listed == published_references(store)
    wanted = references["Position of the Government of Kenya"]
    kenya = next(e for e in feed.entries if e.title.startswith(wanted))
    assert kenya.link.endswith(f"en/submissions/{slug(kenya.title.split()[0])}/")
    assert kenya.tags[0].term == "governments"
    assert any(link.rel == "enclosure" for link in kenya.links)
    groups = feedparser.parse((site / "feeds/governments.atom").read_bytes())
    assert not groups.bozo
    assert [e.title for e in groups.entries] == [kenya.title]
    for path in site.glob("feeds/*.atom"):
        assert not feedparser.parse(path.read_bytes()).bozo, path


def test_the_open_data_matches_its_schema_and_its_checksums(
    built: tuple[Path, dict[str, str]], store: Store
) -> None:
    site, _ = built
    schema = json.loads((site / "data/submissions.schema.json").read_text())
    rows = json.loads((site / "data/submissions.json").read_text())
    jsonschema.validate(rows, schema, format_checker=jsonschema.FormatChecker())
    expected = published_references(store)
    assert [row["reference"] for row in rows] == expected
    with (site / "data/submissions.csv").open(newline="", encoding="utf-8") as source:
        table = list(csv.DictReader(source))
    columns = [c for c in schema["items"]["required"] if c != "attachments"]
    assert list(table[0].keys()) == columns
    assert [row["reference"] for row in table] == expected
    for row, record in zip(table, rows, strict=True):
        for column in columns:
            value = record[column]
            text = "" if value is None else str(value).lower() if isinstance(value, bool) else value
            assert row[column] == str(text), (column, row[column], value)
        assert (site / record["url"] / "index.html").is_file()
        for attachment in record["attachments"]:
            if attachment["path"] is None:
                continue  # nothing of it is served (publish.attachments)
            data = (site / attachment["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == attachment["served_sha256"]
    with zipfile.ZipFile(site / "data/attachments.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        assert sorted(f"files/{n}" for n in names) == sorted(
            a["path"] for r in rows for a in r["attachments"] if a["path"]
        )
    sums = (site / "data/SHA256SUMS").read_text().splitlines()
    assert len(sums) == 4
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((site / "data" / name).read_bytes()).hexdigest() == digest


def test_robots_and_sitemap_list_only_what_is_public(
    built: tuple[Path, dict[str, str]], store: Store
) -> None:
    site, references = built
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    index = (site / "sitemap.xml").read_text()
    assert "sitemaps/pages.xml" in index and "sitemaps/submissions-1.xml" in index
    listed = (site / "sitemaps/submissions-1.xml").read_text()
    for reference in published_references(store):
        for language in LANGUAGES:
            assert f"<loc>{language}/submissions/{slug(reference)}/</loc>" in listed
    assert slug(references["Please withdraw my comment"]) not in listed


def test_the_same_store_gives_byte_identical_sites(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    first = SiteSettings(output=tmp_path / "one" / "site", language="fr")
    second = SiteSettings(output=tmp_path / "two" / "site", language="fr")
    build_site(store, consultation, first, consultation.posting_date)
    build_site(store, consultation, second, consultation.posting_date.replace(year=2011))

    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    one, two = tree(first.output.resolve()), tree(second.output.resolve())
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    assert '<html lang="fr" dir="ltr">' in one["index.html"].decode()
    csv.reader(io.StringIO(one["data/submissions.csv"].decode()))


def test_long_lists_and_feeds_are_paged_and_archived(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from publish import feeds

    monkeypatch.setattr(feeds, "FEED_PAGE", 5)
    poll_numbered(tmp_path, store, consultation, 23)
    settings = SiteSettings(output=tmp_path / "public" / "site", page_size=10)
    build_site(store, consultation, settings, consultation.posting_date)
    site = settings.output
    listing = site / "en/groups/unclassified"
    # Pages end where the numbers say (publish/listings.py), from half to twice page_size, and
    # are named by their first comment, so a change on one page leaves the others alone.
    assert sorted(p.name for p in listing.iterdir()) == ["from-10.html", "index.html"]
    first, second = (listing / "index.html").read_text(), (listing / "from-10.html").read_text()
    assert 'rel="next" href="from-10.html"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="index.html"' in second and 'rel="next"' not in second
    assert "Comments: 23" in first and "Comments:" not in second
    assert "References DESA-10-3078/0010 to DESA-10-3078/0023" in second
    listed = re.findall(r'<span class="ref">([^<]+)</span>', first + second)
    assert listed == [f"DESA-10-3078/{n:04d}" for n in range(1, 24)]
    # 23 entries in archives of about 5, each named by its first submission, ending where the
    # numbers say (so hiding a comment changes one archive), and the newest in all.atom.
    archives = {p.name for p in (site / "feeds/all").iterdir()}
    assert len(archives) >= 2 and all(re.fullmatch(r"from-\d+\.atom", n) for n in archives)
    current = feedparser.parse((site / "feeds/all.atom").read_bytes())
    assert not current.bozo and 1 <= len(current.entries) <= 10
    seen = [e.title.split()[0] for e in current.entries]
    followed: list[str] = []
    document, path = current, site / "feeds/all.atom"
    while links := [link.href for link in document.feed.links if link.rel == "prev-archive"]:
        path = path.parent / links[0] if path.name == "all.atom" else path.with_name(links[0])
        document = feedparser.parse(path.read_bytes())
        titles = [e.title.split()[0] for e in document.entries]
        assert not document.bozo and 2 <= len(titles) <= 10
        assert titles[0] == f"DESA-10-3078/{int(path.stem.removeprefix('from-')):04d}"
        followed.append(path.name)
        seen = titles + seen
    assert sorted(followed) == sorted(archives)  # every archive, each once, back to the first
    assert seen == published_references(store)


def test_with_a_base_url_the_sitemap_feeds_and_language_links_are_absolute(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    references = populate(tmp_path, store, consultation)
    settings = SiteSettings(output=tmp_path / "site", base_url="https://www.un.example/desa/")
    build_site(store, consultation, settings, consultation.posting_date)
    site = settings.output
    robots = (site / "robots.txt").read_text()
    assert robots.endswith("Sitemap: https://www.un.example/desa/sitemap.xml\n")
    assert (
        "<loc>https://www.un.example/desa/sitemaps/pages.xml</loc>"
        in (site / "sitemap.xml").read_text()
    )
    kenya = slug(references["Position of the Government of Kenya"])
    assert (
        f"<loc>https://www.un.example/desa/ru/submissions/{kenya}/</loc>"
        in (site / "sitemaps/submissions-1.xml").read_text()
    )
    page = (site / "en/submissions" / kenya / "index.html").read_text()
    assert (
        f'hreflang="zh" href="https://www.un.example/desa/zh/submissions/{kenya}/index.html"'
        in page
    )
    feed = feedparser.parse((site / "feeds/all.atom").read_bytes())
    assert feed.entries[0].link == f"https://www.un.example/desa/en/submissions/{kenya}/"
