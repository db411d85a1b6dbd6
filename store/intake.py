"""Recording what a mailbox holds: one transaction per batch, the checkpoint included.

This is where "exactly once" lives. A sighting already in the ledger is skipped;
a sighting of bytes we already hold (a UIDVALIDITY reset, a second folder) joins
the submission those bytes became; anything else becomes a new submission with
the next reference number. The raw bytes must already be in the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.bulk import insert_rows, table_of
from store.models import (
    Channel,
    Checkpoint,
    Counter,
    Message,
    Problem,
    ReceivedVia,
    Submission,
)

MESSAGE_ID_MAX = 500  # hostile Message-IDs must not overflow an index row


@dataclass(frozen=True, slots=True)
class Sighting:
    """One message seen in one place, its bytes already archived under `sha256`."""

    mailbox: str
    folder: str
    uidvalidity: int
    key: str
    uid: int | None
    sha256: str
    size: int
    message_id: str | None
    received_at: datetime
    received_via: ReceivedVia


@dataclass(frozen=True, slots=True)
class Recorded:
    """What became of a sighting: its submission, and whether this batch created it."""

    sighting: Sighting
    submission_id: int
    reference: str
    new_submission: bool


def reference_for(prefix: str, number: int) -> str:
    return f"{prefix}/{number:04d}"


def known_keys(
    session: Session, mailbox: str, folder: str, uidvalidity: int, keys: Iterable[str]
) -> set[str]:
    """The keys among `keys` that the ledger already holds for this folder."""
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.exec(
            select(Message.key).where(
                Message.mailbox == mailbox,
                Message.folder == folder,
                Message.uidvalidity == uidvalidity,
                col(Message.key).in_(chunk),
            )
        )
        found.update(rows)
    return found


def record_sightings(
    session: Session,
    sightings: Sequence[Sighting],
    *,
    prefix: str,
    now: datetime,
    checkpoint_uid: int | None = None,
    channel: Channel = Channel.EMAIL,
) -> list[Recorded]:
    """Record a batch from one folder and advance its checkpoint, in one commit.

    Safe against a second daemon doing the same: a unique-constraint clash
    rolls the batch back and it is recorded again against what is now there.
    """
    for attempt in range(3):
        try:
            recorded = _record(session, sightings, prefix, now, checkpoint_uid, channel)
            session.commit()
            return recorded
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(
    session: Session,
    sightings: Sequence[Sighting],
    prefix: str,
    now: datetime,
    checkpoint_uid: int | None,
    channel: Channel,
) -> list[Recorded]:
    if not sightings:
        return []
    first = sightings[0]
    if any(
        (s.mailbox, s.folder, s.uidvalidity) != (first.mailbox, first.folder, first.uidvalidity)
        for s in sightings
    ):
        raise ValueError("a batch comes from one folder under one UIDVALIDITY")
    seen = known_keys(
        session, first.mailbox, first.folder, first.uidvalidity, (s.key for s in sightings)
    )
    fresh: list[Sighting] = []
    batch_keys: set[str] = set()
    for sighting in sightings:
        if sighting.key in seen or sighting.key in batch_keys:
            continue
        batch_keys.add(sighting.key)
        fresh.append(sighting)

    existing = _submissions_by_sha(session, {s.sha256 for s in fresh})
    existing.update(
        _submissions_by_earlier_message_id(
            session, first, [s for s in fresh if s.sha256 not in existing]
        )
    )
    needed = len({s.sha256 for s in fresh if s.sha256 not in existing and _mid(s) not in existing})
    numbers = iter(_allocate_numbers(session, needed))

    matched: list[tuple[Sighting, tuple[int, str] | None]] = []
    new_rows: dict[str, dict[str, object]] = {}
    for sighting in fresh:
        match = existing.get(sighting.sha256) or existing.get(_mid(sighting) or "")
        if match is None and sighting.sha256 not in new_rows:
            number = next(numbers)
            new_rows[sighting.sha256] = {
                "number": number,
                "reference": reference_for(prefix, number),
                "channel": channel,
                "sha256": sighting.sha256,
                "received_at": sighting.received_at,
                "received_via": sighting.received_via,
                "created_at": now,
                "message_id": _cap(sighting.message_id),
            }
        matched.append((sighting, match))
    if new_rows:  # one INSERT for the batch's new submissions, their ids returned
        table = table_of(Submission)
        made = session.execute(
            insert(table).returning(table.c.sha256, table.c.id, table.c.reference),
            list(new_rows.values()),
        )
        existing.update({sha: (int(sid), str(ref)) for sha, sid, ref in made})

    recorded: list[Recorded] = []
    seen_new: set[str] = set()
    for sighting, match in matched:
        submission_id, reference = match or existing[sighting.sha256]
        new = match is None and sighting.sha256 not in seen_new
        if new:
            seen_new.add(sighting.sha256)
        recorded.append(Recorded(sighting, submission_id, reference, new))
    insert_rows(
        session,
        Message,
        [
            {
                "mailbox": r.sighting.mailbox,
                "folder": r.sighting.folder,
                "uidvalidity": r.sighting.uidvalidity,
                "key": r.sighting.key,
                "uid": r.sighting.uid,
                "sha256": r.sighting.sha256,
                "size": r.sighting.size,
                "message_id": _cap(r.sighting.message_id),
                "received_at": r.sighting.received_at,
                "received_via": r.sighting.received_via,
                "fetched_at": now,
                "submission_id": r.submission_id,
            }
            for r in recorded
        ],
    )
    if checkpoint_uid is not None:
        advance_checkpoint(session, first.mailbox, first.folder, first.uidvalidity, checkpoint_uid)
    session.flush()
    return recorded


def _mid(sighting: Sighting) -> str | None:
    capped = _cap(sighting.message_id)
    return f"message-id:{capped}" if capped else None


def _cap(message_id: str | None) -> str | None:
    return message_id[:MESSAGE_ID_MAX] if message_id else None


def _submissions_by_sha(session: Session, shas: set[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(shas)
    for start in range(0, len(ordered), 500):
        rows = session.exec(
            select(Submission.sha256, Submission.id, Submission.reference).where(
                col(Submission.sha256).in_(ordered[start : start + 500])
            )
        )
        found.update({sha: (sid, ref) for sha, sid, ref in rows if sid is not None})
    return found


def _submissions_by_earlier_message_id(
    session: Session, first: Sighting, sightings: list[Sighting]
) -> dict[str, tuple[int, str]]:
    """Same folder, earlier UIDVALIDITY, same Message-ID: the server renumbered a message we hold.

    Only then is a Message-ID trusted as identity: senders and form-mailers reuse them.
    """
    ids = sorted({mid for s in sightings if (mid := _cap(s.message_id))})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Message.message_id, Submission.id, Submission.reference)
            .join(Submission, col(Submission.id) == col(Message.submission_id))
            .where(
                Message.mailbox == first.mailbox,
                Message.folder == first.folder,
                Message.uidvalidity != first.uidvalidity,
                col(Message.message_id).in_(ids[start : start + 500]),
            )
        )
        found.update({f"message-id:{mid}": (sid, ref) for mid, sid, ref in rows if sid is not None})
    return found


def _allocate_numbers(session: Session, count: int) -> list[int]:
    """Reserve `count` consecutive reference numbers; a rollback gives them back."""
    if count == 0:
        return []
    result = session.execute(
        update(Counter)
        .where(col(Counter.name) == "submission")
        .values(value=col(Counter.value) + count)
        .returning(col(Counter.value))
    )
    last = result.scalar_one()
    return list(range(last - count + 1, last + 1))


def advance_checkpoint(
    session: Session, mailbox: str, folder: str, uidvalidity: int, last_uid: int
) -> Checkpoint:
    checkpoint = checkpoint_for(session, mailbox, folder)
    if checkpoint.uidvalidity != uidvalidity:
        checkpoint.uidvalidity = uidvalidity
        checkpoint.last_uid = 0
    checkpoint.last_uid = max(checkpoint.last_uid, last_uid)
    session.add(checkpoint)
    return checkpoint


def checkpoint_for(session: Session, mailbox: str, folder: str) -> Checkpoint:
    """The folder's checkpoint row, made (not committed) on first use."""
    row = session.exec(
        select(Checkpoint).where(Checkpoint.mailbox == mailbox, Checkpoint.folder == folder)
    ).first()
    if row is not None:
        return row
    checkpoint = Checkpoint(mailbox=mailbox, folder=folder)
    session.add(checkpoint)
    return checkpoint


def record_problem(
    session: Session,
    *,
    kind: str,
    detail: str,
    at: datetime,
    mailbox: str | None = None,
    submission_id: int | None = None,
) -> None:
    session.add(
        Problem(at=at, kind=kind, mailbox=mailbox, submission_id=submission_id, detail=detail)
    )


def count_messages(session: Session, mailbox: str) -> int:
    query = select(func.count()).select_from(Message).where(Message.mailbox == mailbox)
    return session.exec(query).one()
