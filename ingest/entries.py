"""Comments that did not come by email: a fax, a letter, the online form's export.

An entry goes through the same archive, records and rules as a message: its files are
archived by hash, and the entry itself is archived as a small JSON document (the
"raw bytes" of a submission that had none), so the record can be rebuilt from the
archive and keying the same entry twice records it once.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.countries import country_code
from ingest.forms import fields_from_json
from ingest.groups import group_for_word
from ingest.names import safe_name
from ingest.rule_settings import FormSettings
from store.content import AttachmentContent, SubmissionContent, save_content
from store.db import Store
from store.entries import EntryDetails, save_entry_details, submission_by_sha
from store.intake import Sighting, record_sightings
from store.models import Channel, ReceivedVia, StakeholderGroup

FORMAT = "mailroom-entry/1"
OPERATOR_MAILBOX = "operator"


class BadEntry(ValueError):
    """An entry that cannot be recorded as given; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class EntryFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Entry:
    channel: Channel
    received_at: datetime
    entered_by: str
    name: str = ""
    organisation: str = ""
    email: str = ""
    group: str = ""
    country: str = ""
    subject: str = ""
    text: str = ""
    language: str = ""
    postmark_date: date | None = None
    form_id: str = ""
    files: list[EntryFile] = field(default_factory=list)
    received_via: ReceivedVia = ReceivedVia.OPERATOR


@dataclass(frozen=True, slots=True)
class Recorded:
    reference: str
    new: bool


def file_from_path(path: Path) -> EntryFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadEntry(f"cannot read {path}: {exc.strerror}") from exc
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return EntryFile(path.name, content_type, data)


def record_entry(store: Store, entry: Entry, *, prefix: str, now: datetime) -> Recorded:
    """Archive and record one entry; the same entry again returns its first reference."""
    if entry.channel == Channel.EMAIL:
        raise BadEntry("email comes from a mailbox; add takes fax, post or form")
    if not (entry.text.strip() or entry.files):
        raise BadEntry("nothing to record: give the text, a file, or both")
    if entry.received_at.tzinfo is None:
        raise BadEntry("the received time needs a time zone")
    group = _group(entry.group) if entry.channel != Channel.FORM else None
    country = _country(entry.country)
    stored = [(f, store.archive.put(f.data)) for f in entry.files]
    document = _document(entry, stored)
    sha = store.archive.put(document)
    store.archive.flush()
    sighting = Sighting(
        mailbox=OPERATOR_MAILBOX,
        folder=entry.channel.value,
        uidvalidity=0,
        key=sha,
        uid=None,
        sha256=sha,
        size=len(document),
        message_id=None,
        received_at=entry.received_at,
        received_via=entry.received_via,
    )
    with store.session() as session:
        existing = submission_by_sha(session, sha)
        if existing is not None:
            return Recorded(existing.reference, False)
        recorded = record_sightings(
            session, [sighting], prefix=prefix, now=now, channel=entry.channel
        )
        if not recorded:  # another operator keyed the very same entry a moment ago
            again = submission_by_sha(session, sha)
            assert again is not None
            return Recorded(again.reference, False)
        submission_id = recorded[0].submission_id
        names = [safe_name(f.name, f.content_type, i) for i, (f, _) in enumerate(stored, 1)]
        save_content(
            session,
            submission_id,
            SubmissionContent(
                subject=entry.subject,
                sender_name=entry.name,
                sender_address=entry.email,
                organisation=entry.organisation,
                message_id=None,
                date_header=None,
                body_text=entry.text.strip(),
                parser=f"{entry.channel.value} entry",
                attachments=[
                    AttachmentContent(name, f.name, f.content_type, len(f.data), digest)
                    for name, (f, digest) in zip(names, stored, strict=True)
                ],
            ),
        )
        save_entry_details(
            session,
            submission_id,
            EntryDetails(
                entered_by=entry.entered_by,
                postmark_date=entry.postmark_date,
                group=group,
                country=country,
                country_source="form" if entry.channel == Channel.FORM else "operator",
                language=entry.language or None,
            ),
        )
        session.commit()
        return Recorded(recorded[0].reference, True)


def read_entry(data: bytes) -> dict[str, Any] | None:
    """An archived entry document, or None if these bytes are not one."""
    if not data.startswith(b"{"):
        return None
    try:
        loaded = json.loads(data)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) and loaded.get("format") == FORMAT else None


def form_entries(
    lines: Iterator[tuple[int, str]],
    form: FormSettings,
    *,
    zone: Any,
    entered_by: str,
) -> Iterator[tuple[int, Entry | BadEntry]]:
    """Each line of a form's JSON-lines export as an Entry, or the reason it is not one."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            yield number, BadEntry(f"not JSON: {exc}")
            continue
        if not isinstance(item, dict):
            yield number, BadEntry("not a JSON object")
            continue
        record = fields_from_json(item, form)
        if not record.received_at:
            yield number, BadEntry(f"no {form.fields.received_at!r}: when the form received it")
            continue
        try:
            received = datetime.fromisoformat(record.received_at.replace("Z", "+00:00"))
        except ValueError:
            yield number, BadEntry(f"{form.fields.received_at!r} is not ISO 8601")
            continue
        if received.tzinfo is None:
            received = received.replace(tzinfo=zone)
        yield (
            number,
            Entry(
                channel=Channel.FORM,
                received_at=received,
                entered_by=entered_by,
                name=record.name,
                organisation=record.organisation,
                email=record.email,
                group=record.group,
                country=record.country,
                subject=record.subject,
                text=record.comment,
                language=record.language,
                form_id=record.id,
                received_via=ReceivedVia.FORM_RECORD,
            ),
        )


def _group(value: str) -> StakeholderGroup | None:
    if not value.strip():
        return None
    group = group_for_word(value)
    if group is None:
        known = ", ".join(g.value for g in StakeholderGroup)
        raise BadEntry(f"unknown stakeholder group {value!r} (one of: {known})")
    return group


def _country(value: str) -> str | None:
    if not value.strip():
        return None
    code = country_code(value)
    if code is None:
        raise BadEntry(f"unknown country {value!r}: give an ISO 3166 code (GH) or a name")
    return code


def _document(entry: Entry, stored: list[tuple[EntryFile, str]]) -> bytes:
    """The entry as canonical JSON: the same entry always makes the same bytes."""
    document = {
        "format": FORMAT,
        "channel": entry.channel.value,
        "received_at": entry.received_at.isoformat(),
        "postmark_date": entry.postmark_date.isoformat() if entry.postmark_date else None,
        "name": entry.name,
        "organisation": entry.organisation,
        "email": entry.email,
        "group": entry.group,
        "country": entry.country,
        "subject": entry.subject,
        "text": entry.text,
        "language": entry.language,
        "form_id": entry.form_id,
        "files": [
            {"name": f.name, "content_type": f.content_type, "size": len(f.data), "sha256": sha}
            for f, sha in stored
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
