"""`mailroom demo`: the whole path on the embedded default, with nothing to set up.

Writes a sample mailbox as a Maildir and a config that points at it, then runs
the real poll and publish with the clock past the posting date.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ingest import poll_once
from mailroom.clock import clock_from
from mailroom.config import load_settings
from mailroom.demo_mailbox import write_demo_maildir
from mailroom.progress import progress_bar
from publish import build_site
from store import open_store

DEMO_CONFIG = """\
# Written by `mailroom demo`: the 2010 consultation, read from a local sample Maildir.
[consultation]
title = "{title}"
reference = "DESA-10/3078"
address = "unpan@un.org"
organiser = "United Nations Department of Economic and Social Affairs"
timezone = "America/New_York"
deadline = 2010-11-15
posting_date = 2010-12-01

[[mailbox]]
name = "sample"
url = "maildir:mailbox"

[store]
url = "sqlite:///mailroom.db"
archive = "archive"

[site]
output = "{site}"
"""

DEMO_TITLE = (
    "Consultations on enhanced cooperation on international public policy issues "
    "pertaining to the Internet"
)
DEMO_NOW = "2010-12-01T09:00:00"


def run_demo(directory: Path, site: Path, now: str | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    count = write_demo_maildir(directory / "mailbox")
    config = directory / "config.toml"
    config.write_text(DEMO_CONFIG.format(title=DEMO_TITLE, site=site.as_posix()), encoding="utf-8")
    settings = load_settings(config)
    clock = clock_from(now or DEMO_NOW, settings.consultation.zone)
    store = open_store(settings.store)
    try:
        started = time.perf_counter()
        with progress_bar("ingesting the sample mailbox", total=count) as advance:
            report = poll_once(
                settings.mailboxes[0],
                store,
                prefix=settings.consultation.submission_prefix,
                now=clock,
                progress=advance,
                limits=settings.limits,
            )
        took = time.perf_counter() - started
        started = time.perf_counter()
        built = build_site(store, settings.consultation, settings.site, clock())
        build_seconds = time.perf_counter() - started
    finally:
        store.close()
    rate = report.fetched / took if took and report.fetched else 0.0
    typer.echo(f"Sample mailbox: {count} messages in {directory / 'mailbox'}")
    typer.echo(
        f"Ingested: {report.fetched} new messages in {took:.2f} s ({rate:.0f} messages/s); "
        f"{report.parsed} parsed, {report.failed} set aside for the operator"
    )
    if built.published:
        typer.echo(
            f"Site: {built.submissions} submissions published to {site} in {build_seconds:.2f} s "
            f"({built.written} files written, {built.unchanged} unchanged since the last build)"
        )
        typer.echo(
            f"Open {site / 'index.html'} in a browser; to search too, serve it: "
            f"python3 -m http.server -d {site} 8000"
        )
    else:
        typer.echo(f"Site not published: {built.reason}")
    typer.echo(f"Look further: mailroom status --config {config}")
    typer.echo(f"              mailroom list --config {config}")
