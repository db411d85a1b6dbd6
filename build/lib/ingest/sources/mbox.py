"""A local mbox file, streamed: the checkpoint is the byte offset read up to."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from ingest.errors import SourceUnavailable
from ingest.sources.base import Batch, Known, RawMessage, top_received_time
from store.models import ReceivedVia


class MboxSource:
    """Keys are `offset:sha256-prefix`, so a rewritten file never passes off new mail as old."""

    def __init__(self, mailbox: str, path: Path, batch_size: int = 200) -> None:
        self.mailbox = mailbox
        self.folder = str(path)
        self.path = path
        self.batch_size = batch_size
        if not path.is_file():
            raise SourceUnavailable(f"mailbox {mailbox}: mbox file {path} does not exist")

    def uidvalidity(self) -> int:
        return 0

    def batches(self, after: int, known: Known) -> Iterator[Batch]:
        size = self.path.stat().st_size
        start = after if 0 < after <= size else 0
        with self.path.open("rb") as handle:
            if start and not _starts_message(handle, start):
                start = 0  # the file was rewritten under us: read it all, the ledger dedupes
            handle.seek(start)
            pending: list[tuple[str, RawMessage]] = []
            end = start
            for offset, end, from_line, data in _messages(handle, start):
                digest = hashlib.sha256(data).hexdigest()[:16]
                key = f"{offset}:{digest}"
                pending.append((key, _raw(key, from_line, data, self.path)))
                if len(pending) >= self.batch_size:
                    yield _batch(pending, known, end)
                    pending = []
            if pending:
                yield _batch(pending, known, end)

    def unmarked(self, up_to: int) -> list[str]:
        return []

    def mark_done(self, keys: Sequence[str]) -> None:
        """The file is left exactly as it is."""

    def close(self) -> None:
        pass


def _batch(pending: list[tuple[str, RawMessage]], known: Known, end: int) -> Batch:
    held = known([key for key, _ in pending])
    return Batch([raw for key, raw in pending if key not in held], end)


def _starts_message(handle: BinaryIO, offset: int) -> bool:
    handle.seek(offset)
    return handle.read(5) == b"From "


def _messages(handle: BinaryIO, start: int) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(offset, end offset, From line, message bytes) for each message, one at a time."""
    offset = start
    position = start
    from_line = b""
    lines: list[bytes] = []
    previous_blank = True
    for line in handle:
        if line.startswith(b"From ") and previous_blank:
            if from_line or lines:
                yield offset, position, from_line, _strip_separator(lines)
            offset, from_line, lines = position, line, []
        else:
            lines.append(line)
        previous_blank = line in (b"\n", b"\r\n")
        position += len(line)
    if from_line or any(line.strip() for line in lines):
        yield offset, position, from_line, _strip_separator(lines)


def _strip_separator(lines: list[bytes]) -> bytes:
    """Drop the one blank line mbox puts between messages."""
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)


def _raw(key: str, from_line: bytes, data: bytes, path: Path) -> RawMessage:
    received = top_received_time(data)
    if received is not None:
        return RawMessage(key, None, data, received, ReceivedVia.RECEIVED_HEADER)
    stamped = _from_line_time(from_line)
    if stamped is not None:
        return RawMessage(key, None, data, stamped, ReceivedVia.MBOX_FROM_LINE)
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return RawMessage(key, None, data, when, ReceivedVia.FILE_TIME)


def _from_line_time(from_line: bytes) -> datetime | None:
    """`From sender Sat Jan  3 01:05:34 1996`: the delivery agent's clock, taken as UTC."""
    words = from_line.decode("ascii", "replace").split()
    if len(words) < 7:
        return None
    stamp = " ".join(words[-5:])
    try:
        return datetime.strptime(stamp, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None
