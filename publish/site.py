"""build_site: render the published submissions into a fresh folder, then swap it in.

Submissions are streamed a page at a time, so memory does not grow with the
consultation. Before the posting date the public folder is not touched; a
preview goes to another folder, marked "not yet public" and noindex.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment

from publish.due import PUBLIC, late_label, public_identity, site_is_due
from publish.files import reference_slug, served_name
from publish.render import STATIC, make_environment
from publish.settings import SiteSettings
from publish.swap import fresh_build, swap_in
from store.db import Store
from store.models import StakeholderGroup, Submission
from store.queries import SubmissionView, iter_submissions
from store.reports import counts_by
from store.settings import ConsultationSettings

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class PreviewClash(Exception):
    """A preview was aimed at the public folder."""


@dataclass
class BuildReport:
    published: bool
    output: Path | None = None
    submissions: int = 0
    attachments: int = 0
    reason: str = ""
    pages: int = 0


@dataclass
class _Listing:
    """One stakeholder group's list pages, written as they fill."""

    group: StakeholderGroup
    expected: int
    total: int = 0
    page: list[dict[str, Any]] = field(default_factory=list)
    first_page: list[dict[str, Any]] = field(default_factory=list)
    pages_written: int = 0


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
    build = fresh_build(target, now.strftime("%Y%m%dT%H%M%S"))
    report = BuildReport(published=True, output=target)
    environment = make_environment(consultation.zone)
    shared: dict[str, Any] = {
        "consultation": consultation,
        "preview": preview is not None,
        "now": now,
    }
    shutil.copytree(STATIC, build / "static")
    with store.reader() as session:
        listings = {group: _Listing(group, 0) for group in StakeholderGroup}
        for group, count in counts_by(session, Submission.stakeholder_group, PUBLIC):
            listings[StakeholderGroup(group)].expected = count
        for view in iter_submissions(session, visibility=PUBLIC):
            entry = _write_submission(environment, shared, build, store, view)
            report.submissions += 1
            report.attachments += len(view.attachments)
            listing = listings[view.submission.stakeholder_group]
            _add_to_listing(environment, shared, build, listing, entry, site.page_size)
            if progress:
                progress(1)
    for listing in listings.values():
        if listing.page:
            _flush_listing(environment, shared, build, listing)
        report.pages += listing.pages_written
    _write(
        build / "index.html",
        environment.get_template("index.html").render(
            **shared,
            root="",
            total=report.submissions,
            listings=[listings[group] for group in StakeholderGroup],
            page_size=site.page_size,
        ),
    )
    _write(build / "robots.txt", _robots(preview is not None))
    report.pages += report.submissions + 1
    swap_in(target, build, keep=site.keep_builds)
    log.info("site=%s: %d submissions published", target, report.submissions)
    return report


def _write_submission(
    environment: Environment,
    shared: dict[str, Any],
    build: Path,
    store: Store,
    view: SubmissionView,
) -> dict[str, Any]:
    submission = view.submission
    slug = reference_slug(submission.reference)
    folder = build / "submissions" / slug
    files = []
    for attachment in view.attachments:
        name = served_name(attachment.position, attachment.name)
        (folder / "files").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store.archive.path(attachment.sha256), folder / "files" / name)
        files.append({"attachment": attachment, "href": f"files/{name}"})
    name, organisation = public_identity(submission)
    late = late_label(submission, shared["consultation"])
    _write(
        folder / "index.html",
        environment.get_template("submission.html").render(
            **shared,
            root="../../",
            submission=submission,
            files=files,
            sender=name,
            organisation=organisation,
            late=late,
        ),
    )
    return {
        "reference": submission.reference,
        "subject": submission.subject,
        "sender_name": name,
        "organisation": organisation,
        "late": late,
        "received_at": submission.received_at,
        "href": f"submissions/{slug}/",
        "attachments": len(files),
    }


def _add_to_listing(
    environment: Environment,
    shared: dict[str, Any],
    build: Path,
    listing: _Listing,
    entry: dict[str, Any],
    page_size: int,
) -> None:
    listing.total += 1
    listing.page.append(entry)
    if len(listing.first_page) < page_size:
        listing.first_page.append(entry)
    if len(listing.page) >= page_size:
        _flush_listing(environment, shared, build, listing)


def _flush_listing(
    environment: Environment,
    shared: dict[str, Any],
    build: Path,
    listing: _Listing,
) -> None:
    number = listing.pages_written + 1
    name = _page_name(number)
    _write(
        build / "groups" / listing.group.value / name,
        environment.get_template("group.html").render(
            **shared,
            root="../../",
            group=listing.group,
            entries=listing.page,
            number=number,
            previous=_page_name(number - 1) if number > 1 else None,
            next=_page_name(number + 1) if listing.total < listing.expected else None,
        ),
    )
    listing.pages_written += 1
    listing.page = []


def _page_name(number: int) -> str:
    return "index.html" if number == 1 else f"page-{number}.html"


def _robots(preview: bool) -> str:
    if preview:
        return "User-agent: *\nDisallow: /\n"
    return "User-agent: *\nAllow: /\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
