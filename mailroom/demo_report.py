"""What the demo shows after it ran: groups, late comments, what is held, campaigns."""

from __future__ import annotations

from dataclasses import dataclass

from store.campaigns import campaign_organisations, iter_campaigns
from store.classification import hold_reasons_of
from store.corrections import active_links
from store.db import Store
from store.models import Moderation, StakeholderGroup, Submission, SubmissionStatus
from store.moderation import queue
from store.queries import Visibility, iter_submissions
from store.reports import counts_by
from store.rules import is_on_time
from store.senders import sender_counts
from store.settings import ConsultationSettings
from store.themes import stored_themes

EVERY_PARSED = Visibility(
    statuses=(SubmissionStatus.PARSED,), moderation=tuple(Moderation), originals_only=True
)


@dataclass(frozen=True)
class DemoFacts:
    groups: list[tuple[str, int]]
    late: list[tuple[str, str]]
    held: list[tuple[str, str]]
    campaigns: list[tuple[str, int, int]]
    corrections: list[tuple[str, str, str]]  # (later, kind, earlier)
    themes: list[tuple[str, int, int]]  # (label, submissions, distinct texts)
    countries: tuple[int, int]  # (comments with a country, read from the letter)


def demo_facts(store: Store, consultation: ConsultationSettings) -> DemoFacts:
    """The demo's mailbox is small: reading every submission here is fine."""
    with store.reader() as session:
        groups = [
            (StakeholderGroup(group).label, n)
            for group, n in counts_by(session, Submission.stakeholder_group, EVERY_PARSED)
        ]
        late = [
            (view.submission.reference, view.submission.organisation or view.submission.sender_name)
            for view in iter_submissions(session, visibility=EVERY_PARSED)
            if not is_on_time(view.submission, consultation)
        ]
        held = [
            (row.reference, "; ".join(hold_reasons_of(row)))
            for row in queue(session, held_only=True)
        ]
        campaigns = [
            (found.representative, found.size, len(campaign_organisations(session, found.id)))
            for found in iter_campaigns(session)
        ]
        corrections = [
            (
                session.get_one(Submission, link.later_id).reference,
                link.kind,
                session.get_one(Submission, link.earlier_id).reference,
            )
            for link in active_links(session)
        ]
        themes = [(t.label, t.size, t.units) for t in stored_themes(session)]
        senders = sender_counts(session)["country"]
    known = senders["given"] + senders["suggested"] + senders["confirmed"]
    return DemoFacts(
        groups, late, held, campaigns, corrections, themes, (known, senders["suggested"])
    )
