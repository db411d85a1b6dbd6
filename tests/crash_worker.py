"""A real worker process (ingest.worker) whose parser dies, as a crash in C would, on one
message: the one whose bytes hold KILL_THE_PARSER. Tests point ingest.workers.WORKER here."""

from __future__ import annotations

import os
import signal
from typing import Any

import ingest.records
from ingest import worker

KILL_THE_PARSER = "Mailroom test: this message kills its parser"


def main() -> None:
    parse = ingest.records.parse_message

    def dying(raw: bytes, *args: Any, **kwargs: Any) -> Any:
        if KILL_THE_PARSER.encode() in raw:
            os.kill(os.getpid(), signal.SIGKILL)
        return parse(raw, *args, **kwargs)

    ingest.records.parse_message = dying
    worker.main()


if __name__ == "__main__":
    main()
