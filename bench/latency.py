"""From delivery to stored record: how long a comment takes to reach the database.

    python -m bench.latency [--messages 10] [--poll-minutes 0.5] [--out bench/out]

Starts a private Dovecot and `mailroom run` (a real process, as an operator runs it), then
delivers comments one at a time over LMTP, as the consultation's mail server would, at
random moments, and times each from the start of the LMTP delivery to the moment its
record can be read from the database. Twice: with IDLE (poll interval one hour, so only
IDLE can bring the mail in), and with polling alone every --poll-minutes. Writes
OUT/latency.json and prints the medians and the worst.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fixtures import ROOT
from store import StoreSettings, open_store
from store.queries import mailbox_status

PASSWORD_ENV = "MAILROOM_BENCH_IMAP_PASSWORD"  # noqa: S105 (a variable's name, not a secret)
LOOK_EVERY = 0.01  # seconds between two looks at the database

CONFIG = """\
[consultation]
title = "Latency"
reference = "DESA-10/3078"
address = "unpan@un.org"
timezone = "America/New_York"
deadline = 2010-11-15
posting_date = 2010-12-01

[[mailbox]]
name = "inbox"
url = "imap://test@127.0.0.1:{port}/INBOX"
password_env = "{password_env}"
idle = {idle}

[store]
url = "sqlite:///mailroom.db"
archive = "archive"

[site]
output = "site"

[daemon]
poll_minutes = {poll_minutes}
"""


def comment(number: int) -> bytes:
    return (
        f"From: Sender {number} <sender{number}@example.org>\r\n"
        "To: unpan@un.org\r\n"
        f"Subject: Comment {number}\r\n"
        f"Message-ID: <latency-{number}-{time.time_ns()}@example.org>\r\n"
        "Date: Mon, 08 Nov 2010 10:00:00 -0500\r\n"
        "\r\n"
        f"This is comment {number}.\r\n"
    ).encode()


def stored(store: Any) -> int:
    with store.reader() as session:
        return sum(m.messages_stored for m in mailbox_status(session))


def measure(server: Any, mode: str, count: int, poll_minutes: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="latency-") as folder:
        work = Path(folder)
        (work / "config.toml").write_text(
            CONFIG.format(
                port=server.imap_port,
                password_env=PASSWORD_ENV,
                idle="true" if mode == "idle" else "false",
                poll_minutes=60 if mode == "idle" else poll_minutes,
            )
        )
        env = {**os.environ, PASSWORD_ENV: server.password}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "mailroom", "run", "--config", str(work / "config.toml"),
             "--now", "2010-11-20T12:00:00"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        times: list[float] = []
        try:
            store = _wait_for_store(work)
            held = stored(store)
            for number in range(1, count + 1):
                time.sleep(rng.uniform(0.5, 2.5 if mode == "idle" else 60 * poll_minutes))
                started = time.perf_counter()
                server.deliver_lmtp(comment(number))
                while stored(store) <= held:
                    if time.perf_counter() - started > 600:
                        raise RuntimeError(f"{mode}: message {number} not stored in 10 min")
                    time.sleep(LOOK_EVERY)
                times.append(time.perf_counter() - started)
                held += 1
                print(f"  {mode} #{number}: {times[-1]:.2f} s", flush=True)
            store.close()
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=60)
        if daemon.returncode != 0:
            raise RuntimeError(f"the daemon exited with {daemon.returncode}:\n{stderr[-2000:]}")
    return {
        "mode": mode,
        "poll_minutes": 60 if mode == "idle" else poll_minutes,
        "messages": count,
        "median_seconds": round(statistics.median(times), 3),
        "min_seconds": round(min(times), 3),
        "max_seconds": round(max(times), 3),
        "seconds": [round(t, 3) for t in times],
    }


def _wait_for_store(work: Path) -> Any:
    """The daemon's database, once its first poll has read the (empty) mailbox."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (work / "mailroom.db").exists():
            store = open_store(
                StoreSettings(url=f"sqlite:///{work / 'mailroom.db'}", archive=work / "archive"),
                upgrade=False,
            )
            try:
                with store.reader() as session:
                    if any(m.last_success_at for m in mailbox_status(session)):
                        return store
            except Exception:  # noqa: S110 (not migrated yet: look again)
                pass
            store.close()
        time.sleep(0.2)
    raise RuntimeError("the daemon did not complete its first poll in 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--poll-minutes", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.dovecot import start_dovecot

    server = start_dovecot()
    try:
        results = [
            measure(server, mode, args.messages, args.poll_minutes, args.seed)
            for mode in ("idle", "poll")
        ]
    finally:
        server.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latency.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n| pick-up | interval | messages | median | fastest | slowest |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['mode']} | {r['poll_minutes']} min | {r['messages']} | "
            f"{r['median_seconds']:.2f} s | {r['min_seconds']:.2f} s | {r['max_seconds']:.2f} s |"
        )


if __name__ == "__main__":
    main()
