"""A worker's answer for one message, as one line of JSON and back: its record and assessment.

Plain JSON rather than pickle: a worker reads hostile files, and the daemon should trust
nothing from it but data.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from ingest.assessment import Assessment
from ingest.corrections import Hint
from ingest.forwarded import message_from_json, message_json
from ingest.headers import HeaderFacts
from ingest.similarity import Fingerprint
from store.classification import FormContent
from store.content import AttachmentContent, SubmissionContent
from store.models import StakeholderGroup, TextStatus


def encode(record: SubmissionContent, assessment: Assessment | None) -> dict[str, Any]:
    content = asdict(record)
    content["date_header"] = _when(record.date_header)
    for encoded, attachment in zip(content["attachments"], record.attachments, strict=True):
        encoded["message"] = message_json(attachment.message)
    return {"content": content, "assessment": _assessment(assessment) if assessment else None}


def decode(reply: dict[str, Any]) -> tuple[SubmissionContent, Assessment | None]:
    content = dict(reply["content"])
    content["date_header"] = _time(content["date_header"])
    content["attachments"] = [
        AttachmentContent(
            **{
                **a,
                "text_status": TextStatus(a["text_status"]) if a["text_status"] else None,
                "message": message_from_json(a.get("message")),
            }
        )
        for a in content["attachments"]
    ]
    found = reply.get("assessment")
    return SubmissionContent(**content), _read_assessment(found) if found else None


def _assessment(found: Assessment) -> dict[str, Any]:
    facts = asdict(found.facts)
    facts["received_header_at"] = _when(found.facts.received_header_at)
    printed = found.fingerprint
    return {
        **{name: getattr(found, name) for name in _PLAIN},
        "facts": facts,
        "form": asdict(found.form) if found.form else None,
        "group": found.group.value if found.group else None,
        "holds": list(found.holds),
        "correction_hint": asdict(found.correction_hint) if found.correction_hint else None,
        "files": [list(pair) for pair in found.files],
        "fingerprint": {
            "signature": printed.signature.hex(),
            "buckets": printed.buckets,
            "exact": printed.exact,
            "words": printed.words,
        }
        if printed
        else None,
    }


def _read_assessment(found: dict[str, Any]) -> Assessment:
    facts = dict(found["facts"])
    facts["received_header_at"] = _time(facts["received_header_at"])
    facts["answers"] = tuple(facts["answers"])
    printed = found["fingerprint"]
    return Assessment(
        **{name: found[name] for name in _PLAIN},
        facts=HeaderFacts(**facts),
        form=FormContent(**found["form"]) if found["form"] else None,
        group=StakeholderGroup(found["group"]) if found["group"] else None,
        holds=tuple(found["holds"]),
        correction_hint=Hint(**found["correction_hint"]) if found["correction_hint"] else None,
        files=tuple((str(name), str(sha)) for name, sha in found["files"]),
        fingerprint=Fingerprint(
            bytes.fromhex(printed["signature"]),
            [int(b) for b in printed["buckets"]],
            bool(printed["exact"]),
            int(printed["words"]),
        )
        if printed
        else None,
    )


_PLAIN = (
    "group_rule",
    "country",
    "country_source",
    "country_reason",
    "organisation_suggested",
    "organisation_reason",
    "reply_adds",
    "has_attachments",
    "spam",
    "automatic",
    "duplicate_key",
    "request_kind",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
