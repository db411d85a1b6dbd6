"""`mailroom show REF`: one submission in full, for the operator or a script (--json)."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import typer

from mailroom import views
from mailroom.app import ConfigOption, JsonOption, NowOption, app, fail, opened, setup
from mailroom.rules_view import rules_json, rules_lines
from store.queries import find_submission


@app.command()
def show(
    reference: Annotated[
        str, typer.Argument(help="The reference (DESA-10-3078/0042), its number (42) or path form.")
    ],
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """One submission in full: its text, every attachment with its text, what was flagged, and
    what the rules found (group, on time, why it is held, authentication, receipt)."""
    settings, _ = setup(config, now)
    with opened(settings) as store, store.reader() as session:
        view = find_submission(session, reference)
        if view is None:
            raise fail(f"no submission {reference!r} (see `mailroom list`)", code=1)
        detail = views.submission_detail_json(view, settings.consultation)
        detail.update(
            rules_json(
                view.submission,
                settings.consultation,
                duplicate_of=view.duplicate_of,
                fetched_at=view.fetched_at,
            )
        )
        judged = rules_lines(view.submission, settings.consultation)
    if json:
        typer.echo(json_module.dumps(detail, ensure_ascii=False, indent=2))
    else:
        typer.echo(views.submission_detail_text(detail, judged))
