"""The consultation's rules read every message of ../shared/corpus/peer without failing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from ingest import poll_once
from ingest.rule_settings import IntakeRules, ModerationSettings
from store import ConsultationSettings, Store
from store.models import Submission, SubmissionStatus
from tests.conftest import CORPUS, maildir
from tests.test_corpus import MBOX_FILES, corpus_files


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/peer is not on this machine")
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the headers, not the database
def test_every_parsed_corpus_message_is_judged(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    single = [p for p in corpus_files() if p.name not in MBOX_FILES]
    now = datetime(2010, 11, 20, tzinfo=UTC)
    report = poll_once(
        maildir(tmp_path / "Maildir", [p.read_bytes() for p in single]),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: now,
        rules=IntakeRules(consultation, moderation=ModerationSettings(mode="post")),
    )
    assert report.errors == [] and report.rules is not None
    with store.reader() as session:
        parsed = session.exec(
            select(Submission).where(Submission.status == SubmissionStatus.PARSED)
        ).all()
        unjudged = session.exec(
            select(Submission.reference).where(
                Submission.status == SubmissionStatus.PARSED,
                col(Submission.classified_at).is_(None),
            )
        ).all()
    assert unjudged == [] and report.rules.judged == len(parsed) >= 250
    held = sum(1 for s in parsed if s.hold_reasons)
    print(f"\ncorpus with rules: {len(parsed)} judged, {held} held (spam, DMARC, automatic)")
