"""Intake writes a page of messages with a few statements, whatever the page holds: the number
of SQL statements grows with the pages, not with the messages (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from ingest import IntakeRules, poll_once
from ingest.rule_settings import ModerationSettings
from store import ConsultationSettings, Store
from tests.conftest import maildir
from tests.messages import comment

NOW = datetime(2010, 11, 20, tzinfo=UTC)
LETTER = "We call for enhanced cooperation among all stakeholders, on an equal footing. " * 6


def statements_for(tmp_path: Path, store: Store, rules: IntakeRules, count: int) -> int:
    messages = [
        comment(
            count * 1000 + n,
            subject=f"Our comment, part {n}",
            body=LETTER if n % 3 == 0 else f"Comment {n}: " + LETTER[n:],  # campaigns, leaders
            attachments=[("note.txt", "text/plain", f"note {n}".encode())] if n % 2 else None,
        )
        for n in range(count)
    ]
    box = maildir(tmp_path / f"box{count}", messages).model_copy(update={"batch_size": 50})
    seen = 0

    def count_it(*_: Any) -> None:
        nonlocal seen
        seen += 1

    event.listen(store.engine, "before_cursor_execute", count_it)
    try:
        report = poll_once(box, store, prefix=f"T{count}", now=lambda: NOW, rules=rules)
    finally:
        event.remove(store.engine, "before_cursor_execute", count_it)
    assert (report.parsed, report.failed) == (count, 0)
    assert report.rules is not None and report.rules.judged == count
    print(f"\n{count} messages: {seen} statements")
    return seen


def test_statements_grow_with_pages_not_messages(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = IntakeRules(consultation, moderation=ModerationSettings(mode="post"))
    one_page = statements_for(tmp_path, store, rules, 50)
    four_pages = statements_for(tmp_path, store, rules, 200)
    # Each page costs the same few statements (records, judgements, campaigns, events): 150
    # more messages in three more pages cost three pages' worth (about 25 each; measured 26
    # on SQLite, 23 on PostgreSQL), where a statement per message would cost 150 or more.
    assert four_pages - one_page <= 3 * 32, (one_page, four_pages)
    assert one_page <= 45, one_page
