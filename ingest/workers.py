"""The worker processes of one poll or reparse: all of intake's reading, on every core.

Parsing mail and reading documents is most of intake's work, and the part that
meets hostile input: a PDF whose page tree never ends, a document that makes a
parser eat memory, a C library that segfaults. So none of it runs in the daemon.
`extraction_workers` processes (`python -m ingest.worker`) are started on first use
and kept for the whole poll or reparse; each is handed a few stored messages ahead
(their SHA-256, never the bytes) and answers each with one JSON line: the record,
and the rules' assessment. The daemon meanwhile reads the mailbox and writes to the
database, the one process that does. A thread here feeds the workers and reads their
answers, so they never wait for the daemon's commits.

A worker names the step it starts (the message, or one file), so when one dies or
runs out of time (`extraction_seconds` for a file, PARSE_SECONDS for the message) the
culprit is known. It is killed with its whole
process group (antiword included) and a fresh one takes over. A file that hung or
crashed its reader is `timed_out` or `failed`, and its message is read again without
it; a message whose parse itself kills its worker MAX_DEATHS times is set aside as
failed, with the reason, and one that runs out of time is set aside at once. Messages
that were only queued behind it are handed out again, charged nothing. A daemon killed
from outside charges nothing either: nothing is counted before a worker dies.
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
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ingest.assessment import Assessment, AssessmentRules
from ingest.replies import decode
from ingest.settings import LimitSettings
from store.content import SubmissionContent

log = logging.getLogger(__name__)

WORKER = "ingest.worker"  # the module each worker process runs (tests point it elsewhere)
MAX_DEATHS = 3  # a message that kills its worker this often is set aside
PARSE_SECONDS = 120.0  # to parse one message and store its files; past it, it is set aside
AHEAD = 4  # messages handed to a worker before it answers: it never waits for the daemon
STILLBORN = 3  # workers in a row that die before saying anything: the install is broken


@dataclass(frozen=True, slots=True)
class Parsed:
    content: SubmissionContent
    assessment: Assessment | None


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str


@dataclass(frozen=True, slots=True)
class Later:
    """Not read, through no fault of the message (the archive's disk is full): it waits."""

    reason: str


Outcome = Parsed | Failed | Later


class WorkersBroken(Exception):
    """The worker processes cannot start: the message says why and what to check."""


@dataclass(slots=True)
class _Task:
    key: int  # the submission's id
    sha256: str
    skip: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    deaths: int = 0


_IDLE = object()  # a worker between messages: no step started, no clock running


@dataclass(slots=True)
class _Worker:
    process: subprocess.Popen[bytes]
    errors: IO[bytes]  # its stderr, kept in a temporary file for when it dies
    queued: deque[tuple[int, _Task]] = field(default_factory=deque)  # (number, task) in order
    buffer: bytearray = field(default_factory=bytearray)
    step: object = _IDLE  # None: the message itself; a SHA-256: that file; _IDLE: between
    since: float = 0.0
    spoke: bool = False


class WorkerPool:
    """Use as a context manager: `submit` stored messages, `take` their outcomes."""

    def __init__(
        self, limits: LimitSettings, archive_root: Path, rules: AssessmentRules | None = None
    ) -> None:
        self.limits = limits
        self._config = json.dumps(
            {
                "limits": limits.model_dump(mode="json"),
                "archive": str(archive_root),
                "rules": rules.model_dump(mode="json") if rules is not None else None,
            }
        )
        self.started = 0  # processes started so far: tests and benchmarks read it
        self._workers: list[_Worker] = []
        self._waiting: deque[_Task] = deque()
        self._done: dict[int, Outcome] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wake_read, self._wake_write = os.pipe()
        self._stop = False
        self._error: BaseException | None = None
        self._stillborn = 0
        self._number = 0
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def submit(self, key: int, sha256: str) -> None:
        """Read the stored message `sha256` (submission `key`) in a worker."""
        with self._lock:
            self._raise()
            self._waiting.append(_Task(key, sha256))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="workers", daemon=True)
                self._thread.start()
        os.write(self._wake_write, b".")

    def done(self, keys: list[int]) -> bool:
        with self._lock:
            self._raise()
            return all(key in self._done for key in keys)

    def take(self, keys: list[int]) -> dict[int, Outcome]:
        """Wait for these submissions' outcomes, and hand them over."""
        with self._changed:
            while True:
                self._raise()
                if all(key in self._done for key in keys):
                    return {key: self._done.pop(key) for key in keys}
                self._changed.wait(timeout=1.0)

    def close(self) -> None:
        with self._lock:
            self._stop = True
        os.write(self._wake_write, b".")
        if self._thread is not None:
            self._thread.join()
        for worker in self._workers:  # every worker sees its end of input at once, then we wait
            if worker.process.stdin is not None:
                with contextlib.suppress(OSError):
                    worker.process.stdin.close()
        for worker in self._workers:
            _stop(worker)
        self._workers.clear()
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _raise(self) -> None:
        if self._error is not None:
            raise WorkersBroken(str(self._error)) from self._error

    # The thread: everything below runs in it.

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._wake_read, selectors.EVENT_READ, None)
        try:
            while True:
                with self._lock:
                    if self._stop:
                        return
                    self._dispatch(selector)
                for key, _ in selector.select(self._timeout()):
                    if key.data is None:
                        os.read(self._wake_read, 4096)
                    else:
                        self._read(key.data, selector)
                self._overdue(selector)
        except BaseException as exc:  # handed to the daemon's thread and raised there
            log.exception("the worker pool stopped")
            with self._changed:
                self._error = exc
                self._changed.notify_all()
        finally:
            selector.close()

    def _dispatch(self, selector: selectors.BaseSelector) -> None:
        """Hand waiting messages out, to the least busy worker; start another worker when
        every one has AHEAD messages (a poll of a few messages needs one process, not all)."""
        while self._waiting:
            worker = min(
                (w for w in self._workers if len(w.queued) < AHEAD),
                key=lambda w: len(w.queued),
                default=None,
            )
            if worker is None and len(self._workers) < self._size():
                worker = self._spawn(selector)  # only when those running have enough ahead
            if worker is None:
                return
            task = self._waiting.popleft()
            self._number += 1
            line = {"n": self._number, "sha256": task.sha256, "skip": task.skip}
            try:
                assert worker.process.stdin is not None
                worker.process.stdin.write(json.dumps(line).encode() + b"\n")
                worker.process.stdin.flush()
            except OSError:  # it died while waiting: its EOF is read next, it is replaced then
                self._waiting.appendleft(task)
                return
            worker.queued.append((self._number, task))

    def _size(self) -> int:
        return self.limits.extraction_workers

    def _limit(self, step: object) -> float:
        """How long a step may take: a file, extraction_seconds; the message, PARSE_SECONDS
        (a 100 MB attachment is decoded and stored in that step, however slow the disk)."""
        return self.limits.extraction_seconds if isinstance(step, str) else PARSE_SECONDS

    def _timeout(self) -> float | None:
        ends = [w.since + self._limit(w.step) for w in self._workers if w.step is not _IDLE]
        if not ends:
            return None
        return max(0.0, min(ends) - time.monotonic())

    def _read(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        assert worker.process.stdout is not None
        chunk = os.read(worker.process.stdout.fileno(), 1 << 20)
        if not chunk:
            self._died(worker, selector, _how_it_ended(worker.process))
            return
        worker.buffer += chunk
        while b"\n" in worker.buffer:
            line, _, rest = bytes(worker.buffer).partition(b"\n")
            worker.buffer = bytearray(rest)
            try:
                self._answer(worker, json.loads(line))
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                self._died(worker, selector, f"it answered nonsense: {exc}")
                return

    def _answer(self, worker: _Worker, reply: dict[str, Any]) -> None:
        number, task = worker.queued[0]
        if reply["n"] != number:
            raise ValueError(f"answer {reply['n']} to task {number}")
        worker.spoke = True
        self._stillborn = 0
        if "at" in reply:
            worker.step = reply["at"]
            worker.since = time.monotonic()
            return
        outcome: Outcome
        if "failed" in reply:
            outcome = Failed(str(reply["failed"]))
        elif "later" in reply:
            outcome = Later(str(reply["later"]))
        else:
            outcome = Parsed(*decode(reply))
        worker.queued.popleft()
        worker.step = _IDLE
        self._deliver(task, outcome)

    def _overdue(self, selector: selectors.BaseSelector) -> None:
        for worker in list(self._workers):
            step = worker.step
            if step is not _IDLE and time.monotonic() - worker.since >= self._limit(step):
                self._died(worker, selector, "", timed_out=True)

    def _died(
        self,
        worker: _Worker,
        selector: selectors.BaseSelector,
        how: str,
        *,
        timed_out: bool = False,
    ) -> None:
        """A worker is gone (or must go): charge the step it was on, hand the rest out again."""
        elapsed = time.monotonic() - worker.since
        if not worker.spoke and not timed_out:
            self._stillborn += 1
            if self._stillborn >= STILLBORN:
                raise RuntimeError(
                    f"{STILLBORN} worker processes in a row ended before reading anything "
                    f"({how}); `{sys.executable} -m {WORKER}` must run in this environment: "
                    f"{_tail(worker.errors)}"
                )
        self._retire(worker, selector)
        requeue = [task for _, task in worker.queued]
        if worker.step is not _IDLE and requeue:
            task = requeue.pop(0)
            outcome = self._charge(task, worker.step, how, elapsed, timed_out=timed_out)
            if outcome is None:
                requeue.insert(0, task)
            else:
                self._deliver(task, outcome)
        with self._lock:
            self._waiting.extendleft(reversed(requeue))

    def _charge(
        self, task: _Task, step: object, how: str, elapsed: float, *, timed_out: bool
    ) -> Outcome | None:
        """What the step a worker died on costs: a file is read no more (its message is read
        again without it); the message itself is set aside after a time-out or MAX_DEATHS."""
        limit = f"{self.limits.extraction_seconds:g} s"
        if isinstance(step, str):
            task.skip[step] = (
                (
                    "timed_out",
                    f"no result after {limit} (extraction_seconds); the reader was stopped",
                    elapsed,
                )
                if timed_out
                else ("failed", f"the reader crashed ({how})", elapsed)
            )
            return None
        if timed_out:
            return Failed(f"parsing took longer than {PARSE_SECONDS:g} s; set aside")
        task.deaths += 1
        log.warning("%s: parsing it stopped a worker process (%s)", task.sha256[:12], how)
        if task.deaths >= MAX_DEATHS:
            times = task.deaths
            return Failed(f"parsing stopped its worker process {times} times ({how}); set aside")
        return None

    def _deliver(self, task: _Task, outcome: Outcome) -> None:
        with self._changed:
            self._done[task.key] = outcome
            self._changed.notify_all()

    def _spawn(self, selector: selectors.BaseSelector) -> _Worker:
        errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _stop with the worker)
        process = subprocess.Popen(
            [sys.executable, "-m", WORKER, self._config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,  # its own process group: a kill takes antiword with it
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
        worker = _Worker(process, errors)
        self._workers.append(worker)
        self.started += 1
        assert process.stdout is not None
        selector.register(process.stdout, selectors.EVENT_READ, worker)
        log.debug("worker %d started", process.pid)
        return worker

    def _retire(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        if worker.process.stdout is not None:
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(worker.process.stdout)
        _stop(worker, kill=True)
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


def _tail(errors: IO[bytes]) -> str:
    with contextlib.suppress(OSError, ValueError):
        errors.seek(0)
        return errors.read()[-2000:].decode("utf-8", "replace").strip()
    return ""


def _stop(worker: _Worker, *, kill: bool = False) -> None:
    """End a worker: close its input and let it go, or kill its whole group at once."""
    process = worker.process
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
    for stream in (process.stdin, process.stdout, worker.errors):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
