"""The site's themes page: the stored themes as plain data, the page's only input, so a build
renders it again only when the themes (or a member's publication) changed.

Themes are computed before a build, but a comment can be hidden in between: the page shows
and links only what is public now (members, groups, the quoted comment), never a stored
fact about a comment that has left the site."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from publish.due import PUBLIC
from publish.files import reference_slug
from publish.redact import redact
from store.themes import is_visible, stored_themes, theme_groups, theme_members

REFERENCES_SHOWN = 200  # per theme on the page; the open data and `mailroom themes --json` have all


def themes_page(session: Session) -> dict[str, Any]:
    themes: list[dict[str, Any]] = []
    for theme in stored_themes(session):
        members = list(
            theme_members(session, theme.id, limit=REFERENCES_SHOWN + 1, visibility=PUBLIC)
        )
        if not members:
            continue  # every comment of it was hidden since: nothing to show
        quoted = bool(theme.excerpt_reference) and is_visible(
            session, theme.excerpt_reference, PUBLIC
        )
        label = theme.label
        if not quoted and theme.excerpt and label == theme.excerpt[:60]:
            label = members[0][0]  # named by the quoted text, which is no longer public
        themes.append(
            {
                "position": len(themes) + 1,
                "label": label,
                "size": theme.size,
                "groups": [
                    {"value": g, "count": n}
                    for g, n in theme_groups(session, theme.id, PUBLIC).items()
                ],
                "languages": [{"code": c, "count": n} for c, n in theme.languages.items()],
                "excerpt": redact(theme.excerpt) if quoted else "",
                "excerpt_reference": theme.excerpt_reference if quoted else "",
                "excerpt_slug": reference_slug(theme.excerpt_reference) if quoted else "",
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
