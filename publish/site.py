"""build_site: render the published submissions into a fresh folder, then swap it in.

Submissions stream past once, a page of rows at a time, their files made on a
thread a little ahead (publish.ahead): each one's pages in six languages, its
lines in the feeds, exports, search records, sitemap and facet lists. Then the
lists, the home pages, and the aggregate files. Only what changed since the
previous build is rendered; the rest is hard-linked from it. Before the posting
date the public folder is not touched; a preview goes to another folder, marked
"not yet public" and noindex.
"""

from __future__ import annotations

import errno
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from publish.ahead import prepared
from publish.attachments import FilePublisher
from publish.campaigns import CampaignFacts
from publish.corrections import CorrectionFacts
from publish.due import site_is_due
from publish.exports import Exports
from publish.facets import FacetSorter
from publish.feeds import Feed
from publish.layout import Site, submission_path
from publish.listings import write_listings
from publish.output import BuildOutput
from publish.privacy import Withheld
from publish.render import STATIC
from publish.search import SearchRecords
from publish.settings import SiteSettings
from publish.sitemap import Sitemap
from publish.swap import current_build, empty_trash, fresh_build, one_build_at_a_time, swap_in
from publish.theme_page import themes_page
from store.db import Store
from store.models import StakeholderGroup
from store.monitoring import record_publication, record_publish_failure
from store.settings import ConsultationSettings

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class PreviewClash(Exception):
    """A preview was aimed at the public folder."""


class SiteUnwritable(Exception):
    """The site's folder cannot take the build (its disk is full, read-only, failing); the
    public site is unchanged."""


DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)


@dataclass
class BuildReport:
    published: bool
    output: Path | None = None
    submissions: int = 0
    attachments: int = 0
    reason: str = ""
    pages: int = 0
    withdrawn: int = 0
    written: int = 0  # files rendered or copied anew
    unchanged: int = 0  # files hard-linked from the previous build
    withheld: list[Withheld] = field(default_factory=list)  # by the privacy check
    not_published: dict[str, int] = field(default_factory=dict)  # attachments, by policy


@dataclass
class _Totals:
    submissions: int = 0
    attachments: int = 0


