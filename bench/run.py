"""Mailroom's benchmark: every stage against a plain baseline measured in the same run.

    python -m bench.run [--messages 10000] [--quick] [--out bench/out]

Generates a mailbox of --messages comments (4N) and its first quarter (N), then runs each
stage in a fresh process and reads that process's peak RSS from the kernel (wait4):

  P  parser floor   mail-parser alone, one process: parse_from_bytes, body and attachments
  A  parse floor    read each file, stdlib parser (policy.default), walk, decode every part
  B  fetch floor    imapclient UID FETCH BODY.PEEK[] of the folder, 500 UIDs a batch
  C  render floor   plain Jinja2, one minimal page per submission, render + write

  Mailroom ingest   poll_once: Maildir -> SQLite, Maildir -> PostgreSQL, IMAP (Dovecot) -> SQLite
  M  MHonArc         Debian's mhonarc building its archive from an mbox of the same 4N messages

  Mailroom publish  build_site of the ingested store, clock after the posting date
  Mailroom publish after 10 changes   10 submissions hidden or renamed, then build_site again
  Mailroom reparse  reparse_all of the ingested store

Writes OUT/report.json and prints a Markdown table with rates, ratios and peak RSS, and the
target checks. Speed is reported as ratios because the machine's speed is not ours to fix.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.fixtures import (
    ROOT,
    corpus_mbox,
    postgres_schema,
    prefix_maildir,
    prepare_corpus,
    seeded_dovecot,
    sqlite_store,
)
from bench.report import (
    CHANGES_TARGET,
    INTAKE_TARGET,
    PUBLISH_TARGET,
    SECONDARY_TARGET,
    Row,
    render_report,
    target_checks,
)
from bench.stages import MHONARC, MHONARC_MISSING, PROFILE_ENV

POSTGRES_URL = os.environ.get(
    "MAILROOM_BENCH_POSTGRES_URL",
    os.environ.get(
        "MAILROOM_TEST_POSTGRES_URL",
        f"postgresql+psycopg://{getpass.getuser()}@127.0.0.1:5432/test",
    ),
)
SKIPPABLE = ("postgresql", "imap", "publish", "mhonarc", "reparse", "parse")
CHANGES = 10  # submissions hidden or renamed before the second publish
PASSWORD_ENV = "MAILROOM_BENCH_IMAP_PASSWORD"  # noqa: S105 (a variable's name, not a secret)


@dataclass
class Measured:
    """What one stage process reported, with its peak RSS and wall time seen from outside."""

    stage: str
    label: str
    messages: int
    result: dict[str, Any]
    peak_rss_mb: float
    wall_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Items per second of wall-clock time."""
        seconds = float(self.result["seconds"])
        return float(self.result["items"]) / seconds if seconds > 0 else 0.0

    @property
    def cpu_rate(self) -> float:
        """Items per second of the process's own CPU time."""
        seconds = float(self.result["cpu_seconds"])
        return float(self.result["items"]) / seconds if seconds > 0 else 0.0


def per_message(measured: Measured) -> Measured:
    """A stage's numbers counted in messages of the mailbox rather than its own items (a
    publish counts pages): messages per second is what compares with MHonArc."""
    return Measured(
        measured.stage,
        measured.label,
        measured.messages,
        {**measured.result, "items": measured.messages},
        measured.peak_rss_mb,
        measured.wall_seconds,
        measured.extra,
    )


