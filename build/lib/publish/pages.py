"""What the public sees of a submission: plain data made from the records, nothing private.

The same data renders the page in every language, feeds the listings, the
feeds, the exports and the search index, and is what a page's digest is made
of. The sender's address is never read here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from publish.due import public_identity
from publish.files import organisation_slug, reference_slug, served_name
from publish.i18n import direction
from store.models import Submission
from store.queries import SubmissionView
from store.rules import is_on_time
from store.settings import ConsultationSettings


def public_name(submission: Submission) -> tuple[str, str]:
    """The name and organisation to show (the rule is publish.due's); an anonymous sender's
    name is left empty for the template to say "Anonymous" in the page's language."""
    name, organisation = public_identity(submission)
    if submission.anonymous:
        name = ""
    return name.strip(), organisation.strip()


def segments(submission: Submission) -> list[dict[str, str]]:
    """The text in its parts (text, quote, signature); all text when the parts are unknown."""
    body = submission.body_text
    try:
        spans = json.loads(submission.body_segments) if submission.body_segments else []
    except ValueError:
        spans = []
    parts: list[dict[str, str]] = []
    cursor = 0
    for span in spans if isinstance(spans, list) else []:
        try:
            kind, start, end = str(span["kind"]), int(span["start"]), int(span["end"])
        except (KeyError, TypeError, ValueError):
            return [{"kind": "text", "text": body}]
        if start < cursor or end < start or end > len(body):
            return [{"kind": "text", "text": body}]
        if start > cursor:
            parts.append({"kind": "text", "text": body[cursor:start]})
        kind = kind if kind in ("text", "quote", "signature") else "text"
        parts.append({"kind": kind, "text": body[start:end]})
        cursor = end
    if cursor < len(body):
        parts.append({"kind": "text", "text": body[cursor:]})
    return [p for p in parts if p["text"].strip()] or [{"kind": "text", "text": body}]


def local_day(moment: datetime, consultation: ConsultationSettings) -> str:
    return moment.astimezone(consultation.zone).date().isoformat()


def entry(view: SubmissionView, consultation: ConsultationSettings) -> dict[str, Any]:
    """One line of a listing: what lists, feeds and facets need about a submission."""
    submission = view.submission
    name, organisation = public_name(submission)
    return {
        "number": submission.number,
        "reference": submission.reference,
        "slug": reference_slug(submission.reference),
        "subject": submission.subject,
        "name": name,
        "anonymous": submission.anonymous,
        "organisation": organisation,
        "group": submission.stakeholder_group.value,
        "country": (submission.country or "").upper() or None,
        "language": submission.language or None,
        "channel": submission.channel.value,
        "on_time": is_on_time(submission, consultation),
        "received_at": submission.received_at,
        "day": local_day(submission.received_at, consultation),
        "attachments": len(view.attachments),
        # A hook for campaigns (issue 4): when a query gives a campaign's count and
        # organisations, the listing and page can show "one of N copies" from here.
        "campaign_id": submission.campaign_id,
    }


def submission_page(view: SubmissionView, consultation: ConsultationSettings) -> dict[str, Any]:
    """Everything the submission's page shows, in every language."""
    submission = view.submission
    page = entry(view, consultation)
    slug = page["slug"]
    page.update(
        organisation_slug=organisation_slug(page["organisation"]),
        dir=direction(page["language"]),
        segments=segments(submission),
        duplicate_of=view.duplicate_of,
        files=[
            {
                "position": a.position,
                "name": a.name,
                "path": f"files/{slug}/{served_name(a.position, a.name)}",
                "content_type": a.sniffed_type or a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "text": a.text or "",
                "text_status": a.text_status.value if a.text_status else None,
                "text_note": a.text_note or "",
                "inside": a.parent_position,
            }
            for a in view.attachments
        ],
    )
    return page


def withdrawn_page(submission: Submission) -> dict[str, Any]:
    """A withdrawn submission keeps its address, and says why it is empty. Nothing else."""
    return {
        "reference": submission.reference,
        "slug": reference_slug(submission.reference),
        "withdrawn": True,
    }
