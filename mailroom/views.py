"""The shapes `status` and `list` print, as text for people and JSON for scripts.

The JSON shapes are documented in README.md ("What scripts can read"); a key
may be added, none renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ingest.classification import RulesReport
from mailroom.config import Settings
from mailroom.privacy_view import privacy_lines
from store.models import Problem, Submission
from store.monitoring import SetAside, SiteState
from store.queries import MailboxStatus, SubmissionView
from store.rules import is_on_time
from store.settings import ConsultationSettings


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def submission_json(view: SubmissionView, consultation: ConsultationSettings) -> dict[str, Any]:
    s = view.submission
    return {
        "reference": s.reference,
        "status": s.status.value,
        "channel": s.channel.value,
        "subject": s.subject,
        "sender_name": s.sender_name,
        "sender_address": s.sender_address,
        "organisation": s.organisation,
        "received_at": iso(s.received_at),
        "received_via": s.received_via.value,
        "received_header_at": iso(s.received_header_at),
        "fetched_at": iso(view.fetched_at),
        "date_header": iso(s.date_header),
        "message_id": s.message_id,
        "message_sha256": s.sha256,
        "language": s.language,
        "parser": s.parser,
        "flags": _json_list(s.flags),
        "on_time": is_on_time(s, consultation),
        "stakeholder_group": s.stakeholder_group.value,
        "country": s.country,
        "country_source": s.country_source,
        "country_reason": s.country_reason,
        "organisation_suggested": s.organisation_suggested,
        "organisation_reason": s.organisation_reason,
        "organisation_confirmed": s.organisation_confirmed,
        "moderation": s.moderation.value,
        "campaign_id": s.campaign_id,
        "duplicate_of": view.duplicate_of,
        "receipt": s.receipt,
        "attachment_count": len(view.attachments),
        "attachments": [
            {
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "text_status": a.text_status.value if a.text_status else None,
            }
            for a in view.attachments
        ],
        "error": s.error,
    }


def submission_detail_json(
    view: SubmissionView, consultation: ConsultationSettings
) -> dict[str, Any]:
    """One submission in full: the list keys, its texts, and each attachment's text."""
    s = view.submission
    detail = submission_json(view, consultation)
    detail.update(
        {
            "parser": s.parser,
            "defects": _json_list(s.defects),
            "flags": _json_list(s.flags),
            "body_text": s.body_text,
            "body_segments": json.loads(s.body_segments) if s.body_segments else None,
            "body_html": s.body_html,
            "attachments": [
                {
                    "position": a.position,
                    "parent_position": a.parent_position,
                    "name": a.name,
                    "original_name": a.original_name,
                    "content_type": a.content_type,
                    "sniffed_type": a.sniffed_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "text_status": a.text_status.value if a.text_status else None,
                    "text_note": a.text_note,
                    "extraction_seconds": a.extraction_seconds,
                    "text": a.text,
                }
                for a in view.attachments
            ],
        }
    )
    return detail


def submission_detail_text(detail: dict[str, Any], judged: list[str]) -> str:
    lines = [
        f"{detail['reference']}  {detail['status']}  {detail['moderation']}  "
        f"{detail['received_at']}",
        f"From: {detail['sender_name']} <{detail['sender_address']}>",
        f"Subject: {detail['subject']}",
        f"Language: {detail['language'] or '-'}   parser: {detail['parser'] or '-'}",
        *judged,
    ]
    if detail["error"]:
        lines.append(f"Error: {detail['error']}")
    lines += [f"Flag: {flag}" for flag in detail["flags"]]
    lines += ["", detail["body_text"], ""]
    for a in detail["attachments"]:
        under = f" (in #{a['parent_position']})" if a["parent_position"] else ""
        lines.append(
            f"#{a['position']}{under} {a['name']}  {a['content_type']}  {a['size']:,} bytes  "
            f"{a['text_status']}: {a['text_note'] or ''}"
        )
        if a["text"]:
            lines += ["    " + line for line in a["text"].splitlines()[:20]]
    return "\n".join(lines)


def _json_list(value: str | None) -> list[Any]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return [value]
    return loaded if isinstance(loaded, list) else [loaded]


def rules_summary(report: RulesReport) -> str:
    receipts = report.receipts
    return (
        f"{report.judged} judged, {report.held} held for the operator, "
        f"{report.duplicates} duplicates, {report.campaign_members} joined a campaign; "
        f"receipts: {report.receipts_due} due, {report.receipts_suppressed} suppressed, "
        f"{receipts.sent} sent, {receipts.failed} failed"
    )


