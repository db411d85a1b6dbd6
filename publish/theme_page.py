"""The site's themes page: the stored themes as plain data, the page's only input, so a build
renders it again only when the themes (or a member's publication) changed."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from publish.due import PUBLIC
from publish.files import reference_slug
from publish.redact import redact
from store.themes import stored_themes, theme_members

REFERENCES_SHOWN = 200  # per theme on the page; the open data and `mailroom themes --json` have all


def themes_page(session: Session) -> dict[str, Any]:
    themes: list[dict[str, Any]] = []
    for theme in stored_themes(session):
        members = list(
            theme_members(session, theme.id, limit=REFERENCES_SHOWN + 1, visibility=PUBLIC)
        )
        if not members:
            continue  # every comment of it was hidden since: nothing to show
        themes.append(
            {
                "position": len(themes) + 1,
                "label": theme.label,
                "size": theme.size,
                "groups": [{"value": g, "count": n} for g, n in theme.groups.items()],
                "languages": [{"code": c, "count": n} for c, n in theme.languages.items()],
                "excerpt": redact(theme.excerpt),
                "excerpt_reference": theme.excerpt_reference,
                "excerpt_slug": reference_slug(theme.excerpt_reference)
                if theme.excerpt_reference
                else "",
                "references": [
                    {"reference": ref, "slug": reference_slug(ref), "weight": weight}
                    for ref, weight in members[:REFERENCES_SHOWN]
                ],
                "more": max(0, theme.units - REFERENCES_SHOWN)
                if len(members) > REFERENCES_SHOWN
                else 0,
            }
        )
    return {"themes": themes}
