"""`mailroom themes`: what the public comments say, grouped by theme across languages."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated, Any

import typer

from mailroom.app import ConfigOption, JsonOption, NowOption, app, opened, setup
from mailroom.progress import progress_bar
from publish.due import PUBLIC
from publish.themes import refresh_themes
from store.models import StakeholderGroup
from store.queries import count_submissions
from store.themes import stored_themes, theme_members

SHOWN_REFERENCES = 8


@app.command()
def themes(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
    again: Annotated[
        bool, typer.Option("--again", help="Compute them again even if nothing changed.")
    ] = False,
) -> None:
    """The themes of the public comments: label, size, stakeholder groups, languages and the
    references of their comments (a campaign counts once, with its size).

    Themes are computed when the public comments changed since the last time (a vector per
    new comment, then the grouping); `publish` and `digest` do this too.
    """
    settings, clock = setup(config, now)
    with opened(settings) as store:
        with store.reader() as session:
            total = count_submissions(session, visibility=PUBLIC)
        with progress_bar("reading the comments", total=total) as advance:
            report = refresh_themes(store, clock(), force=again, progress=advance)
        with store.reader() as session:
            found = stored_themes(session)
            if json:
                rows = [_json(theme, list(theme_members(session, theme.id))) for theme in found]
                typer.echo(json_module.dumps(rows, ensure_ascii=False, indent=2))
                return
            state = "computed now" if report.computed else "unchanged since last computed"
            units = sum(t.units for t in found)
            typer.echo(f"{len(found)} themes from {units} comments ({state})")
            for theme in found:
                refs = list(theme_members(session, theme.id, limit=SHOWN_REFERENCES + 1))
                typer.echo(_line(theme, refs))


def _json(theme: Any, members: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "position": theme.position,
        "label": theme.label,
        "keywords": theme.keywords,
        "size": theme.size,
        "comments": theme.units,
        "stakeholder_groups": theme.groups,
        "languages": theme.languages,
        "excerpt": theme.excerpt,
        "excerpt_reference": theme.excerpt_reference,
        "references": [{"reference": ref, "campaign_size": w} if w > 1 else {"reference": ref}
                       for ref, w in members],
    }  # fmt: skip


def _line(theme: Any, refs: list[tuple[str, int]]) -> str:
    groups = ", ".join(f"{StakeholderGroup(g).label} {n}" for g, n in theme.groups.items())
    languages = " ".join(f"{code} {n}" for code, n in theme.languages.items())
    shown = ", ".join(
        f"{ref} (campaign of {w})" if w > 1 else ref for ref, w in refs[:SHOWN_REFERENCES]
    )
    more = f", and {theme.units - SHOWN_REFERENCES} more" if theme.units > SHOWN_REFERENCES else ""
    return (
        f"{theme.position:>3}. {theme.label}\n"
        f"     {theme.size} submissions ({theme.units} distinct texts); {groups}; {languages}\n"
        f"     {shown}{more}"
    )
