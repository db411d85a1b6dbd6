"""The consultation's rules about one submission, as JSON and as lines for the terminal:
what `mailroom queue` shows, and what `mailroom show` adds (times, authentication,
moderation, receipt). Keys are documented in README.md ("What scripts can read").
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from store.classification import hold_reasons_of
from store.models import ModerationEvent, Submission
from store.rules import is_on_time
from store.settings import ConsultationSettings


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def auth_of(submission: Submission) -> dict[str, str]:
    if not submission.auth_results:
        return {}
    loaded = json.loads(submission.auth_results)
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def rules_json(
    submission: Submission,
    consultation: ConsultationSettings,
    *,
    duplicate_of: str | None = None,
    request_for: str | None = None,
    fetched_at: datetime | None = None,
) -> dict[str, Any]:
    s = submission
    auth = auth_of(s)
    return {
        "on_time": is_on_time(s, consultation),
        "on_time_override": s.on_time_override,
        "on_time_reason": s.on_time_reason,
        "times": {
            "received_at": iso(s.received_at),
            "received_via": s.received_via.value,
            "received_header_at": iso(s.received_header_at),
            "fetched_at": iso(fetched_at),
            "date_header": iso(s.date_header),
            "postmark_date": s.postmark_date.isoformat() if s.postmark_date else None,
        },
        "stakeholder_group": s.stakeholder_group.value,
        "group_rule": s.group_rule,
        "group_confirmed": s.group_confirmed,
        "country": s.country,
        "country_source": s.country_source,
        "moderation": s.moderation.value,
        "moderation_reason": s.moderation_reason,
        "moderated_by": s.moderated_by,
        "moderated_at": iso(s.moderated_at),
        "hold_reasons": hold_reasons_of(s),
        "spam_reason": s.spam_reason,
        "authentication": auth,
        "dmarc_fail": auth.get("dmarc") == "fail",
        "public_name": s.public_name,
        "public_organisation": s.public_organisation,
        "anonymous": s.anonymous,
        "duplicate_of": duplicate_of,
        "campaign_id": s.campaign_id,
        "receipt": s.receipt,
        "request_for": request_for,
        "request_kind": s.request_kind,
        "entered_by": s.entered_by,
    }


def rules_lines(submission: Submission, consultation: ConsultationSettings) -> list[str]:
    """A few indented lines: why it waits, and what the operator should know."""
    s = submission
    late = "" if is_on_time(s, consultation) else "  LATE (received after the deadline)"
    ruled = (
        f" (ruled by the operator: {s.on_time_reason})" if s.on_time_override is not None else ""
    )
    group = s.stakeholder_group.label + ("" if s.group_confirmed else " (suggested)")
    if s.group_rule:
        group += f" by {s.group_rule}"
    lines = [f"    group: {group}; country: {s.country or '-'}{late}{ruled}"]
    if s.country and s.country_source != "operator" and s.country_reason:
        lines.append(
            f"    country suggested from the {s.country_reason} (confirm: mailroom country)"
        )
    if s.organisation_suggested and not s.organisation_confirmed:
        lines.append(
            f"    organisation suggested: {s.organisation_suggested}, from the "
            f"{s.organisation_reason} (confirm: mailroom organisation)"
        )
    lines += [f"    held: {reason}" for reason in hold_reasons_of(s)]
    auth = auth_of(s)
    if auth:
        verdicts = " ".join(f"{k}={auth[k]}" for k in ("spf", "dkim", "dmarc", "arc") if k in auth)
        flag = "  !! DMARC fail" if auth.get("dmarc") == "fail" else ""
        lines.append(f"    authentication ({auth.get('authserv_id', '?')}): {verdicts}{flag}")
    if s.receipt:
        lines.append(f"    receipt: {s.receipt}")
    return lines


def event_json(event: ModerationEvent) -> dict[str, Any]:
    return {
        "at": iso(event.at),
        "by": event.by,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "changes": json.loads(event.changes) if event.changes else None,
    }


def event_line(event: ModerationEvent) -> str:
    move = f" {event.from_state} -> {event.to_state}" if event.to_state else ""
    changes = ""
    if event.changes:
        pairs = json.loads(event.changes)
        changes = " " + ", ".join(f"{k}: {v[0]!r} -> {v[1]!r}" for k, v in pairs.items())
    reason = f"  ({event.reason})" if event.reason else ""
    return f"{event.at.isoformat()}  {event.by}  {event.action}{move}{changes}{reason}"
