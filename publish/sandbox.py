"""A worker process for the build's work on untrusted files: stripping and checking them.

pypdf, Pillow and python-docx meet hostile attachments here as the extraction
workers do at intake (ingest.extraction): a file that hangs its reader is given up
after `seconds` and its worker killed with its process group; one that makes a
library eat memory hits the worker's cap (RLIMIT_AS); one that crashes the worker
costs that file. Either way the caller gets SandboxFailure, withholds the file with
the reason, and a fresh worker takes the next one. The worker (`serve`, a task
a line in, an answer a line out) is started on first use
and kept for the build, so a publish that changes no attachment starts none.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import IO, Any

_WORKER = "import sys; from publish.sandbox import serve; serve(int(sys.argv[1]))"


class SandboxFailure(Exception):
    """The worker gave no answer for a file: it ran out of time or memory, or died."""


class Sandbox:
    def __init__(self, seconds: int, memory_mb: int) -> None:
        self.seconds = seconds
        self.memory_mb = memory_mb
        self._process: subprocess.Popen[bytes] | None = None
        self.started = 0  # worker processes started: tests read it

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def prepare(self, kind: str, policy: str, source: Path, target: Path) -> str | None:
        """Make `target` from `source` by `policy` and check it, in the worker: what it still
        holds (publish.privacy), or None. Raises CannotStrip or SandboxFailure."""
        from publish.stripping import CannotStrip

        task = {"kind": kind, "policy": policy, "source": str(source), "target": str(target)}
        reply = self._ask(task)
        if reply.get("cannot_strip"):
            raise CannotStrip(str(reply["cannot_strip"]))
        if reply.get("error"):
            raise SandboxFailure(str(reply["error"]))
        finding = reply.get("finding")
        return str(finding) if finding else None

    def _ask(self, task: dict[str, Any]) -> dict[str, Any]:
        process = self._worker()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(task).encode() + b"\n")
            process.stdin.flush()
        except OSError:
            self.close()
            raise SandboxFailure("the worker stopped before it was given the file") from None
        line = _read_line(process.stdout, time.monotonic() + self.seconds)
        if line is None:
            status = process.poll()
            self.close()
            if status is None:
                raise SandboxFailure(f"no answer within {self.seconds} s ([site.attachments])")
            raise SandboxFailure(f"the worker died (exit status {status})")
        try:
            reply = json.loads(line)
        except ValueError:
            self.close()
            raise SandboxFailure("the worker answered nonsense") from None
        if reply.get("stop"):
            self.close()  # it ran out of memory: a fresh one for the next file
        return reply if isinstance(reply, dict) else {}

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(self.memory_mb)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                start_new_session=True,  # its own process group: killed whole on a timeout
            )
            self.started += 1
        return self._process

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        process.wait()


def _read_line(stream: IO[bytes], deadline: float) -> bytes | None:
    """One line from the worker, or None when it does not come by `deadline`."""
    buffer = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return None
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return None
            buffer += chunk
            if buffer.endswith(b"\n"):
                return bytes(buffer)


def serve(memory_mb: int) -> None:
    """The worker: caps its own memory, then makes and checks one file per line of input."""
    from publish.privacy import inspect_path
    from publish.stripping import CannotStrip, copy_file, strip_file

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    logging.disable(logging.CRITICAL)  # libraries' complaints about broken files are not ours
    warnings.simplefilter("ignore")
    sys.setrecursionlimit(5000)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        task = json.loads(line)
        source, target = Path(task["source"]), Path(task["target"])
        reply: dict[str, Any] = {}
        try:
            if task["policy"] == "stripped":
                strip_file(task["kind"], source, target)
            else:
                copy_file(source, target)
            finding = inspect_path(target)
            reply["finding"] = str(finding) if finding is not None else None
        except CannotStrip as exc:
            reply["cannot_strip"] = str(exc)
        except MemoryError:
            reply.update(error=f"ran out of memory ([site.attachments] memory_mb = {memory_mb})")
            reply["stop"] = True
        except RecursionError:
            reply["error"] = "the file nests too deeply to read (RecursionError)"
        except Exception as exc:
            reply["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()
        if reply.get("stop"):
            return
