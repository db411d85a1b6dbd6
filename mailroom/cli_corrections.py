"""The operator's word on corrections and additions: see the links the rules suggested,
confirm or undo one, or link a later message to the earlier comment it changes."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from mailroom.app import ConfigOption, JsonOption, NowOption, app, fail, opened, setup
from mailroom.operator import ByOption, ReasonOption, operator_name
from store.corrections import CorrectionError, active_links, decide, link_of
from store.models import Correction, Submission
from store.moderation import find_for_update

Reference = Annotated[str, typer.Argument(help="The later message's reference, e.g. 42.")]


@app.command("correction")
def correction(
    reference: Reference,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Link to this earlier comment (with --replaces or --adds)."),
    ] = None,
    replaces: Annotated[
        bool, typer.Option("--replaces", help="It replaces the earlier text (a corrected version).")
    ] = False,
    adds: Annotated[
        bool, typer.Option("--adds", help="It adds to the earlier comment (an addendum).")
    ] = False,
    confirm: Annotated[bool, typer.Option("--confirm", help="Confirm the suggested link.")] = False,
    undo: Annotated[
        bool, typer.Option("--undo", help="Undo the link: both are separate comments again.")
    ] = False,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    reason: ReasonOption = None,
) -> None:
    """Show, confirm, undo or make the link from a later message to the comment it corrects.

    A replacement supersedes the earlier text on the site (both are kept, each page links the
    other); an addition is shown with the comment it adds to. Counts show the comment once.
    Every decision is in `mailroom history REF`.
    """
    if replaces and adds:
        raise fail("give --replaces or --adds, not both", 1)
    if sum((confirm, undo, to is not None)) > 1:
        raise fail("give one of --confirm, --undo or --to", 1)
    if (replaces or adds) and to is None and not confirm:
        raise fail("--replaces and --adds go with --to EARLIER (or --confirm)", 1)
    settings, clock = setup(config, now)
    who = operator_name(by)
    kind = "replaces" if replaces else "adds" if adds else None
    with opened(settings) as store, store.session() as session:
        later = find_for_update(session, reference)
        if later is None or later.id is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        if not (confirm or undo or to):
            link = link_of(session, later.id)
            if link is None:
                typer.echo(f"{later.reference}: linked to no earlier comment")
            else:
                typer.echo(_line(session, link))
            return
        earlier = None
        if to is not None:
            earlier = find_for_update(session, to)
            if earlier is None:
                raise fail(f"no submission {to!r}; see `mailroom list`", 1)
            if kind is None:
                raise fail("say how it relates: --replaces or --adds", 1)
        state = "undone" if undo else "confirmed"
        try:
            link = decide(
                session, later, state=state, by=who, at=clock(), earlier=earlier, kind=kind,
                reason=reason,
            )  # fmt: skip
        except CorrectionError as exc:
            raise fail(str(exc), 1) from exc
        session.commit()
        typer.echo(_line(session, link))


@app.command("corrections")
def list_corrections(
    config: ConfigOption = Path("config.toml"), now: NowOption = None, json: JsonOption = False
) -> None:
    """Every standing link between a later message and the comment it replaces or adds to."""
    settings, _ = setup(config, now)
    with opened(settings) as store, store.reader() as session:
        links = active_links(session)
        if json:
            rows = [_json(session, link) for link in links]
            typer.echo(json_module.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not links:
            typer.echo("No corrections or additions linked.")
        for link in links:
            typer.echo(_line(session, link))


def _json(session: Session, link: Correction) -> dict[str, str]:
    later = session.get_one(Submission, link.later_id)
    earlier = session.get_one(Submission, link.earlier_id)
    return {
        "later": later.reference,
        "kind": link.kind,
        "earlier": earlier.reference,
        "state": link.state,
        "by": link.by,
        "reason": link.reason,
    }


def _line(session: Session, link: Correction) -> str:
    row = _json(session, link)
    verb = "replaces" if row["kind"] == "replaces" else "adds to"
    return (
        f"{row['later']} {verb} {row['earlier']} ({row['state']} by {row['by']}): {row['reason']}"
    )
