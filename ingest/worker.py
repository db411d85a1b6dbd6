"""A worker: `python -m ingest.worker CONFIG`; one stored message a line in, its record a line out.

Started and watched by ingest.workers, which keeps a few of them for a whole poll.
For each message a worker does all the work that needs no database: read the raw
bytes from the archive, parse them, store the files, read their text (and the files
inside them), find the language and the quoted parts, and, when the rules are
given, what the rules can say from the message alone (ingest.assessment). The
daemon only records and judges.

Before each step that could hang or crash (the parse, each file) the worker says
what it starts (`{"n": 7, "at": null}` for the message, `"at": SHA256` for a file),
so a worker that dies or runs out of time names its culprit: the daemon sets that
file (or, after a few deaths, that message) aside and the rest goes on. A message
whose files cannot be stored because the archive's disk is full is answered
`later`: it stays waiting, to be read again by the next poll. The worker
caps its own address space (RLIMIT_AS) first, so a file that makes a library eat
memory ends in a MemoryError, reported as a failure, not in the machine swapping.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ingest.assessment import AssessmentRules
from ingest.errors import UnparseableMessage
from ingest.formats import Extracted
from ingest.records import read_message
from ingest.replies import encode
from ingest.settings import LimitSettings
from store.archive import Archive, ArchiveCorrupt, ArchiveUnwritable


class Worker:
    """What one worker process does with each task line; the loop is in `main`."""

    def __init__(self, config: dict[str, Any], out: IO[bytes]) -> None:
        self.limits = LimitSettings.model_validate(config["limits"])
        self.archive = Archive(Path(config["archive"]))
        rules = config.get("rules")
        self.rules = AssessmentRules.model_validate(rules) if rules is not None else None
        self.out = out
        self.stop = False  # set after a MemoryError: this process may be left fragmented

    def say(self, reply: dict[str, Any]) -> None:
        self.out.write(
            json.dumps(reply, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
        )
        self.out.flush()

    def handle(self, task: dict[str, Any]) -> dict[str, Any]:
        number = task["n"]
        self.say({"n": number, "at": None})
        skip = {
            str(sha): (str(status), str(note), float(seconds))
            for sha, (status, note, seconds) in (task.get("skip") or {}).items()
        }
        try:
            record, assessment = read_message(
                task["sha256"],
                self.archive,
                self.limits,
                self.rules,
                skip=skip,
                read=lambda sha, call: self._read(number, sha, call),
            )
        except ArchiveUnwritable as exc:  # the disk's fault, not the message's: it waits
            return {"n": number, "later": str(exc)}
        except (UnparseableMessage, ArchiveCorrupt, OSError) as exc:
            return {"n": number, "failed": str(exc)}
        except MemoryError:
            self.stop = True
            memory = self.limits.extraction_memory_mb
            return {
                "n": number,
                "failed": f"parsing ran out of memory (extraction_memory_mb = {memory})",
            }
        return {"n": number, **encode(record, assessment)}

    def _read(
        self, number: int, sha256: str, call: Callable[[], Extracted]
    ) -> tuple[Extracted, float]:
        """Run one file's reader, announced first; anything it raises is the file's failure."""
        self.say({"n": number, "at": sha256})
        started = time.monotonic()
        try:
            result = call()
        except MemoryError:
            self.stop = True
            result = Extracted(
                "failed",
                f"ran out of memory (extraction_memory_mb = {self.limits.extraction_memory_mb})",
            )
        except RecursionError:
            result = Extracted("failed", "the file nests too deeply to read (RecursionError)")
        except ArchiveUnwritable:
            raise  # its files could not be stored: the whole message waits (see handle)
        except Exception as exc:
            result = Extracted("failed", f"{type(exc).__name__}: {str(exc)[:300]}")
        seconds = time.monotonic() - started
        self.say({"n": number, "at": None})
        return result, seconds


def main() -> None:
    config = json.loads(sys.argv[1])
    limits = LimitSettings.model_validate(config["limits"])
    memory = limits.extraction_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    logging.disable(logging.CRITICAL)  # libraries' complaints about broken files are not ours
    warnings.simplefilter("ignore")
    sys.setrecursionlimit(5000)
    worker = Worker(config, sys.stdout.buffer)
    for line in sys.stdin.buffer:
        worker.say(worker.handle(json.loads(line)))
        if worker.stop:
            return


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's thread pool, under RLIMIT_AS
    main()
