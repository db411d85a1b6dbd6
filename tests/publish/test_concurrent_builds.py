"""Issue 9: two daemons publishing one site take turns, so the newer build is the one shown.

Without turns, a build that started first (from older records) and finished last would
be swapped in over a newer one, and could prune the other's build while it renders.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from publish import SiteSettings, build_site
from store import ConsultationSettings, Store
from tests.publish.sample import edit_body, populate

NEW_TEXT = "A corrected text, saved while an older build was still rendering."
WAIT_SECONDS = 5.0


@pytest.mark.slow
def test_a_build_that_started_later_is_not_undone_by_an_older_one_finishing_after_it(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, site_settings: SiteSettings
) -> None:
    references = populate(tmp_path, store, consultation)
    first = min(references.values())  # the first page every build renders
    build_site(store, consultation, site_settings, consultation.posting_date)
    rendering, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold(_count: int) -> None:  # the older build pauses after its first submission
        rendering.set()
        go.wait(60)

    def run(progress: object, hours: int) -> None:
        try:
            build_site(
                store,
                consultation,
                site_settings,
                consultation.posting_date + timedelta(hours=hours),
                progress=hold if progress else None,
            )
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    older = threading.Thread(target=run, args=(True, 1))
    older.start()
    assert rendering.wait(60)
    edit_body(store, first, NEW_TEXT)  # after the older build read that submission
    newer = threading.Thread(target=run, args=(False, 2))
    newer.start()
    newer.join(WAIT_SECONDS)  # without turns it finishes now, before the older one
    go.set()
    older.join(120)
    newer.join(120)
    assert not failures, failures
    page = site_settings.output / "en" / "submissions" / first.replace("/", "-") / "index.html"
    assert NEW_TEXT in page.read_text(encoding="utf-8")
    builds = [b for b in (site_settings.output.parent / ".site.builds").iterdir() if b.is_dir()]
    assert site_settings.output.resolve().parent in builds
