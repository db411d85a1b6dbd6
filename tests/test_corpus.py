"""Every message in ../shared/corpus/peer becomes a submission or a recorded error."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from ingest import MailboxSettings, poll_once
from store import Store
from store.models import Problem, Submission, SubmissionStatus
from tests.conftest import CORPUS, maildir
from tests.formats_report import format_report

MBOX_FILES = {"mbox.rlug"}  # several messages in one file: read as mbox
NOTHING = "no sender, subject, text or attachment could be read"


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("MANIFEST.tsv",))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/peer is not on this machine")
def test_every_corpus_message_is_a_submission_or_a_recorded_error(
    tmp_path: Path, store: Store
) -> None:
    files = corpus_files()
    single = [p for p in files if p.name not in MBOX_FILES]
    mailbox = maildir(tmp_path / "Maildir", [p.read_bytes() for p in single])
    now = datetime(2010, 11, 20, tzinfo=UTC)
    report = poll_once(mailbox, store, prefix="DESA-10-3078", now=lambda: now)
    assert report.errors == []
    for number, path in enumerate(p for p in files if p.name in MBOX_FILES):
        box = MailboxSettings(name=f"mbox-{number}", url=f"mbox:{path}")
        assert poll_once(box, store, prefix="DESA-10-3078", now=lambda: now).errors == []

    distinct = {hashlib.sha256(p.read_bytes()).hexdigest() for p in single}
    by_sha = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in single}
    with store.session() as session:
        submissions = session.exec(select(Submission)).all()
        problems = session.exec(select(Problem)).all()
    stored = {s.sha256 for s in submissions}
    assert distinct <= stored, "a corpus message was not stored"
    failed = [s for s in submissions if s.status == SubmissionStatus.FAILED]
    parsed = [s for s in submissions if s.status == SubmissionStatus.PARSED]
    assert len(failed) + len(parsed) == len(submissions)  # nothing left unparsed
    assert {p.submission_id for p in problems} == {s.id for s in failed}
    print(
        f"\ncorpus: {len(files)} files, {len(submissions)} submissions "
        f"({len(distinct)} distinct single-message files + the mbox messages): "
        f"{len(parsed)} parsed cleanly, {len(failed)} recorded errors"
    )
    errors = {}
    for s in failed:
        name = by_sha[s.sha256].relative_to(CORPUS) if s.sha256 in by_sha else "(from an mbox)"
        print(f"  error {s.reference} {name}: {s.error}")
        errors[str(name)] = s.error
    with store.session() as session:
        print(format_report(session))
        parsers = Counter(s.parser for s in session.exec(select(Submission)))
    print(f"  parsed by: {dict(parsers)}")
    # Two messages hold nothing but MIME scaffolding; every other one is read, nine of them
    # only by the fallback or the repaired parse (mail-parser finds nothing or raises).
    assert (len(parsed), len(failed)) == (304, 2)
    assert errors == {
        "stalwartlabs-mail-parser/malformed/000.eml": NOTHING,
        "stalwartlabs-mail-parser/malformed/007.eml": NOTHING,
    }
    assert parsers["email"] + parsers["repaired"] >= 3
