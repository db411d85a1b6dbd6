"""Publishing again costs what changed: unchanged files keep their bytes, inode and mtime."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from publish import SiteSettings, build_site
from store import ConsultationSettings, Store
from tests.publish.sample import edit_body, poll_numbered, populate

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


def files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of the current build with its inode and modification time."""
    root = site.resolve()
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_second_build_with_no_change_rewrites_no_file(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    populate(tmp_path, store, consultation)
    first = build_site(store, consultation, site_settings, consultation.posting_date)
    before = files(site_settings.output)
    first_build = site_settings.output.resolve()
    later = consultation.posting_date + timedelta(hours=1)
    second = build_site(store, consultation, site_settings, later)
    after = files(site_settings.output)
    assert site_settings.output.resolve() != first_build  # a new folder, swapped in
    assert after == before  # same names, same inodes, same modification times
    assert second.written == 0 and second.unchanged == len(after)
    assert first.written == len(before)


def test_a_change_to_one_submission_rewrites_only_the_pages_that_show_it(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    references = populate(tmp_path, store, consultation)
    build_site(store, consultation, site_settings, consultation.posting_date)
    before = files(site_settings.output)
    reference = references["Contribution tardive"]
    edit_body(
        store, reference, "Madame, Monsieur,\n\nUne version corrigée de notre contribution.\n"
    )
    report = build_site(
        store, consultation, site_settings, consultation.posting_date + timedelta(hours=1)
    )
    after = files(site_settings.output)
    # Pagefind names its index files by their content: only those come and go.
    assert {n for n in after.keys() ^ before.keys() if not n.startswith("pagefind/")} == set()
    changed = {name for name in after if after[name] != before.get(name)}
    slug = reference.replace("/", "-")
    pages = {f"{language}/submissions/{slug}/index.html" for language in LANGUAGES}
    # What shows the text: its six pages, the feeds it is in, the open data, the search index.
    aggregates = {
        "feeds/all.atom",
        "feeds/private_sector.atom",
        "data/submissions.json",
        "data/submissions.csv",
        "data/SHA256SUMS",
    }
    assert pages | aggregates <= changed
    search = {name for name in changed if name.startswith("pagefind/")}
    assert "pagefind/00000/pagefind-entry.json" in search
    assert changed == pages | aggregates | search
    assert report.written == len(changed)
    text = (site_settings.output / f"fr/submissions/{slug}/index.html").read_text()
    assert "Une version corrigée" in text
    # The listings show no text: they, the home pages and the attachments are the same files.
    assert (
        after["fr/groups/private_sector/index.html"]
        == before["fr/groups/private_sector/index.html"]
    )
    assert (site_settings.output / "data/attachments.zip").samefile(
        site_settings.output.parent
        / ".site.builds"
        / sorted(p.name for p in (site_settings.output.parent / ".site.builds").iterdir())[0]
        / "public/data/attachments.zip",
    )


def test_hiding_one_comment_of_a_long_list_rewrites_its_list_page_not_the_pages_after_it(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    from store.models import Moderation
    from store.moderation import decide, find_for_update

    poll_numbered(tmp_path, store, consultation, 80)
    settings = SiteSettings(output=tmp_path / "public" / "site", page_size=10)
    build_site(store, consultation, settings, consultation.posting_date)
    listing = "en/groups/unclassified"
    before = files(settings.output)
    pages = sorted(n for n in before if n.startswith(f"{listing}/"))
    assert len(pages) >= 5, pages  # a long list: the hidden comment has pages after it
    following = re.search(
        r'rel="next" href="([^"]+)"', (settings.output / listing / "index.html").read_text()
    )
    assert following is not None
    second_page = f"{listing}/{following.group(1)}"
    # Hide the second comment of the list's second page (the first names the page: hiding it
    # renames the page, and its neighbours' links change with it).
    hidden = settings.output / second_page
    reference = hidden.read_text().split('<span class="ref">')[2].split("<")[0]
    later = consultation.posting_date + timedelta(hours=1)
    with store.session() as session:
        row = find_for_update(session, reference)
        assert row is not None
        decide(session, row, Moderation.HIDDEN, by="test", at=later, reason="test", action="hide")
        session.commit()
    build_site(store, consultation, settings, later)
    after = files(settings.output)
    changed = {n for n in pages if after.get(n) != before[n]}
    # Its own page, and the first page (it gives the count); never the pages after it.
    assert changed <= {second_page, f"{listing}/index.html"} | (after.keys() ^ before.keys())
    assert second_page in changed
    assert reference not in (settings.output / second_page).read_text()
    for name in sorted(set(pages) - changed):
        assert after[name] == before[name], name


def test_a_change_reindexes_only_its_search_shard_and_the_index_is_a_full_builds(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shards of two comments, their pages spooled to disk (a byte in memory at most): the
    edited comment's shard is indexed again, the others are the previous build's files, and
    the index is the one a fresh build of the same store makes."""
    from publish import search

    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    monkeypatch.setattr(search, "SPOOL_BYTES", 1)
    references = populate(tmp_path, store, consultation)
    settings = SiteSettings(output=tmp_path / "public" / "site")
    build_site(store, consultation, settings, consultation.posting_date)
    before = files(settings.output)
    reference = references["Contribution tardive"]
    shard = f"{(int(reference.rsplit('/', 1)[1]) - 1) // 2:05d}"
    edit_body(store, reference, "Une version corrigée, avec un mot rare: zygomorphe.\n")
    build_site(store, consultation, settings, consultation.posting_date + timedelta(hours=1))
    after = files(settings.output)
    shards = {n.split("/")[1] for n in after if n.startswith("pagefind/0")}
    assert len(shards) >= 3
    for name, stamp in after.items():
        if name.startswith("pagefind/0") and not name.startswith(f"pagefind/{shard}/"):
            assert before.get(name) == stamp, name  # another shard: the same file, linked
    changed = {n for n in after if n.startswith(f"pagefind/{shard}/") and after[n] != before.get(n)}
    assert changed, "the edited comment's shard was not indexed again"
    fresh = SiteSettings(output=tmp_path / "fresh" / "site")
    build_site(store, consultation, fresh, consultation.posting_date + timedelta(hours=1))
    index = sorted(n for n in after if n.startswith("pagefind/"))
    assert index == sorted(n for n in files(fresh.output) if n.startswith("pagefind/"))
    for name in index:
        assert (settings.output / name).read_bytes() == (fresh.output / name).read_bytes(), name


def _pagefind_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("pagefind")]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # threads, not SQL
def test_pagefind_failing_fails_the_build_and_leaves_the_site_and_no_thread(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pagefind runs while the build renders on; when it fails, the build fails with its
    words, the site stays the previous build, and no half build or thread is left."""
    from publish import search

    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    references = populate(tmp_path, store, consultation)
    settings = SiteSettings(output=tmp_path / "public" / "site")
    build_site(store, consultation, settings, consultation.posting_date)
    before = files(settings.output)
    builds = sorted((settings.output.parent / ".site.builds").iterdir())
    real = search._index

    def blocked(pages: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("a file where Pagefind's folder goes")  # Pagefind cannot write
        real(pages, target)

    monkeypatch.setattr(search, "_index", blocked)
    edit_body(store, references["Contribution tardive"], "Une version corrigée.\n")
    with pytest.raises(search.SearchIndexFailed, match="pagefind could not index the site"):
        build_site(store, consultation, settings, consultation.posting_date + timedelta(hours=1))
    assert files(settings.output) == before
    assert sorted((settings.output.parent / ".site.builds").iterdir()) == builds
    assert _pagefind_threads() == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # threads, not SQL
def test_a_build_that_fails_while_pagefind_runs_waits_for_it_and_is_deleted(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lists fail while a shard is still being indexed: the build waits for Pagefind
    before it deletes itself, so Pagefind never writes into a deleted build."""
    from publish import search, site

    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    populate(tmp_path, store, consultation)
    settings = SiteSettings(output=tmp_path / "public" / "site")
    real = search._index
    failed, indexed = threading.Event(), threading.Event()

    def slow(pages: Path, target: Path) -> None:
        failed.wait(timeout=60)  # still to run when the lists fail
        real(pages, target)
        indexed.set()

    def failing(*args: object) -> None:
        failed.set()
        raise RuntimeError("the lists failed")

    monkeypatch.setattr(search, "_index", slow)
    monkeypatch.setattr(site, "write_listings", failing)
    with pytest.raises(RuntimeError, match="the lists failed"):
        build_site(store, consultation, settings, consultation.posting_date)
    assert indexed.is_set(), "the build did not wait for Pagefind"
    assert _pagefind_threads() == []
    builds = settings.output.parent / ".site.builds"
    assert not settings.output.exists()
    assert (list(builds.iterdir()) if builds.is_dir() else []) == [], "a build was left"
