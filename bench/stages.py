"""One measured stage, run alone in a fresh process by bench.run (which reads its peak RSS).

    python -m bench.stages STAGE '{"json": "arguments"}' RESULT.json

Each stage times only its work (not imports, not opening the store) and writes a JSON
object to RESULT.json: at least `items` (messages or pages), `seconds` and `cpu_seconds`.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

# The consultation every stage uses: comments received 1 Oct - 20 Nov 2010.
POLL_TIME = datetime(2010, 11, 21, 12, 0, tzinfo=UTC)
CONSULTATION = {
    "title": "Consultations on enhanced cooperation",
    "reference": "DESA-10/3078",
    "address": "unpan@un.org",
    "timezone": "America/New_York",
    "deadline": "2010-11-15T23:59:59-05:00",
    "posting_date": "2010-12-01T00:00:00-05:00",
}
FETCH_BATCH = 500
PROFILE_ENV = "MAILROOM_BENCH_PROFILE"  # a file name: run the stage under cProfile, save there

Result = dict[str, Any]


class Clock:
    """Wall and CPU time of the measured work alone. CPU time counts this process and the
    worker processes it started and ended meanwhile (intake parses in workers); it barely
    moves when other work shares the machine, so its ratios are the steadier ones."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = _cpu()

    def stop(self) -> dict[str, float]:
        return {"seconds": time.perf_counter() - self.wall, "cpu_seconds": _cpu() - self.cpu}


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _maildir_files(maildir: Path) -> list[Path]:
    files: list[Path] = []
    for sub in ("cur", "new"):
        directory = maildir / sub
        if directory.is_dir():
            files.extend(sorted(directory.iterdir()))
    return files


def parse_floor(args: dict[str, Any]) -> Result:
    """Baseline A: read each file, stdlib modern parser, walk and decode every part."""
    files = _maildir_files(Path(args["maildir"]))
    clock = Clock()
    total = 0
    for path in files:
        data = path.read_bytes()
        total += len(data)
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        for header in ("subject", "from", "date", "message-id"):
            message.get(header)
        for part in message.walk():
            if part.is_multipart():
                continue
            if part.get_content_maintype() == "text":
                part.get_content()
            else:
                part.get_payload(decode=True)
    return {"items": len(files), "bytes": total, **clock.stop()}


def parser_floor(args: dict[str, Any]) -> Result:
    """The intake floor: mail-parser alone in one process, as a plain program would use it
    (parse_from_bytes, then the body and every attachment's decoded payload)."""
    import logging

    import mailparser

    logging.getLogger("mailparser").setLevel(logging.ERROR)  # one warning per odd part
    files = _maildir_files(Path(args["maildir"]))
    clock = Clock()
    total = failed = 0
    for path in files:
        data = path.read_bytes()
        total += len(data)
        try:
            mail = mailparser.parse_from_bytes(data)
            total += len(mail.body)
            for attachment in mail.attachments:
                total += len(attachment["payload"])
        except Exception:  # what the floor cannot read costs it nothing, as it would anyone
            failed += 1
    return {"items": len(files), "bytes": total, "failed": failed, **clock.stop()}


def parse_mailroom(args: dict[str, Any]) -> Result:
    """Mailroom's pure parser alone (ingest.parse_message): parse's share of ingest."""
    from ingest import UnparseableMessage, parse_message

    files = _maildir_files(Path(args["maildir"]))
    clock = Clock()
    failed = 0
    for path in files:
        try:
            parse_message(path.read_bytes())
        except UnparseableMessage:
            failed += 1
    return {"items": len(files), "failed": failed, **clock.stop()}


def _consultation() -> Any:
    from store import ConsultationSettings

    return ConsultationSettings.model_validate(CONSULTATION)


def _open(args: dict[str, Any]) -> Any:
    from store import StoreSettings, open_store

    return open_store(StoreSettings(url=args["database"], archive=Path(args["archive"])))


