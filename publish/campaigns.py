"""What the site says about a campaign: how many published senders sent the text, and from
which organisations. Looked up once per campaign in a build, not once per copy.

The first copy's page says it all; the other copies link to it and give no count, so hiding or
adding one copy changes the first copy's page, not the page of every copy."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from publish.due import PUBLIC
from publish.files import reference_slug
from store.campaigns import campaign_summaries

ORGANISATIONS_SHOWN = 50


class CampaignFacts:
    """A build's campaign facts, read for every campaign at once; campaigns are few next to
    their copies."""

    def __init__(self, session: Session) -> None:
        self._known = campaign_summaries(session, PUBLIC, shown=ORGANISATIONS_SHOWN)

    def of(self, campaign_id: int | None, reference: str) -> dict[str, Any] | None:
        """None unless at least two published submissions share the text; for a copy other
        than the first, only which copy is the first."""
        found = self._known.get(campaign_id) if campaign_id is not None else None
        if found is None:
            return None
        if found.first != reference:
            return {"first": found.first, "first_slug": reference_slug(found.first)}
        return {
            "size": found.size,
            "first": found.first,
            "first_slug": reference_slug(found.first),
            "organisations": [{"name": name, "count": n} for name, n in found.organisations],
            "more_organisations": found.more_organisations,
        }
