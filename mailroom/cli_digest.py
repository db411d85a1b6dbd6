"""`mailroom digest`: the representative's summary, as printable HTML and a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingest.groups import group_for_word
from mailroom.app import ConfigOption, NowOption, app, fail, opened, setup
from mailroom.progress import progress_bar
from publish.digest import write_digest
from publish.themes import refresh_themes
from store.models import StakeholderGroup


@app.command()
def digest(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    groups: Annotated[
        str,
        typer.Option(
            help="Comma-separated stakeholder groups, e.g. "
            "civil_society,private_sector,technical_community (default: all)."
        ),
    ] = "",
    out: Annotated[Path, typer.Option(help="Folder for digest.html and digest.csv.")] = Path(
        "digest"
    ),
) -> None:
    """Write the representative's summary: counts, organisations, opening paragraphs.

    One printable HTML file and a CSV; every entry has its reference and link.
    """
    chosen: list[StakeholderGroup] = []
    for word in filter(None, (part.strip() for part in groups.split(","))):
        group = group_for_word(word)
        if group is None:
            known = ", ".join(g.value for g in StakeholderGroup)
            raise fail(f"--groups: unknown stakeholder group {word!r}; one of: {known}", 1)
        chosen.append(group)
    settings, clock = setup(config, now)
    with opened(settings) as store, progress_bar("writing the digest") as advance:
        refresh_themes(store, clock())
        report = write_digest(
            store,
            settings.consultation,
            settings.site,
            clock(),
            groups=chosen or None,
            html_path=out / "digest.html",
            csv_path=out / "digest.csv",
            progress=advance,
        )
    typer.echo(
        f"Digest of {report.submissions} submissions ({report.listed} entries, a campaign "
        f"listed once): {report.html} and {report.csv}"
    )