def ingest(args: dict[str, Any]) -> Result:
    """Mailroom: poll_once of a Maildir or IMAP folder into a new store: archive, record, parse,
    read attachment text, and apply the consultation's rules (post-moderation, late comments
    published), as `mailroom poll` does."""
    from ingest import IntakeRules, LimitSettings, MailboxSettings, poll_once
    from ingest.rule_settings import ModerationSettings

    store = _open(args)
    mailbox = MailboxSettings.model_validate(args["mailbox"])
    consultation = _consultation()
    rules = IntakeRules(consultation, moderation=ModerationSettings(mode="post", late="publish"))
    try:
        clock = Clock()
        report = poll_once(
            mailbox,
            store,
            prefix=consultation.submission_prefix,
            now=lambda: POLL_TIME,
            limits=LimitSettings(),
            rules=rules,
        )
        timing = clock.stop()
    finally:
        store.close()
    return {
        "items": report.fetched,
        **timing,
        "new_submissions": report.new_submissions,
        "parsed": report.parsed,
        "failed": report.failed,
        "errors": report.errors,
    }


def publish(args: dict[str, Any]) -> Result:
    """Mailroom: build_site of an ingested store, the clock a day after the posting date."""
    from publish import SiteSettings, build_site

    store = _open(args)
    consultation = _consultation()
    site = SiteSettings(output=Path(args["output"]))
    try:
        clock = Clock()
        report = build_site(
            store, consultation, site, consultation.posting_date + timedelta(days=1)
        )
        timing = clock.stop()
    finally:
        store.close()
    return {
        "items": report.pages,
        **timing,
        "submissions": report.submissions,
        "attachments": report.attachments,
        "published": report.published,
        "written": report.written,
        "unchanged": report.unchanged,
    }


CHANGE_REASON = "benchmark: a publish after a few changes"


def publish_changes(args: dict[str, Any]) -> Result:
    """Mailroom: an operator hides or renames `changes` published submissions spread over the
    consultation (store.moderation, as `mailroom hide` and `mailroom edit` do), then build_site
    publishes again over the full build already in `output`. Only that publish is timed."""
    from publish import SiteSettings, build_site
    from publish.due import is_published
    from store.models import Moderation
    from store.moderation import decide, edit_public, find_for_update

    store = _open(args)
    consultation = _consultation()
    now = consultation.posting_date + timedelta(days=1, hours=1)
    wanted = int(args["changes"])
    total = int(args["messages"])
    changed: list[str] = []
    try:
        with store.session() as session:
            step = max(1, total // wanted)
            for number in [*range(step // 2 + 1, total + 1, step), *range(1, total + 1)]:
                if len(changed) == wanted:
                    break
                row = find_for_update(session, str(number))
                if row is None or not is_published(row) or row.reference in changed:
                    continue
                if len(changed) % 2 == 0:
                    decide(
                        session,
                        row,
                        Moderation.HIDDEN,
                        by="bench",
                        at=now,
                        reason=CHANGE_REASON,
                        action="hide",
                    )
                else:
                    edit_public(
                        session, row, by="bench", at=now, name=f"Renamed {number}", reason=None
                    )
                changed.append(row.reference)
            session.commit()
        site = SiteSettings(output=Path(args["output"]))
        clock = Clock()
        report = build_site(store, consultation, site, now)
        timing = clock.stop()
    finally:
        store.close()
    return {
        "items": report.pages,
        **timing,
        "changed": changed,
        "submissions": report.submissions,
        "published": report.published,
        "written": report.written,
        "unchanged": report.unchanged,
        "errors": [] if len(changed) == wanted else [f"changed {len(changed)} of {wanted}"],
    }


MHONARC = "mhonarc"
MHONARC_MISSING = "MHonArc not installed: apt-get install mhonarc"


def mhonarc(args: dict[str, Any]) -> Result:
    """What an archive operator would use: Debian's MHonArc building its archive (a page per
    message, the indexes, attachments as files) from an mbox of the same messages."""
    command = shutil.which(MHONARC)
    if command is None:
        return {"items": 0, "seconds": 0, "cpu_seconds": 0, "errors": [MHONARC_MISSING]}
    outdir = Path(args["outdir"])
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    clock = Clock()
    subprocess.run([command, "-outdir", str(outdir), "-quiet", args["mbox"]], check=True)
    timing = clock.stop()
    pages = sum(1 for _ in outdir.glob("msg*.html"))
    return {"items": pages, **timing}


def reparse(args: dict[str, Any]) -> Result:
    """Mailroom: reparse_all, every record rebuilt from the archive."""
    from ingest import reparse_all

    store = _open(args)
    try:
        clock = Clock()
        parsed, failed = reparse_all(store, POLL_TIME)
        timing = clock.stop()
    finally:
        store.close()
    return {"items": parsed + failed, "parsed": parsed, "failed": failed, **timing}


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ reference }}: {{ subject }}</title></head>
<body><h1>{{ subject }}</h1><p>{{ reference }} &middot; {{ sender }}</p>
<pre>{{ body }}</pre></body></html>
"""
INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comments</title></head>
<body><h1>{{ total }} comments</h1></body></html>
"""


def _rows(database: str) -> Iterator[tuple[str, str, str, str]]:
    """Submissions straight from the SQLite file with the standard library, streamed."""
    path = database.removeprefix("sqlite:///")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = connection.execute(
            "SELECT reference, coalesce(subject, ''), coalesce(sender_name, ''), "
            "coalesce(body_text, '') FROM submission ORDER BY number"
        )
        yield from cursor
    finally:
        connection.close()


def render_floor(args: dict[str, Any]) -> Result:
    """Baseline C: plain Jinja2 (autoescaped), one minimal page per submission, render + write."""
    from jinja2 import Environment

    environment = Environment(autoescape=True)
    page = environment.from_string(PAGE)
    out = Path(args["output"])
    clock = Clock()
    count = 0
    for reference, subject, sender, body in _rows(args["database"]):
        folder = out / "submissions" / reference.replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            page.render(reference=reference, subject=subject, sender=sender, body=body),
            encoding="utf-8",
        )
        count += 1
    (out / "index.html").write_text(environment.from_string(INDEX).render(total=count))
    return {"items": count + 1, **clock.stop()}