def build_site(
    store: Store,
    consultation: ConsultationSettings,
    site: SiteSettings,
    now: datetime,
    *,
    preview: Path | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Publish at or after the posting date; with `preview`, render early into that folder."""
    if preview is None and not site_is_due(consultation, now):
        return BuildReport(
            published=False,
            reason=(
                f"the posting date is {consultation.posting_date.isoformat()}; "
                "nothing is written to the public folder before it"
            ),
        )
    target = site.output if preview is None else preview
    if preview is not None and preview.resolve() == site.output.resolve():
        raise PreviewClash(f"--preview {preview} is the public site.output; choose another folder")
    started = time.perf_counter()
    try:
        with one_build_at_a_time(target):  # another daemon publishing this site goes first
            report = _build_and_swap(store, consultation, site, now, target, preview, progress)
    except Exception as exc:
        if preview is None:
            _record_failure(store, now, target, exc)
        raise
    if preview is None:
        try:
            with store.session() as session:
                record_publication(
                    session,
                    built_at=now,
                    seconds=time.perf_counter() - started,
                    submissions=report.submissions,
                    output=str(target),
                )
        except SQLAlchemyError as exc:  # the site is out; only `health` and the metrics miss it
            log.warning("site=%s: published, but the build could not be recorded: %s", target, exc)
    log.info(
        "site=%s: %d submissions published; %d files written, %d unchanged",
        target,
        report.submissions,
        report.written,
        report.unchanged,
    )
    return report


def _build_and_swap(
    store: Store,
    consultation: ConsultationSettings,
    site: SiteSettings,
    now: datetime,
    target: Path,
    preview: Path | None,
    progress: Progress | None,
) -> BuildReport:
    """Render into a fresh build and swap it in; a build that fails is deleted."""
    previous = current_build(target)
    try:
        build = fresh_build(target, now.strftime("%Y%m%dT%H%M%S"))
    except OSError as exc:
        _raise_if_disk(target, exc)
        raise
    log.info("site=%s: building %s", target, build.name)
    cleaner = threading.Thread(target=empty_trash, args=(target,), name="empty-trash")
    cleaner.start()  # the builds the last swap pruned are deleted while this one renders
    try:
        output = BuildOutput(build / "public", build / "manifest", previous)
        report = _build(store, consultation, site, output, preview is not None, progress)
    except OSError as exc:
        _discard(target, build)  # a failed build never becomes the site, nor keeps the space
        _raise_if_disk(target, exc)
        raise
    except BaseException:
        _discard(target, build)
        raise
    finally:
        cleaner.join()
    report.output = target
    try:
        swap_in(target, build, keep=site.keep_builds)
    except OSError as exc:
        _discard(target, build)
        _raise_if_disk(target, exc)
        raise
    return report


def _raise_if_disk(target: Path, exc: OSError) -> None:
    """The operator's words for a disk that refused the build; other errors stay as they are."""
    if exc.errno not in DISK_ERRORS:
        return
    folder = target.parent  # holds the public link and the builds beside it
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise SiteUnwritable(
            f"the site's disk is full: {folder}; the public site {target} is unchanged; "
            "free space and it is published again"
        ) from exc
    raise SiteUnwritable(
        f"cannot write the site in {folder}: {exc.strerror or exc}; the public site {target} "
        "is unchanged; fix the disk and it is published again"
    ) from exc


def _discard(target: Path, build: Path) -> None:
    """Delete a failed build, unless the public link already points at it."""
    current = current_build(target)
    if current is None or current.resolve() != build.resolve():
        shutil.rmtree(build, ignore_errors=True)


def _record_failure(store: Store, now: datetime, target: Path, exc: Exception) -> None:
    """For `status`: the site's last error, until a build succeeds."""
    detail = str(exc) if isinstance(exc, SiteUnwritable) else f"publishing {target} failed: {exc}"
    try:
        with store.session() as session:
            record_publish_failure(session, at=now, detail=detail)
    except SQLAlchemyError as error:  # the database is the trouble: the log says it
        log.warning("site=%s: %s (not recorded: %s)", target, detail, error)


def _build(
    store: Store,
    consultation: ConsultationSettings,
    settings: SiteSettings,
    output: BuildOutput,
    preview: bool,
    progress: Progress | None,
) -> BuildReport:
    site = Site(consultation, output, settings.language, settings.base_url, preview)
    report = BuildReport(published=True)
    _copy_static(output)
    totals = _Totals()
    sorter = FacetSorter()
    feeds = {"all": Feed(site, "all", None)} | {
        group.value: Feed(site, group.value, group.value) for group in StakeholderGroup
    }
    exports = Exports(output, settings.language)
    records = SearchRecords(output)
    sitemap = Sitemap(output, settings.base_url)
    files = FilePublisher(store.archive, output, settings.attachments)
    try:
        with store.reader() as session:
            campaigns = CampaignFacts(session)
            corrections = CorrectionFacts(session)
        with prepared(store, consultation, files) as submissions:
            for item in submissions:
                key = [item.number]
                if item.withdrawn:
                    site.render_unit(
                        "submissions",
                        key,
                        "withdrawn.html",
                        submission_path(item.page["slug"]),
                        {"page": item.page},
                        noindex=True,
                    )
                    report.withdrawn += 1
                    continue
                page = item.page
                page["campaign"] = campaigns.of(item.campaign_id, item.reference)
                page["correction"] = corrections.of(item.id)
                path = submission_path(page["slug"])
                site.render_unit("submissions", key, "submission.html", path, {"page": page})
                if corrections.folded(item.id):
                    # Shown and counted with the comment it changes: a page, found by search,
                    # but in no list, feed or total of its own.
                    records.add(page)
                    sitemap.add(page["slug"])
                    continue
                sorter.add({k: v for k, v in page.items() if k not in ("segments", "files")})
                feeds["all"].add(page)
                feeds[page["group"]].add(page)
                exports.add(page)
                records.add(page)
                sitemap.add(page["slug"])
                totals.submissions += 1
                totals.attachments += len(page["files"])
                if progress:
                    progress(1)
        summaries = write_listings(site, sorter, settings.page_size)
        home: dict[str, Any] = {
            "total": totals.submissions,
            # Counted from the timing lists just written, so the home page links a list only
            # when it exists: with no comment on time there is no timing/on-time/ to link.
            "timing": {
                v["value"]: v["count"] for s in summaries if s.name == "timing" for v in s.values
            },
            "facets": [s.__dict__ for s in summaries],
        }
        site.render_unit("pages", ["home"], "home.html", "index.html", home)
        site.write_page(settings.language, "home.html", "index.html", home, top=True)
        output.settle("index.html")
        site.render_unit("pages", ["search"], "search.html", "search/index.html", {})
        with store.reader() as session:
            themes = themes_page(session)  # the stored themes (publish.themes computes them)
        site.render_unit("pages", ["themes"], "themes.html", "themes/index.html", themes)
        for feed in feeds.values():
            feed.finish()
        singles = exports.finish()
        singles.update(records.finish())
        sitemap.finish(preview)
        output.close(singles)
    finally:
        sorter.close()
        files.close()
        records.close()  # Pagefind may still run after an error: wait for it
    report.submissions = totals.submissions
    report.attachments = totals.attachments
    report.pages = site.pages
    report.written = output.rendered
    report.unchanged = output.reused
    report.withheld = sorted(output.privacy.withheld, key=lambda w: w.path)
    report.not_published = dict(sorted(output.privacy.by_policy.items()))
    return report


def _copy_static(output: BuildOutput) -> None:
    for source in sorted(STATIC.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            name = f"static/{source.relative_to(STATIC).as_posix()}"
            shutil.copyfile(source, output.path(name))
            output.settle(name)
