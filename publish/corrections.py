"""What the site says of corrections: a replaced text names its correction, a correction
links the earlier version (both stay published), and a comment shows its additions.

The standing links are few next to the comments, so a build loads them once, with the
facts of the submissions on either side, and hands each page its part as plain data.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from publish.due import is_published
from publish.files import reference_slug
from publish.pages import segments
from store.corrections import active_links
from store.models import Submission

ADDITION_CHARS = 4000  # an addition is short; a long one is read on its own page


class CorrectionFacts:
    """A build's view of the standing links between published submissions."""

    def __init__(self, session: Session) -> None:
        links = active_links(session)
        ids = {link.later_id for link in links} | {link.earlier_id for link in links}
        rows = {
            row.id: row
            for row in session.exec(select(Submission).where(col(Submission.id).in_(sorted(ids))))
            if row.id is not None
        }
        self._page: dict[int, dict[str, Any]] = {}
        self._folded: set[int] = set()
        for link in links:
            later, earlier = rows.get(link.later_id), rows.get(link.earlier_id)
            if later is None or earlier is None:
                continue
            if not (is_published(later) and is_published(earlier)):
                continue
            if link.kind == "replaces":
                self._entry(earlier)["superseded_by"] = _ref(later)
                self._entry(later)["replaces"] = _ref(earlier)
                self._folded.add(link.earlier_id)
            else:
                self._entry(later)["adds_to"] = _ref(earlier)
                self._entry(earlier)["additions"].append(
                    _ref(later) | {"received_at": later.received_at, "text": _text(later)}
                )
                self._folded.add(link.later_id)
        session.expunge_all()

    def of(self, submission_id: int | None) -> dict[str, Any] | None:
        return self._page.get(submission_id) if submission_id is not None else None

    def folded(self, submission_id: int | None) -> bool:
        """Shown and counted with another comment: left out of lists, feeds and totals."""
        return submission_id in self._folded

    def _entry(self, submission: Submission) -> dict[str, Any]:
        assert submission.id is not None
        return self._page.setdefault(
            submission.id,
            {"superseded_by": None, "replaces": None, "adds_to": None, "additions": []},
        )


def _ref(submission: Submission) -> dict[str, Any]:
    return {"reference": submission.reference, "slug": reference_slug(submission.reference)}


def _text(submission: Submission) -> str:
    parts = [p["text"] for p in segments(submission) if p["kind"] == "text"]
    text = "\n\n".join(part.strip() for part in parts).strip()
    return text if len(text) <= ADDITION_CHARS else text[:ADDITION_CHARS].rsplit(" ", 1)[0] + " …"