def write_json_array(items: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Stream a JSON array, one element at a time: a million submissions fit in any memory."""
    count = 0
    out.write("[")
    for item in items:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def submission_line(view: SubmissionView) -> str:
    return submission_line_of(view.submission)


def submission_line_of(s: Submission) -> str:
    received = s.received_at.strftime("%Y-%m-%d %H:%M")
    who = s.sender_name or s.sender_address or "-"
    what = s.subject or "(no subject)"
    flag = f"  !! {s.error}" if s.error else ""
    return f"{s.reference}  {s.status.value:<8}  {received}Z  {who[:30]:<30}  {what[:60]}{flag}"


def status_json(
    settings: Settings,
    mailboxes: list[MailboxStatus],
    by_status: dict[str, int],
    problems: list[Problem],
    problem_count: int,
    now: datetime,
) -> dict[str, Any]:
    known = {m.mailbox: m for m in mailboxes}
    rows = []
    for mailbox in settings.mailboxes:
        state = known.get(mailbox.name)
        rows.append(
            {
                "name": mailbox.name,
                "url": mailbox.url,
                "folder": mailbox.folder,
                "messages_stored": state.messages_stored if state else 0,
                "uidvalidity": state.uidvalidity if state else None,
                "last_uid": state.last_uid if state else None,
                "last_poll": iso(state.last_poll_at) if state else None,
                "last_success": iso(state.last_success_at) if state else None,
                "last_error": state.last_error if state else None,
            }
        )
    consultation = settings.consultation
    return {
        "consultation": consultation.reference,
        "now": iso(now),
        "deadline": iso(consultation.deadline),
        "posting_date": iso(consultation.posting_date),
        "site_public": now >= consultation.posting_date,
        "mailboxes": rows,
        "submissions_by_status": by_status,
        "submissions_total": sum(by_status.values()),
        "errors": problem_count,
        "recent_errors": [
            {"at": iso(p.at), "kind": p.kind, "mailbox": p.mailbox, "detail": p.detail}
            for p in problems
        ],
    }


def set_aside_json(total: int, rows: list[SetAside]) -> dict[str, Any]:
    """What could not be read: the count, and the first rows with why and which version."""
    return {
        "set_aside_total": total,
        "set_aside": [
            {"reference": r.reference, "reason": r.reason, "mailroom_version": r.version}
            for r in rows
        ],
    }


def set_aside_lines(report: dict[str, Any]) -> list[str]:
    total = report.get("set_aside_total", 0)
    if not total:
        return []
    lines = [
        f"Set aside, not parsed: {total} (not published; `mailroom reparse --failed` reads them "
        "again, and so does the first poll after an upgrade of Mailroom)"
    ]
    for item in report["set_aside"]:
        version = f"  [Mailroom {item['mailroom_version']}]" if item["mailroom_version"] else ""
        lines.append(f"  {item['reference']}  {item['reason']}{version}")
    if total > len(report["set_aside"]):
        lines.append(f"  ... and {total - len(report['set_aside'])} more (mailroom list)")
    return lines


def site_json(output: Path, state: SiteState) -> dict[str, Any]:
    """The public site: its last build, and what stops the next one while it lasts."""
    return {
        "output": str(output),
        "last_published": iso(state.last_published),
        "last_error": state.last_error,
        "failing_since": iso(state.failing_since),
    }


def safe_url(url: str) -> str:
    """The database URL as status may show it: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "[store] url"


def database_down_json(url: str, exc: Exception) -> dict[str, Any]:
    """`status --json` when the database cannot be read: which one, and why."""
    where = safe_url(url)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = reason[0] if reason else type(exc).__name__
    if where not in detail:
        detail = f"cannot reach the database {where}: {detail}"
    return {
        "database": {
            "reachable": False,
            "url": where,
            "error": f"{detail}; mail waits in the mailboxes (nothing is lost) and `mailroom run` "
            "goes on by itself once the database is back",
        }
    }


def status_text(report: dict[str, Any]) -> str:
    lines = [
        f"Consultation {report['consultation']}  now {report['now']}",
        f"  deadline {report['deadline']}  posting date {report['posting_date']}"
        f"  site {'public' if report['site_public'] else 'not yet public'}",
        "",
        "Mailboxes",
    ]
    for m in report["mailboxes"]:
        lines.append(
            f"  {m['name']}: {m['messages_stored']} stored, last poll {m['last_poll'] or 'never'}, "
            f"UIDVALIDITY {m['uidvalidity'] if m['uidvalidity'] is not None else '-'}, "
            f"last UID {m['last_uid'] if m['last_uid'] is not None else '-'}"
        )
        if m["last_error"]:
            lines.append(f"    last error: {m['last_error']}")
    if not report["mailboxes"]:
        lines.append("  none configured")
    site = report.get("site")
    if site:
        lines += ["", f"Site {site['output']}: last published {site['last_published'] or 'never'}"]
        if site["last_error"]:
            lines.append(f"    last error (since {site['failing_since']}): {site['last_error']}")
        if site["last_published"] and not report["site_public"]:
            lines.append(
                "    the clock says the posting date has not come, yet the site was published: "
                "it stays as it is, and new comments wait for the posting date (is the clock "
                "right?)"
            )
    counts = ", ".join(f"{n} {status}" for status, n in report["submissions_by_status"].items())
    lines += ["", f"Submissions: {report['submissions_total']} ({counts})"]
    lines += set_aside_lines(report)
    if "moderation" in report:
        states = ", ".join(f"{n} {state}" for state, n in report["moderation"].items())
        lines.append(f"Moderation: {states} (the queue: mailroom queue)")
    if "receipts" in report:
        sent = ", ".join(f"{n} {state}" for state, n in report["receipts"].items())
        lines.append(f"Receipts: {sent}")
    for what, counts in report.get("senders", {}).items():
        known = counts["given"] + counts["suggested"] + counts["confirmed"]
        lines.append(
            f"{what.capitalize()}: {known} of {known + counts['none']} comments "
            f"({counts['given']} given by the sender, {counts['suggested']} suggested from the "
            f"letter, {counts['confirmed']} confirmed by the operator)"
        )
    privacy = report.get("site_privacy")
    if privacy:
        lines.append("")
        lines += privacy_lines(privacy["withheld"], privacy["not_published_by_policy"])
    lines.append("")
    lines.append(f"Problems recorded: {report['errors']}")
    for p in report["recent_errors"][:10]:
        lines.append(f"  {p['at']}  {p['kind']}  {p['detail']}")
    return "\n".join(lines)
