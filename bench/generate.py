"""A reproducible mailbox of consultation comments, for the benchmark.

    python -m bench.generate 10000 bench/out/corpus [--seed 1] [--mbox] [--jobs 2]

Writes `DIR/Maildir/new/` (one file per message, LF line endings), `DIR/manifest.jsonl` (what
each message is) and, with --mbox, `DIR/mailbox.mbox`. Message i depends only on (seed, i):
the output is byte-identical across runs and --jobs, and N messages are a prefix of 4N.

The mix follows ../shared/research/env-baselines.md: six UN languages (en 55 %, fr 12, es 12,
ru 8, ar 7, zh 6), about 15 % of bodies in a legacy charset, multipart/alternative 54 %,
plain 36 %, HTML only 10 %, attachments (PDF, DOCX, TXT) on about 30 %, a forwarded
message/rfc822 on about 1.4 %, no Message-ID on 1 %, no Received header on 3 %, sizes 2 KB to
300 KiB with a median near 7 KB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.message import MIN_SIZE, build_message

CHUNK = 250


def message_name(index: int, epoch: int, seed: int) -> str:
    """Maildir unique name; the index in it keeps the file's identity across runs."""
    return f"{epoch}.M{index:07d}P{seed}.bench"


def _write_chunk(job: tuple[Path, int, int, int]) -> list[dict[str, object]]:
    new, seed, start, stop = job
    rows: list[dict[str, object]] = []
    for index in range(start, stop):
        built = build_message(seed, index)
        path = new / message_name(index, built.epoch, seed)
        path.write_bytes(built.data)
        os.utime(path, (built.epoch, built.epoch))
        rows.append({"index": index, "file": path.name, "size": len(built.data), **built.facts})
    return rows


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, CHUNK):
        yield start, min(start + CHUNK, count)


def generate(
    count: int, out: Path, *, seed: int = 1, jobs: int = 2, mbox: bool = False
) -> dict[str, object]:
    """Write `count` messages under `out`; return a summary of the mix."""
    new = out / "Maildir" / "new"
    for sub in ("new", "cur", "tmp"):
        (out / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    for stale in new.iterdir():  # a smaller earlier run must not leave extra messages
        stale.unlink()
    started = time.perf_counter()
    work = [(new, seed, start, stop) for start, stop in _chunks(count)]
    rows: list[dict[str, object]] = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for chunk in pool.map(_write_chunk, work):
                rows.extend(chunk)
    else:
        for job in work:
            rows.extend(_write_chunk(job))
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for row in rows:
            manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
    if mbox:
        write_mbox(new, rows, out / "mailbox.mbox")
    summary = summarise(rows)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def write_mbox(new: Path, rows: list[dict[str, object]], target: Path) -> None:
    """mboxo, in index order: body lines starting `From ` (or `>From `) get one more `>`."""
    with target.open("wb") as handle:
        for row in rows:
            data = (new / str(row["file"])).read_bytes()
            epoch = int(str(row["file"]).split(".", 1)[0])
            stamp = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(epoch))
            handle.write(f"From bench@generator.example {stamp}\n".encode())
            handle.write(_FROM_LINE.sub(rb">\1", data))
            handle.write(b"\n" if data.endswith(b"\n") else b"\n\n")


def summarise(rows: list[dict[str, object]]) -> dict[str, object]:
    sizes = sorted(int(str(row["size"])) for row in rows)
    total = len(rows) or 1

    def share(key: str) -> dict[str, float]:
        counts: dict[str, int] = {}
        for row in rows:
            value = str(row[key])
            counts[value] = counts.get(value, 0) + 1
        return {
            k: round(100 * v / total, 1) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
        }

    return {
        "messages": len(rows),
        "bytes": sum(sizes),
        "size_min": sizes[0] if sizes else 0,
        "size_median": int(statistics.median(sizes)) if sizes else 0,
        "size_p90": sizes[math.floor(0.9 * (len(sizes) - 1))] if sizes else 0,
        "size_max": sizes[-1] if sizes else 0,
        "language_pct": share("lang"),
        "body_pct": share("body"),
        "legacy_charset_pct": round(100 * sum(1 for r in rows if r["legacy"]) / total, 1),
        "with_attachments_pct": round(100 * sum(1 for r in rows if r["attachments"]) / total, 1),
        "forwarded_pct": round(100 * sum(1 for r in rows if r["forwarded"]) / total, 1),
        "no_message_id_pct": round(100 * sum(1 for r in rows if not r["message_id"]) / total, 1),
        "no_received_pct": round(100 * sum(1 for r in rows if not r["received_header"]) / total, 1),
    }


def main(argv: list[str] | None = None) -> int:
    purpose = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=purpose)
    parser.add_argument("count", type=int, help="how many messages")
    parser.add_argument("out", type=Path, help="folder for Maildir/, manifest.jsonl, mailbox.mbox")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--mbox", action="store_true", help="also write mailbox.mbox")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be at least 1")
    summary = generate(args.count, args.out, seed=args.seed, jobs=args.jobs, mbox=args.mbox)
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
    print()
    if int(str(summary["size_min"])) < MIN_SIZE:
        print("a message is smaller than 2 KB: the generator is wrong", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
