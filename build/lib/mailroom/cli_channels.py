"""Comments from the other channels: a fax or a letter keyed in, the online form's entries.

They go through the same archive, records and rules as email.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ingest.classification import apply_rules
from ingest.entries import BadEntry, Entry, file_from_path, form_entries, record_entry
from mailroom.app import EXIT_PROBLEMS, ConfigOption, NowOption, app, fail, opened, setup
from mailroom.operator import ByOption, operator_name
from mailroom.progress import progress_bar
from store.models import Channel

CHANNELS = {"fax": Channel.FAX, "post": Channel.POST, "form": Channel.FORM}


@app.command()
def add(
    channel: Annotated[str, typer.Option(help="fax, post or form.")],
    received: Annotated[
        str,
        typer.Option(help="When the secretariat received it (ISO 8601; local if no zone)."),
    ],
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    postmark: Annotated[
        str | None, typer.Option(help="The postmark's date, for post (YYYY-MM-DD).")
    ] = None,
    name: Annotated[str, typer.Option(help="The sender's name.")] = "",
    organisation: Annotated[str, typer.Option(help="The sender's organisation.")] = "",
    email: Annotated[str, typer.Option(help="The sender's email, if known (never public).")] = "",
    group: Annotated[str, typer.Option(help="Stakeholder group (e.g. civil_society).")] = "",
    country: Annotated[str, typer.Option(help="ISO 3166 code or name.")] = "",
    subject: Annotated[str, typer.Option(help="A title for the comment.")] = "",
    language: Annotated[str, typer.Option(help="ISO 639-1 code of the text.")] = "",
    text: Annotated[
        Path | None, typer.Option(help="A file with the comment's typed text (UTF-8).")
    ] = None,
    files: Annotated[
        list[Path] | None, typer.Option("--file", help="A file to attach (a scan...); repeat.")
    ] = None,
) -> None:
    """Enter a comment that came by fax, post or a form, with its files."""
    if channel not in CHANNELS:
        raise fail(f"--channel must be fax, post or form, not {channel!r}", 1)
    settings, clock = setup(config, now)
    zone = settings.consultation.zone
    try:
        received_at = _moment(received, "--received", zone)
        postmarked = date.fromisoformat(postmark) if postmark else None
        body = text.read_text(encoding="utf-8") if text else ""
        attached = [file_from_path(path) for path in files or []]
    except (ValueError, OSError) as exc:
        raise fail(str(exc), 1) from exc
    entry = Entry(
        channel=CHANNELS[channel],
        received_at=received_at,
        entered_by=operator_name(by),
        name=name,
        organisation=organisation,
        email=email,
        group=group,
        country=country,
        subject=subject,
        text=body,
        language=language,
        postmark_date=postmarked,
        files=attached,
    )
    with opened(settings) as store:
        try:
            recorded = record_entry(
                store, entry, prefix=settings.consultation.submission_prefix, now=clock()
            )
        except BadEntry as exc:
            raise fail(str(exc), 1) from exc
        apply_rules(store, settings.intake_rules, clock())
    if recorded.new:
        typer.echo(f"Recorded {recorded.reference} ({channel}, {len(attached)} files)")
    else:
        typer.echo(f"Already recorded as {recorded.reference}; nothing added")


@app.command("import-form")
def import_form(
    file: Annotated[Path, typer.Argument(help="The form's export: one JSON object a line.")],
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
) -> None:
    """Import the online form's submissions from JSON lines (keys mapped by the form table)."""
    settings, clock = setup(config, now)
    if not file.is_file():
        raise fail(f"{file}: no such file", 1)
    who = operator_name(by)
    new = again = 0
    problems: list[str] = []
    with opened(settings) as store, progress_bar(f"importing {file.name}") as advance:
        entries = form_entries(
            _lines(file), settings.form, zone=settings.consultation.zone, entered_by=who
        )
        for number, entry in entries:
            advance(1)
            if isinstance(entry, BadEntry):
                problems.append(f"{file}:{number}: {entry}")
                continue
            try:
                recorded = record_entry(
                    store, entry, prefix=settings.consultation.submission_prefix, now=clock()
                )
            except BadEntry as exc:
                problems.append(f"{file}:{number}: {exc}")
                continue
            new, again = new + recorded.new, again + (not recorded.new)
        apply_rules(store, settings.intake_rules, clock())
    typer.echo(f"{file}: {new} new submissions, {again} already recorded, {len(problems)} skipped")
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines, read one at a time: an export of any size fits in memory."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from enumerate(handle, start=1)


def _moment(value: str, option: str, zone: ZoneInfo) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{option} {value!r} is not ISO 8601, e.g. 2010-11-14T10:30") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment
