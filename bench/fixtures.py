"""What the benchmark runs on: the corpus, fresh stores, a PostgreSQL schema, a Dovecot.

Each is made fresh for the run and removed afterwards (the corpus is kept and reused while
its size, seed and generator are unchanged).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import generate, write_mbox

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_FILES = (
    "generate.py",
    "message.py",
    "parts.py",
    "headers.py",
    "documents.py",
    "texts.py",
)
Log = Callable[[str], None]


def _generator_version() -> str:
    digest = hashlib.sha256()
    for name in GENERATOR_FILES:
        digest.update((ROOT / "bench" / name).read_bytes())
    return digest.hexdigest()[:16]


def prepare_corpus(out: Path, count: int, seed: int, log: Log) -> dict[str, Any]:
    """The 4N mailbox, generated once per (count, seed, generator) and then reused."""
    corpus = out / "corpus"
    stamp = corpus / "corpus.json"
    wanted = {"count": count, "seed": seed, "generator": _generator_version()}
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            log(f"corpus: reusing {count:,} messages in {corpus}")
            return dict(known["summary"])
    log(f"corpus: generating {count:,} messages ...")
    (corpus / "mailbox.mbox").unlink(missing_ok=True)
    summary = generate(count, corpus, seed=seed, jobs=os.cpu_count() or 1)
    stamp.write_text(json.dumps({**wanted, "summary": summary}, indent=2, ensure_ascii=False))
    log(
        f"  {summary['seconds']} s, {int(str(summary['bytes'])) / 1e6:.0f} MB, "
        f"median {summary['size_median']} B"
    )
    return summary


def corpus_mbox(out: Path) -> Path:
    """The whole corpus as one mbox, in the manifest's order, for MHonArc; written once per
    corpus (prepare_corpus removes it when it generates a new one)."""
    target = out / "corpus" / "mailbox.mbox"
    if not target.exists():
        with (out / "corpus" / "manifest.jsonl").open(encoding="utf-8") as manifest:
            rows = [json.loads(line) for line in manifest]
        partial = target.with_suffix(".partial")
        write_mbox(out / "corpus" / "Maildir" / "new", rows, partial)
        partial.replace(target)
    return target


def prefix_maildir(out: Path, count: int) -> Path:
    """The first `count` messages of the corpus (message i is the same in every size)."""
    target = out / "work" / "prefix" / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    source = out / "corpus" / "Maildir" / "new"
    with (out / "corpus" / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for number, line in enumerate(manifest):
            if number >= count:
                break
            name = json.loads(line)["file"]
            os.link(source / name, target / "new" / name)
    return target


def sqlite_store(out: Path, name: str) -> dict[str, str]:
    folder = out / "work" / name
    return {"database": f"sqlite:///{folder / 'mailroom.db'}", "archive": str(folder / "archive")}


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server, dropped afterwards whatever happens."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL at {url} is needed (or pass --skip postgresql): {exc}"
        ) from exc
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def seeded_dovecot(maildir: Path) -> Iterator[tuple[Any, float]]:
    """A private Dovecot whose INBOX holds the corpus, copied in as files (faster than APPEND)."""
    sys.path.insert(0, str(ROOT))
    from tests.dovecot import MAIL_UID, start_dovecot

    server = start_dovecot()
    try:
        started = time.perf_counter()
        with server.session() as client:
            client.select_folder("INBOX")  # makes the Maildir
        inbox = server.root / "mail" / server.user / "Maildir" / "new"
        inbox.mkdir(parents=True, exist_ok=True)
        for path in sorted((maildir / "new").iterdir()):
            target = inbox / path.name
            shutil.copyfile(path, target)
            if os.geteuid() == 0:
                os.chown(target, MAIL_UID, MAIL_UID)
        with server.session() as client:
            client.select_folder("INBOX", readonly=True)  # Dovecot indexes the new files here
        yield server, time.perf_counter() - started
    finally:
        server.stop()
