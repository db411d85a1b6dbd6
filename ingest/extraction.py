"""A small pool of extraction workers: a hanging or crashing reader never hangs or crashes us.

Document libraries meet hostile files: a PDF whose page tree never ends, a
document that makes a parser eat memory, a C library that segfaults. So no
document is read in the daemon. `extraction_workers` worker processes
(`python -m ingest.worker`) are started on first use and kept for the whole
poll or reparse, so a million attachments cost a handful of process starts,
not a million. Each gets one task at a time (a path in the archive, never the
bytes, over a pipe) and answers with one JSON line. The pool waits for answers
with select(); a worker past `extraction_seconds` on one file is killed with
its whole process group (antiword included) and the file is `timed_out`; a
worker that dies is reported as `failed` with its exit status. Either way a
fresh worker takes its place for the next file. Workers cap their own memory
(RLIMIT_AS, `extraction_memory_mb`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.forwarded import message_from_json
from ingest.settings import LimitSettings
from store.content import MessageContent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Task:
    path: Path
    kind: str
    name: str
    content_type: str
    charset: str | None = None
    list_only: bool = False  # a container too deep to open: say so, do not unpack


@dataclass(slots=True)
class Outcome:
    status: str
    note: str
    text: str | None = None
    sniffed_type: str | None = None
    children: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    message: MessageContent | None = None  # a forwarded message's own fields


@dataclass(slots=True)
class _Worker:
    process: subprocess.Popen[bytes]
    buffer: bytearray = field(default_factory=bytearray)
    task: int | None = None
    started: float = 0.0


class ExtractorPool:
    """Use as a context manager; `run` reads a list of files and returns their outcomes."""

    def __init__(self, limits: LimitSettings, archive_root: Path) -> None:
        self.limits = limits
        self._config = json.dumps(
            {"limits": limits.model_dump(mode="json"), "archive": str(archive_root)}
        )
        self._workers: list[_Worker] = []
        self.started = 0  # processes started so far: tests and benchmarks read it
        self.longest = 0.0  # the longest extraction seen, in seconds

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, tasks: list[Task]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(tasks)
        waiting = deque(range(len(tasks)))
        selector = selectors.DefaultSelector()
        try:
            while waiting or any(w.task is not None for w in self._workers):
                self._dispatch(tasks, waiting, selector, outcomes)
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    continue
                deadline = min(w.started for w in busy) + self.limits.extraction_seconds
                for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
                    worker = key.data
                    assert isinstance(worker, _Worker)
                    self._read(worker, selector, outcomes)
                for worker in busy:
                    if worker.task is not None and self._overdue(worker):
                        outcomes[worker.task] = Outcome(
                            "timed_out",
                            f"no result after {self.limits.extraction_seconds:g} s "
                            "(extraction_seconds); the reader was stopped",
                            seconds=time.monotonic() - worker.started,
                        )
                        self._retire(worker, selector)
        finally:
            selector.close()
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(tasks)
        self.longest = max([self.longest, *(o.seconds for o in done)])
        return done

    def close(self) -> None:
        for worker in self._workers:  # every worker sees its end of input at once, then we wait
            if worker.process.stdin is not None:
                with contextlib.suppress(OSError):
                    worker.process.stdin.close()
        for worker in self._workers:
            _stop(worker.process)
        self._workers.clear()

    def _dispatch(
        self,
        tasks: list[Task],
        waiting: deque[int],
        selector: selectors.BaseSelector,
        outcomes: list[Outcome | None],
    ) -> None:
        while waiting:
            worker = next((w for w in self._workers if w.task is None), None)
            if worker is None and len(self._workers) < self.limits.extraction_workers:
                worker = self._spawn()
            if worker is None:
                return
            index = waiting.popleft()
            task = tasks[index]
            line = json.dumps(
                {
                    "path": str(task.path),
                    "kind": task.kind,
                    "name": task.name,
                    "content_type": task.content_type,
                    "charset": task.charset,
                    "list_only": task.list_only,
                }
            )
            try:
                assert worker.process.stdin is not None
                worker.process.stdin.write(line.encode() + b"\n")
                worker.process.stdin.flush()
            except (BrokenPipeError, OSError):  # died while idle: start another, try again
                self._retire(worker, selector)
                waiting.appendleft(index)
                continue
            worker.task = index
            worker.started = time.monotonic()
            assert worker.process.stdout is not None
            selector.register(worker.process.stdout, selectors.EVENT_READ, worker)

    def _read(
        self, worker: _Worker, selector: selectors.BaseSelector, outcomes: list[Outcome | None]
    ) -> None:
        assert worker.process.stdout is not None and worker.task is not None
        chunk = os.read(worker.process.stdout.fileno(), 1 << 20)
        if not chunk:
            outcomes[worker.task] = Outcome(
                "failed",
                f"the reader crashed ({_how_it_ended(worker.process)})",
                seconds=time.monotonic() - worker.started,
            )
            self._retire(worker, selector)
            return
        worker.buffer += chunk
        if b"\n" not in worker.buffer:
            return
        line, _, rest = bytes(worker.buffer).partition(b"\n")
        worker.buffer = bytearray(rest)
        try:
            reply = json.loads(line)
            outcome = Outcome(
                status=reply["status"],
                note=reply["note"],
                text=reply["text"],
                sniffed_type=reply.get("sniffed_type"),
                children=reply.get("children") or [],
                message=message_from_json(reply.get("message")),
                seconds=float(reply.get("seconds") or 0.0),
            )
        except (ValueError, KeyError, TypeError) as exc:
            outcome = Outcome("failed", f"the reader answered nonsense: {exc}")
        outcomes[worker.task] = outcome
        selector.unregister(worker.process.stdout)
        worker.task = None

    def _overdue(self, worker: _Worker) -> bool:
        return time.monotonic() - worker.started >= self.limits.extraction_seconds

    def _spawn(self) -> _Worker:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest.worker", self._config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes antiword with it
        )
        worker = _Worker(process)
        self._workers.append(worker)
        self.started += 1
        log.debug("extraction worker %d started", process.pid)
        return worker

    def _retire(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        if worker.process.stdout is not None:
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(worker.process.stdout)
        _stop(worker.process, kill=True)
        self._workers.remove(worker)


def _how_it_ended(process: subprocess.Popen[bytes]) -> str:
    """Its exit status, read without reaping it: its process group is killed after, by pid."""
    try:
        status = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        return "ended"
    if status is None:
        return "ended"
    if status.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
        return f"signal {signal.Signals(status.si_status).name}"
    return f"exit status {status.si_status}"


def _stop(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    """End a worker: close its input and let it go, or kill its whole group at once."""
    if not kill and process.poll() is None:
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            kill = True
    if process.poll() is None or kill:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