def pooled(label: str, runs: list[Measured]) -> Measured:
    """Several runs of one stage as one: items and times added up, the highest peak RSS."""
    result = {
        key: sum(float(run.result[key]) for run in runs)
        for key in ("items", "seconds", "cpu_seconds")
    }
    return Measured(
        runs[0].stage,
        label,
        sum(run.messages for run in runs),
        result,
        max(run.peak_rss_mb for run in runs),
        sum(run.wall_seconds for run in runs),
        {
            "runs": [
                {"label": run.label, "rate": run.rate, "cpu_rate": run.cpu_rate} for run in runs
            ]
        },
    )


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_stage(
    stage: str,
    label: str,
    args: dict[str, Any],
    out: Path,
    messages: int,
    *,
    profile: bool = False,
) -> Measured:
    """Run `python -m bench.stages STAGE` in a fresh process; peak RSS comes from wait4."""
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    slug = label.lower().replace(" ", "-").replace(">", "").replace("/", "-")
    result_file = logs / f"{slug}.json"
    result_file.unlink(missing_ok=True)
    log(f"- {label} ...")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with (logs / f"{slug}.log").open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.stages", stage, json.dumps(args), str(result_file)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                **({PROFILE_ENV: str(logs / f"{slug}.prof")} if profile else {}),
            },
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0 or not result_file.exists():
        tail = (logs / f"{slug}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"stage {label} failed (exit {process.returncode}):\n{tail}")
    result = json.loads(result_file.read_text())
    wrong = _wrong(stage, result, messages)
    if wrong:
        raise RuntimeError(f"stage {label} did not do the whole job: {wrong}; see {logs}")
    measured = Measured(stage, label, messages, result, usage.ru_maxrss / 1024, wall)
    measured.extra["load_before"] = load
    log(
        f"  {measured.rate:,.0f}/s, {measured.result['seconds']:.1f} s, "
        f"peak RSS {measured.peak_rss_mb:.0f} MB"
    )
    return measured


def _wrong(stage: str, result: dict[str, Any], messages: int) -> str:
    """Why a stage's numbers cannot be trusted (it skipped work or met errors), or ""."""
    if result.get("errors"):
        return "; ".join(result["errors"])
    if stage in ("publish", "publish_changes"):
        return "" if result["published"] and result["submissions"] > 0 else "nothing published"
    expected = messages + 1 if stage == "render_floor" else messages
    if result["items"] != expected:
        return f"{result['items']} items, expected {expected}"
    return ""


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except RuntimeError as exc:  # a stage failed or a server is missing: say which, no traceback
        log(f"benchmark stopped: {exc}")
        return 2


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Mailroom's benchmark: rates and peak RSS against same-run baselines.",
    )
    parser.add_argument(
        "--messages", type=int, default=10_000, help="the large mailbox (4N); N is a quarter of it"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=None,
        help="the small mailbox N, a prefix of the large one (default a quarter of it); "
        "--messages 100000 --small 10000 checks the issue's memory target at those sizes",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1,000 messages: a smoke run, not a measurement"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out", help="corpus, logs and report.json"
    )
    parser.add_argument("--seed", type=int, default=1, help="which generated mailbox")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="server for the PostgreSQL ingest")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: postgresql, imap, publish, mhonarc, reparse, parse (the parser "
        "alone and the floors on the whole corpus); e.g. publish,parse for a lean intake run",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep OUT/work (stores, sites) afterwards"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each stage under cProfile (OUT/logs/*.prof); rates are then not comparable",
    )
    args = parser.parse_args(argv)
    large = 1_000 if args.quick else args.messages
    if large < 40:
        parser.error("--messages must be at least 40")
    small = large // 4 if args.small is None or args.quick else args.small
    if not 10 <= small <= large:
        parser.error(f"--small must be between 10 and --messages ({large:,})")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(SKIPPABLE)
    if unknown:
        parser.error(f"--skip knows {', '.join(SKIPPABLE)}, not {', '.join(sorted(unknown))}")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "work", ignore_errors=True)
    shutil.rmtree(out / "logs", ignore_errors=True)

    started = time.perf_counter()
    load_before = os.getloadavg()
    corpus_summary = prepare_corpus(out, large, args.seed, log)
    big = out / "corpus" / "Maildir"
    little = prefix_maildir(out, small)
    rows: list[Row] = []
    measured: list[Measured] = []
    notes: list[str] = []

    def stage(
        stage_name: str,
        label: str,
        stage_args: dict[str, Any],
        messages: int,
    ) -> Measured:
        m = run_stage(stage_name, label, stage_args, out, messages, profile=args.profile)
        measured.append(m)
        return m

    def maildir_box(path: Path) -> dict[str, str]:
        return {"name": "bench", "url": f"maildir:{path}"}

    # The intake floor P (mail-parser alone, one process) runs on the whole corpus first and
    # last, and on the first N messages right before each intake stage it is compared with:
    # other work on a shared machine drifts, and a yardstick measured next to the stage
    # drifts with it. Baseline A (the standard library's parser) is kept for the parser alone.
    floor_runs: list[Measured] = []

    def parser_floor(label: str, maildir: Path, messages: int) -> Measured:
        run = stage("parser_floor", label, {"maildir": str(maildir)}, messages)
        floor_runs.append(run)
        return run

    floor_a: Measured | None = None
    if "parse" not in skip:  # the parser alone, and the floors on the whole corpus
        parser_floor("P parser floor", big, large)
        floor_a = stage("parse_floor", "A parse floor", {"maildir": str(big)}, large)
        parse_only = stage("parse_mailroom", "Mailroom parse", {"maildir": str(big)}, large)
        rows.append(Row("Mailroom parse_message only (no store)", parse_only, floor_a, "msg/s"))

    small_store = sqlite_store(out, "sqlite-small")
    ingest_small = stage(
        "ingest", "ingest Maildir SQLite N", {**small_store, "mailbox": maildir_box(little)}, small
    )
    large_store = sqlite_store(out, "sqlite")
    near = parser_floor("P parser floor before SQLite ingest", little, small)
    ingest_large = stage(
        "ingest", "ingest Maildir SQLite 4N", {**large_store, "mailbox": maildir_box(big)}, large
    )
    rows.append(
        Row("Mailroom ingest: Maildir -> SQLite", ingest_large, near, "msg/s", target=INTAKE_TARGET)
    )

    if "postgresql" not in skip:
        with postgres_schema(args.postgres) as url:
            archive = str(out / "work" / "postgresql" / "archive")
            near = parser_floor("P parser floor before PostgreSQL ingest", little, small)
            pg = stage(
                "ingest",
                "ingest Maildir PostgreSQL 4N",
                {"database": url, "archive": archive, "mailbox": maildir_box(big)},
                large,
            )
        rows += [
            Row("Mailroom ingest: Maildir -> PostgreSQL", pg, near, "msg/s"),
            Row(
                "Mailroom ingest: PostgreSQL (vs Maildir -> SQLite)",
                pg,
                ingest_large,
                "msg/s",
                target=SECONDARY_TARGET,
            ),
        ]

    if "imap" not in skip:
        with seeded_dovecot(big) as (server, seed_seconds):
            log(f"- dovecot seeded with {large:,} files in {seed_seconds:.1f} s")
            os.environ[PASSWORD_ENV] = server.password
            imap_args = {
                "host": server.host,
                "port": server.imap_port,
                "user": server.user,
                "password_env": PASSWORD_ENV,
                "folder": "INBOX",
            }
            floor_b = stage("fetch_floor", "B fetch floor", imap_args, large)
            box = {
                "name": "bench-imap",
                "url": f"imap://{server.user}@{server.host}:{server.imap_port}/INBOX",
                "password_env": PASSWORD_ENV,
            }
            near = parser_floor("P parser floor before IMAP ingest", little, small)
            imap = stage(
                "ingest",
                "ingest IMAP SQLite 4N",
                {**sqlite_store(out, "imap"), "mailbox": box},
                large,
            )
        rows += [
            Row("B: fetch floor (imapclient UID FETCH, 500 a batch)", floor_b, None, "msg/s"),
            Row("Mailroom ingest: IMAP -> SQLite (vs fetch floor)", imap, floor_b, "msg/s"),
            Row("Mailroom ingest: IMAP -> SQLite", imap, near, "msg/s"),
            Row(
                "Mailroom ingest: IMAP (vs Maildir -> SQLite)",
                imap,
                ingest_large,
                "msg/s",
                target=SECONDARY_TARGET,
            ),
        ]
        shutil.rmtree(out / "work" / "imap", ignore_errors=True)

    memory = {"ingest": (ingest_small, ingest_large)}
    if "publish" not in skip:
        floor_c = stage(
            "render_floor",
            "C render floor",
            {"database": large_store["database"], "output": str(out / "work" / "floor-site")},
            large,
        )
        rows.append(
            Row("C: render floor (plain Jinja2, one page per message)", floor_c, None, "pages/s")
        )
        shutil.rmtree(out / "work" / "floor-site", ignore_errors=True)
        publish_small = stage(
            "publish",
            "publish N",
            {**small_store, "output": str(out / "work" / "site-small" / "public")},
            small,
        )
        mhonarc = archive_baseline(skip, notes, stage, out, large)
        site = {**large_store, "output": str(out / "work" / "site" / "public")}
        publish_large = stage("publish", "publish 4N", site, large)
        changes = stage(
            "publish_changes",
            f"publish after {CHANGES} changes 4N",
            {**site, "changes": CHANGES, "messages": large},
            large,
        )
        rows.append(Row("Mailroom publish: build_site", publish_large, floor_c, "pages/s"))
        if mhonarc is not None:
            rows += [
                Row("M: MHonArc (mbox -> archive, Debian's mhonarc)", mhonarc, None, "msg/s"),
                Row(
                    "Mailroom publish, full (vs MHonArc)",
                    per_message(publish_large),
                    mhonarc,
                    "msg/s",
                    target=PUBLISH_TARGET,
                ),
            ]
        rows.append(
            Row(
                f"Mailroom publish after {CHANGES} changes (time vs full publish)",
                per_message(changes),
                per_message(publish_large),
                "msg/s",
                target=CHANGES_TARGET,
                compare="time",
            )
        )
        memory["publish"] = (publish_small, publish_large)
        notes.append(
            f"publish after {CHANGES} changes: {changes.result['written']:,} files rendered "
            f"anew, {changes.result['unchanged']:,} linked from the full build "
            f"(which wrote {publish_large.result['written']:,})."
        )
    if "reparse" not in skip:
        near = parser_floor("P parser floor before reparse", little, small)
        reparse = stage("reparse", "reparse 4N", large_store, large)
        rows.append(Row("Mailroom reparse: reparse_all", reparse, near, "msg/s"))
    if "parse" not in skip:
        parser_floor("P parser floor again", big, large)
    floor_p = pooled("P parser floor, all runs", floor_runs)
    rows[:0] = [Row("P: parser floor (mail-parser alone, one process)", floor_p, None, "msg/s")]
    if floor_a is not None:
        rows.insert(
            1, Row("A: parse floor (stdlib policy.default, walk, decode)", floor_a, None, "msg/s")
        )

    checks = target_checks(rows, memory)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_before": load_before,
            "load_after": os.getloadavg(),
        },
        "messages": {"N": small, "4N": large, "seed": args.seed},
        "profiled": args.profile,
        "corpus": corpus_summary,
        "stages": [{**asdict(m), "rate": m.rate, "cpu_rate": m.cpu_rate} for m in measured],
        "rows": [row.as_json() for row in rows],
        "memory": {
            name: {"N": a.peak_rss_mb, "4N": b.peak_rss_mb, "ratio": b.peak_rss_mb / a.peak_rss_mb}
            for name, (a, b) in memory.items()
        },
        "checks": checks,
        "notes": notes,
        "parser_floor_runs": floor_p.extra.get("runs", []),
        "seconds": time.perf_counter() - started,
    }
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(render_report(report, rows, small, large))
    if not args.keep:
        shutil.rmtree(out / "work", ignore_errors=True)
    return 1 if args.strict and not all(check["pass"] for check in checks) else 0


def archive_baseline(
    skip: set[str],
    notes: list[str],
    stage: Callable[[str, str, dict[str, Any], int], Measured],
    out: Path,
    messages: int,
) -> Measured | None:
    """MHonArc on an mbox of the large mailbox, or None (and a note) when it is not here."""
    if "mhonarc" in skip:
        return None
    if shutil.which(MHONARC) is None:
        log(f"- {MHONARC_MISSING}; its line and the publish ratio to it are left out")
        notes.append(f"{MHONARC_MISSING} (the full publish's ratio to it is left out).")
        return None
    mbox = corpus_mbox(out)
    archive = out / "work" / "mhonarc"
    measured = stage("mhonarc", "M MHonArc", {"mbox": str(mbox), "outdir": str(archive)}, messages)
    shutil.rmtree(archive, ignore_errors=True)
    return measured


if __name__ == "__main__":
    sys.exit(main())
