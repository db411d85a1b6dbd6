"""A local Maildir: `new/` and `cur/`, read in name order, never changed."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import SourceUnavailable
from ingest.sources.base import Batch, Known, RawMessage, top_received_time
from store.models import ReceivedVia


class MaildirSource:
    """Keys are Maildir unique names (the file name before `:2,`), so a flag change is no news."""

    def __init__(self, mailbox: str, path: Path, batch_size: int = 200) -> None:
        self.mailbox = mailbox
        self.folder = str(path)
        self.path = path
        self.batch_size = batch_size
        if not (path / "new").is_dir() and not (path / "cur").is_dir():
            raise SourceUnavailable(
                f"mailbox {mailbox}: {path} is not a Maildir (no new/ or cur/ inside)"
            )

    def uidvalidity(self) -> int:
        return 0

    def _entries(self) -> Iterator[tuple[str, Path]]:
        for sub in ("cur", "new"):
            directory = self.path / sub
            if not directory.is_dir():
                continue
            with os.scandir(directory) as scan:
                names = sorted(e.name for e in scan if e.is_file() and not e.name.startswith("."))
            for name in names:
                yield name.split(":", 1)[0], directory / name

    def batches(self, after: int, known: Known) -> Iterator[Batch]:
        pending: list[tuple[str, Path]] = []
        for entry in self._entries():
            pending.append(entry)
            if len(pending) >= self.batch_size:
                yield from self._read(pending, known)
                pending = []
        if pending:
            yield from self._read(pending, known)

    def _read(self, entries: list[tuple[str, Path]], known: Known) -> Iterator[Batch]:
        held = known([key for key, _ in entries])
        messages: list[RawMessage] = []
        for key, path in entries:
            if key in held:
                continue
            try:
                data = path.read_bytes()
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue  # moved between cur/ and new/ by a mail client; seen next poll
            received = top_received_time(data)
            if received is not None:
                messages.append(RawMessage(key, None, data, received, ReceivedVia.RECEIVED_HEADER))
            else:
                when = datetime.fromtimestamp(mtime, UTC)
                messages.append(RawMessage(key, None, data, when, ReceivedVia.FILE_TIME))
        if messages:
            yield Batch(messages, 0)

    def unmarked(self, up_to: int) -> list[str]:
        return []

    def mark_done(self, keys: Sequence[str]) -> None:
        """Local files are left exactly as they are."""

    def close(self) -> None:
        pass