def fetch_floor(args: dict[str, Any]) -> Result:
    """Baseline B: imapclient UID FETCH BODY.PEEK[] of the whole folder, 500 UIDs a batch."""
    from imapclient import IMAPClient

    clock = Clock()
    client = IMAPClient(args["host"], port=args["port"], ssl=False, timeout=60)
    client.login(args["user"], os.environ[args["password_env"]])
    client.select_folder(args["folder"], readonly=True)
    uids = sorted(client.search("ALL"))
    total = count = 0
    for start in range(0, len(uids), FETCH_BATCH):
        response = client.fetch(uids[start : start + FETCH_BATCH], ["BODY.PEEK[]"])
        for item in response.values():
            total += len(item[b"BODY[]"])
            count += 1
    client.logout()
    return {"items": count, "bytes": total, **clock.stop()}


STAGES: dict[str, Callable[[dict[str, Any]], Result]] = {
    "parse_floor": parse_floor,
    "parser_floor": parser_floor,
    "parse_mailroom": parse_mailroom,
    "ingest": ingest,
    "publish": publish,
    "reparse": reparse,
    "publish_changes": publish_changes,
    "mhonarc": mhonarc,
    "render_floor": render_floor,
    "fetch_floor": fetch_floor,
}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STAGES:
        print(f"usage: python -m bench.stages {{{','.join(STAGES)}}} JSON RESULT", file=sys.stderr)
        return 2
    name, raw, target = argv
    profile = os.environ.get(PROFILE_ENV)
    if profile:  # where the time goes, for pstats or snakeviz; it slows Python code ~2x
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(STAGES[name], json.loads(raw))
        profiler.dump_stats(profile)
    else:
        result = STAGES[name](json.loads(raw))
    Path(target).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
