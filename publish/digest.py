"""The representative's digest: one printable HTML report and a CSV for chosen stakeholder
groups. Counts by group, country, language and on time or late; the organisations that
wrote; and each submission's opening paragraph with its reference and link, so every
line of a summary can cite its sources.

Only what may be public is in it (publish.due.PUBLIC). Both files are written while the
submissions stream past, a page at a time; email addresses and phone numbers are removed
from every value, as on the site.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from publish.corrections import CorrectionFacts
from publish.due import PUBLIC, is_published, late_label, public_identity
from publish.files import reference_slug
from publish.layout import submission_path
from publish.redact import redact
from publish.render import make_environment
from publish.settings import SiteSettings
from store.campaigns import campaign, campaign_references
from store.db import Store
from store.models import Attachment, StakeholderGroup, Submission
from store.queries import SubmissionView, Visibility, count_submissions, iter_submissions
from store.reports import counts_by, on_time_counts, organisations
from store.settings import ConsultationSettings
from store.themes import stored_themes, theme_members

Progress = Callable[[int], None]

OPENING_CHARS = 700
THEME_REFERENCES = 40  # a theme's references in the digest; `mailroom themes --json` has all
CSV_COLUMNS = (
    "reference", "url", "stakeholder_group", "country", "language", "on_time", "received_at",
    "channel", "name", "organisation", "subject", "campaign_id", "campaign_size",
    "opening_paragraph", "opening_from", "replaces", "additions",
)  # fmt: skip
_SALUTATION = re.compile(
    r"^(dear|hi|hello|to whom|madame|monsieur|mesdames|estimad|señor|уважаем|здравствуйте|"
    r"حضرات|السيد|尊敬的|您好)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DigestReport:
    html: Path
    csv: Path
    submissions: int
    listed: int  # entries in the HTML: a campaign is listed once


def write_digest(
    store: Store,
    consultation: ConsultationSettings,
    site: SiteSettings,
    now: datetime,
    *,
    groups: Sequence[StakeholderGroup] | None,
    html_path: Path,
    csv_path: Path,
    progress: Progress | None = None,
) -> DigestReport:
    visibility = replace(PUBLIC, groups=tuple(groups) if groups else None)
    environment = make_environment(consultation.zone)
    template = environment.get_template("digest.html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    listed = 0
    with (
        store.reader() as session,
        html_path.open("w", encoding="utf-8") as html_out,
        csv_path.open("w", encoding="utf-8", newline="") as csv_out,
    ):
        total = count_submissions(session, visibility=visibility)
        on_time, late = on_time_counts(session, visibility, consultation.deadline)
        rows = csv.writer(csv_out)
        rows.writerow(CSV_COLUMNS)
        entries = _Entries(session, consultation, site, visibility, rows, progress)
        entries.corrections = CorrectionFacts(session)
        context: dict[str, Any] = {
            "consultation": consultation,
            "now": now,
            "groups": [g.label for g in groups] if groups else ["all stakeholder groups"],
            "total": total,
            "on_time": on_time,
            "late": late,
            "by_group": [
                (StakeholderGroup(g).label, n)
                for g, n in counts_by(session, Submission.stakeholder_group, visibility)
            ],
            "by_country": counts_by(session, Submission.country, visibility),
            "by_language": counts_by(session, Submission.language, visibility),
            "organisations": organisations(session, visibility),
            "themes": _themes(session, groups),
            "entries": entries,
        }
        for chunk in template.generate(**context):
            html_out.write(chunk)
        listed = entries.listed
    return DigestReport(html_path, csv_path, total, listed)


class _Entries:
    """The submissions as the HTML lists them, writing every one to the CSV on the way."""

    def __init__(
        self,
        session: Session,
        consultation: ConsultationSettings,
        site: SiteSettings,
        visibility: Visibility,
        rows: Any,
        progress: Progress | None,
    ) -> None:
        self.session, self.consultation, self.site = session, consultation, site
        self.visibility, self.rows, self.progress = visibility, rows, progress
        self.listed = 0
        self._campaigns: dict[int, dict[str, Any] | None] = {}
        self.corrections: CorrectionFacts | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for view in iter_submissions(self.session, visibility=self.visibility):
            entry = self._entry(view)
            self.rows.writerow(_csv_row(entry))
            if self.progress:
                self.progress(1)
            if entry["folded"]:
                continue
            self.listed += 1
            yield entry

    def _entry(self, view: SubmissionView) -> dict[str, Any]:
        s = view.submission
        name, organisation = public_identity(s)
        opening, source = opening_paragraph(s, view.attachments)
        group_of = self._campaign(s.campaign_id) if s.campaign_id else None
        representative = bool(group_of) and group_of is not None and group_of["id"] == s.id
        return {
            "reference": s.reference,
            "url": self._url(s.reference),
            "group": s.stakeholder_group.label,
            "group_value": s.stakeholder_group.value,
            "country": s.country or "",
            "language": s.language or "",
            "on_time": late_label(s, self.consultation) is None,
            "received_at": s.received_at,
            "channel": s.channel.value,
            "name": name,
            "organisation": organisation,
            "subject": s.subject,
            "opening": opening,
            "opening_from": source,
            "campaign": group_of if representative else None,
            "campaign_id": s.campaign_id,
            "campaign_size": group_of["size"] if group_of else None,
            "folded": bool(group_of) and not representative,
            "correction": self.corrections.of(s.id) if self.corrections else None,
        }

    def _campaign(self, campaign_id: int) -> dict[str, Any] | None:
        """A campaign listed once, at its representative, if that one is in the digest."""
        if campaign_id not in self._campaigns:
            found = campaign(self.session, campaign_id)
            info = None
            if found is not None:
                leader = self.session.get(Submission, found.representative_id)
                if leader is not None and self._in_scope(leader):
                    references, size = campaign_references(
                        self.session, campaign_id, self.visibility
                    )
                    info = {
                        "id": found.representative_id,
                        "size": size,
                        "references": references,
                    }
            self._campaigns[campaign_id] = info
        return self._campaigns[campaign_id]

    def _in_scope(self, submission: Submission) -> bool:
        groups = self.visibility.groups
        return is_published(submission) and (
            groups is None or submission.stakeholder_group in groups
        )

    def _url(self, reference: str) -> str:
        path = f"{self.site.language}/{submission_path(reference_slug(reference))}"
        path = path.removesuffix("index.html")  # the permalink, as the sitemap gives it
        return (self.site.base_url.rstrip("/") + "/" + path) if self.site.base_url else path


def _themes(session: Session, groups: Sequence[StakeholderGroup] | None) -> list[dict[str, Any]]:
    """The stored themes as far as they concern these groups: their size among them and the
    references of their comments there (a campaign once, with its size)."""
    shown = []
    for theme in stored_themes(session):
        wanted = {g.value for g in groups} if groups else set(theme.groups)
        size = sum(n for g, n in theme.groups.items() if g in wanted)
        if not size:
            continue
        members = list(theme_members(session, theme.id, groups=groups, limit=THEME_REFERENCES))
        shown.append(
            {
                "label": theme.label,
                "keywords": theme.keywords,
                "size": size,
                "all": theme.size,
                "groups": [
                    (StakeholderGroup(g).label, n) for g, n in theme.groups.items() if g in wanted
                ],
                "languages": theme.languages,
                "excerpt": redact(theme.excerpt),
                "excerpt_reference": theme.excerpt_reference,
                "references": members,
                "more": max(0, theme.units - len(members))
                if len(members) == THEME_REFERENCES
                else 0,
            }
        )
    return shown


def opening_paragraph(submission: Submission, attachments: list[Attachment]) -> tuple[str, str]:
    """The first paragraph that says something, and where it came from ("text" or a file).

    Greetings are skipped; a covering note ("please find attached...") gives way to the
    first paragraph of an attachment's text, when one was extracted.
    """
    own = _first_substantial(_fresh(submission))
    if own and len(own.split()) >= 12:
        return _clip(own), "text"
    for attachment in attachments:
        if attachment.text:
            found = _first_substantial(attachment.text)
            if found:
                return _clip(found), attachment.name
    return _clip(own or submission.body_text.strip()), "text"


def _fresh(submission: Submission) -> str:
    """The sender's own text: quoted replies and signatures left out when they were marked."""
    if submission.body_segments:
        try:
            parts = [
                submission.body_text[int(seg["start"]) : int(seg["end"])]
                for seg in json.loads(submission.body_segments)
                if isinstance(seg, dict) and seg.get("kind") == "text"
            ]
            if parts:
                return "\n".join(parts)
        except (ValueError, KeyError, TypeError):
            pass
    return submission.body_text


def _first_substantial(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    for paragraph in paragraphs:
        if paragraph.startswith(">"):
            continue
        short = len(paragraph) < 80
        if short and (_SALUTATION.match(paragraph) or paragraph.endswith((",", ":", "!"))):
            continue
        if len(paragraph.split()) >= 8 or len(paragraph) >= 60:
            return paragraph
    return paragraphs[0] if paragraphs else ""


def _clip(text: str) -> str:
    if len(text) <= OPENING_CHARS:
        return text
    cut = text[:OPENING_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def _csv_row(entry: dict[str, Any]) -> list[str]:
    correction = entry["correction"] or {}
    values = {
        **entry,
        "stakeholder_group": entry["group_value"],
        "on_time": "yes" if entry["on_time"] else "no",
        "received_at": entry["received_at"].isoformat(),
        "campaign_id": entry["campaign_id"] or "",
        "campaign_size": entry["campaign_size"] or "",
        "opening_paragraph": entry["opening"],
        "replaces": (correction.get("replaces") or {}).get("reference", ""),
        "additions": " ".join(a["reference"] for a in correction.get("additions", [])),
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def _cell(value: Any) -> str:
    """Redacted, and never a spreadsheet formula (a cell starting with = + - @ is quoted)."""
    text = redact(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
