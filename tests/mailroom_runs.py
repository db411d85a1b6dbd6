"""Real `mailroom` processes, watched through their verbose log, and killed (tests/fault_campaign).

Each step of a pass logs a line at INFO (`-v`): the mailbox read, the records handed to
the workers, the rules judging, the receipts, the themes and the site build. MARKERS name
the phase each line starts; a killed process's last such line says where the kill landed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PHASES = ("start", "poll", "parse", "rules", "receipts", "publish", "idle")
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("poll", re.compile(r"ingest\.poll: mailbox=\S+ (folder=|key=)")),
    ("parse", re.compile(r"ingest\.submissions: records: \d+ (stored messages handed|set aside)")),
    ("rules", re.compile(r"ingest\.classification: rules: judging")),
    ("receipts", re.compile(r"receipts: sending those due|receipt sent to the sender")),
    ("publish", re.compile(r"publish\.themes: themes: |publish\.site: site=\S+: building")),
    ("idle", re.compile(r"publish\.site: site=\S+: \d+ submissions published")),
]


@dataclass
class Run:
    """One `mailroom` process, its log lines read as they come, each with when it came."""

    command: str
    process: subprocess.Popen[str]
    lines: list[tuple[float, str]] = field(default_factory=list)
    stdout: str = ""
    started: float = field(default_factory=time.monotonic)
    changed: threading.Condition = field(default_factory=threading.Condition)
    reader: threading.Thread | None = None

    def phase(self) -> str:
        """The phase of the last step the process logged."""
        last = "start"
        for _, line in self.lines:
            for name, pattern in MARKERS:
                if pattern.search(line):
                    last = name
        return last

    def wait_for(self, phases: tuple[str, ...], timeout: float) -> tuple[str, float] | None:
        """Which of `phases` the process logged first, and when (monotonic); None if it ended
        first."""
        patterns = [(name, pattern) for name, pattern in MARKERS if name in phases]
        deadline = time.monotonic() + timeout
        seen = 0
        with self.changed:
            while True:
                for at, line in self.lines[seen:]:
                    for name, pattern in patterns:
                        if pattern.search(line):
                            return name, at
                seen = len(self.lines)
                if self.reader is not None and not self.reader.is_alive():
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(min(left, 0.5))

    def durations(self) -> dict[str, float]:
        """How long each phase took in this run: its first line to the next phase's."""
        firsts: list[tuple[str, float]] = []
        for at, line in self.lines:
            for name, pattern in MARKERS:
                if pattern.search(line) and name not in {n for n, _ in firsts}:
                    firsts.append((name, at))
        end = self.lines[-1][0] if self.lines else self.started
        spans = {}
        for i, (name, at) in enumerate(firsts):
            after = firsts[i + 1][1] if i + 1 < len(firsts) else end
            spans[name] = max(0.05, after - at)
        return spans


def start_run(command: str, args: list[str], cwd: Path) -> Run:
    """`python -m mailroom COMMAND -v ARGS`, in its own session, its log read by a thread."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mailroom", command, "-v", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    run = Run(command, process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            with run.changed:
                run.lines.append((time.monotonic(), line.rstrip("\n")))
                run.changed.notify_all()
        with run.changed:
            run.changed.notify_all()

    run.reader = threading.Thread(target=read, daemon=True)
    run.reader.start()
    return run


def kill(pid: int, whole: bool) -> None:
    """SIGKILL the process; with `whole`, its worker processes too, at the same moment (as
    systemd stops a unit, or a power cut); else they are left to notice alone."""
    victims = [pid, *(descendants(pid) if whole else [])]
    for victim in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
