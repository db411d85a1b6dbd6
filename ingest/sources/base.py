"""What every source yields, and the one clock files carry: the top Received header."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from store.models import ReceivedVia

Known = Callable[[list[str]], set[str]]
"""Given keys, answers which the ledger already holds: sources skip those without reading them."""


@dataclass(frozen=True, slots=True)
class RawMessage:
    """Raw bytes, where they came from, and when the mailbox received them."""

    key: str
    uid: int | None
    data: bytes
    received_at: datetime | None
    received_via: ReceivedVia


@dataclass(frozen=True, slots=True)
class Batch:
    """Messages read together, and the checkpoint that holds once they are recorded."""

    messages: list[RawMessage]
    position: int


class Source(Protocol):
    """A mailbox folder, opened: IMAP, Maildir or mbox."""

    mailbox: str
    folder: str

    def uidvalidity(self) -> int: ...

    def batches(self, after: int, known: Known) -> Iterator[Batch]:
        """Messages past checkpoint `after`, in batches, skipping keys `known` holds."""
        ...

    def unmarked(self, up_to: int) -> list[str]:
        """Keys at or before the checkpoint that may still wait for mark_done."""
        ...

    def mark_done(self, keys: Sequence[str]) -> None:
        """Flag or move stored messages on the server; called only after the commit."""
        ...

    def close(self) -> None: ...


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_RECEIVED = re.compile(rb"^received:(.*?)(?=^\S|\Z)", re.IGNORECASE | re.MULTILINE | re.DOTALL)
_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+):(.*)$", re.DOTALL)  # the email package's rule


def header_block(data: bytes) -> bytes:
    match = _HEADER_END.search(data)
    return data[: match.start()] if match else data


def top_received_time(data: bytes) -> datetime | None:
    """The date the receiving server wrote in the topmost Received header, if any."""
    match = _RECEIVED.search(header_block(data))
    if match is None:
        return None
    value = match.group(1).decode("ascii", "replace")
    if ";" not in value:
        return None
    stamp = " ".join(value.rsplit(";", 1)[1].split())
    try:
        when = parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def message_id_of(data: bytes) -> str | None:
    """The first Message-ID field, without its angle brackets, read from the header lines
    alone (the parse comes later, in a worker): what the ledger keys a sighting by. Reading
    stops where the email package's parser would, at the first line that is no header."""
    value: list[bytes] | None = None
    for line in header_block(data).split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if value is not None:
                value.append(line)
            continue
        if value is not None:
            break
        if line.startswith(b"From "):
            continue  # an mbox From_ line, or one misplaced: the parser passes over it too
        field = _FIELD.match(line)
        if field is None:
            return None
        if field.group(1).lower() == b"message-id":
            value = [field.group(2)]
    if value is None:
        return None
    text = b"\n".join(value).decode("utf-8", "replace")
    return " ".join(text.split()).strip("<>") or None
