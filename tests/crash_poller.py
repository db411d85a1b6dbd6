"""A real poller process that SIGKILLs itself at a chosen point of a batch.

Usage: python -m tests.crash_poller SETTINGS_JSON POINT N
POINT is where the Nth occurrence kills the process:
  archived      after a message's bytes are fsync'd into the archive, before any row exists
  recorded      after the batch's rows are flushed, before the commit
  committed     after the commit, before the messages are flagged on the server
  parsing       when the workers have read a page of stored messages, before it is saved
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ingest.sources.imap
import ingest.workers
import store.archive
import store.intake
from ingest import MailboxSettings, poll_once
from store import StoreSettings, open_store


def main() -> None:
    settings = json.loads(sys.argv[1])
    point, wanted = sys.argv[2], int(sys.argv[3])
    seen = 0

    def hit() -> None:
        nonlocal seen
        seen += 1
        if seen == wanted:
            os.kill(os.getpid(), signal.SIGKILL)

    def after(original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            hit()
            return result

        return wrapper

    def before(original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            hit()
            return original(*args, **kwargs)

        return wrapper

    if point == "archived":
        store.archive.Archive.put = after(store.archive.Archive.put)  # type: ignore[method-assign]
    elif point == "recorded":
        store.intake._record = after(store.intake._record)
    elif point == "committed":
        ingest.sources.imap.ImapSource.mark_done = before(  # type: ignore[method-assign]
            ingest.sources.imap.ImapSource.mark_done
        )
    elif point == "parsing":
        ingest.workers.WorkerPool.take = before(  # type: ignore[method-assign]
            ingest.workers.WorkerPool.take
        )
    else:
        raise SystemExit(f"unknown point {point}")

    opened = open_store(StoreSettings(url=settings["database"], archive=Path(settings["archive"])))
    mailbox = MailboxSettings.model_validate(settings["mailbox"])
    poll_once(mailbox, opened, prefix="DESA-10-3078", now=lambda: datetime.now(UTC))
    print("finished without reaching the kill point", file=sys.stderr)


if __name__ == "__main__":
    main()
