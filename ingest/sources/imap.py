"""An IMAP folder through imapclient: UID SEARCH in windows, batched UID FETCH with BODY.PEEK[].

The session is opened (TLS, login) by `connection.connect`. Nothing here deletes or
expunges. A stored message is flagged (or moved, where the server has MOVE) only when
`mark_done` is called, after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from imapclient.exceptions import IMAPClientError

from ingest.errors import SourceUnavailable
from ingest.settings import MailboxSettings
from ingest.sources.base import Batch, Known, RawMessage
from ingest.sources.connection import close, connect, describe
from store.models import ReceivedVia

log = logging.getLogger(__name__)

AGAIN = "nothing is lost: what was not stored is read again when the server answers"
SEARCH_WINDOW = 5000  # UIDs per SEARCH: a million-message folder never comes back as one list


class ImapSource:
    """One folder of one account, selected read-write so stored mail can be flagged."""

    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings
        self.mailbox = settings.name
        self.folder = settings.folder
        self.where = f"mailbox {settings.name} ({settings.host}:{settings.port})"
        self._client = connect(settings).client
        try:
            self._selected = self._client.select_folder(self.folder)
        except IMAPClientError as exc:
            self.close()
            raise SourceUnavailable(
                f"mailbox {self.mailbox}: cannot open folder {self.folder!r}: {_text(exc)}"
            ) from exc
        if settings.after_store == "move" and not self._client.has_capability("MOVE"):
            self.close()
            raise SourceUnavailable(
                f"mailbox {self.mailbox}: the server has no MOVE, and Mailroom never deletes "
                'mail; set after_store = "flag" for this mailbox'
            )

    def uidvalidity(self) -> int:
        return int(self._selected[b"UIDVALIDITY"])

    def batches(self, after: int, known: Known) -> Iterator[Batch]:
        for uids in self._new_uids(after):
            held = known([str(uid) for uid in uids])
            wanted = [uid for uid in uids if str(uid) not in held]
            if not wanted and uids:
                yield Batch([], max(uids))
            size = self.settings.batch_size
            for start in range(0, len(wanted), size):
                chunk = wanted[start : start + size]
                yield Batch(self._fetch(chunk), max(chunk))

    def _new_uids(self, after: int) -> Iterator[list[int]]:
        uidnext = self._selected.get(b"UIDNEXT")
        try:
            if uidnext is None:
                found = self._client.search(["UID", f"{after + 1}:*"])
                yield sorted(uid for uid in found if uid > after)
                return
            for low in range(after + 1, int(uidnext), SEARCH_WINDOW):
                high = min(low + SEARCH_WINDOW - 1, int(uidnext) - 1)
                found = self._client.search(["UID", f"{low}:{high}"])
                uids = sorted(uid for uid in found if low <= uid <= high)
                if uids:
                    yield uids
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(
                f"{self.where}: UID SEARCH failed: {_text(exc)}; {AGAIN}"
            ) from exc

    def _fetch(self, uids: list[int]) -> list[RawMessage]:
        try:
            response = self._client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(
                f"{self.where}: UID FETCH of {len(uids)} message(s) failed: {_text(exc)}; {AGAIN}"
            ) from exc
        messages: list[RawMessage] = []
        for uid in uids:
            item = response.get(uid)
            if item is None or b"BODY[]" not in item:
                continue  # expunged by someone else between SEARCH and FETCH
            messages.append(
                RawMessage(
                    key=str(uid),
                    uid=uid,
                    data=bytes(item[b"BODY[]"]),
                    received_at=_aware(item.get(b"INTERNALDATE")),
                    received_via=ReceivedVia.INTERNALDATE,
                )
            )
        return messages

    def unmarked(self, up_to: int) -> list[str]:
        if up_to <= 0:
            return []
        criteria: list[Any] = ["UID", f"1:{up_to}"]
        if self.settings.after_store == "flag":
            flag = self.settings.flag
            criteria += ["UN" + flag[1:].upper()] if flag.startswith("\\") else ["UNKEYWORD", flag]
        try:
            return [str(uid) for uid in self._client.search(criteria) if uid <= up_to]
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(f"{self.where}: SEARCH failed: {_text(exc)}; {AGAIN}") from exc

    def mark_done(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        uids = [int(key) for key in keys]
        try:
            if self.settings.after_store == "move":
                assert self.settings.move_to is not None
                self._client.move(uids, self.settings.move_to)
            else:
                self._client.add_flags(uids, [self.settings.flag.encode()], silent=True)
        except (IMAPClientError, OSError) as exc:
            raise SourceUnavailable(
                f"mailbox {self.mailbox}: stored {len(uids)} message(s) but could not "
                f"{self.settings.after_store} them: {_text(exc)}; the next poll tries again"
            ) from exc

    def close(self) -> None:
        close(self._client)


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text(exc: BaseException) -> str:
    return describe(exc)
