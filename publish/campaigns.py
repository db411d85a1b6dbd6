"""What the site says about a campaign: how many published senders sent the text, and from
which organisations. Looked up once per campaign in a build, not once per copy.

The first copy's page says it all; the other copies link to it and give no count, so hiding or
adding one copy changes the first copy's page, not the page of every copy."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from publish.due import PUBLIC
from publish.files import reference_slug
from store.campaigns import campaign, campaign_organisations, campaign_references

ORGANISATIONS_SHOWN = 50


class CampaignFacts:
    """A build's cache of campaign facts; campaigns are few next to their copies."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._known: dict[int, dict[str, Any] | None] = {}

    def of(self, campaign_id: int | None, reference: str) -> dict[str, Any] | None:
        """None unless at least two published submissions share the text; for a copy other
        than the first, only which copy is the first."""
        if campaign_id is None:
            return None
        if campaign_id not in self._known:
            self._known[campaign_id] = self._look_up(campaign_id)
        facts = self._known[campaign_id]
        if facts is None or facts["first"] == reference:
            return facts
        return {"first": facts["first"], "first_slug": facts["first_slug"]}

    def _look_up(self, campaign_id: int) -> dict[str, Any] | None:
        found = campaign(self.session, campaign_id)
        if found is None:
            return None
        references, size = campaign_references(self.session, campaign_id, PUBLIC, limit=1)
        if size < 2:
            return None
        organisations = campaign_organisations(self.session, campaign_id)
        return {
            "size": size,
            "first": references[0],
            "first_slug": reference_slug(references[0]),
            "organisations": [
                {"name": name, "count": count}
                for name, count in organisations[:ORGANISATIONS_SHOWN]
            ],
            "more_organisations": max(0, len(organisations) - ORGANISATIONS_SHOWN),
        }
