"""The metrics are the store's numbers: each one checked against what the database holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import update
from sqlmodel import select

from ingest import poll_once
from mailroom.config import load_settings
from mailroom.metrics import StoreCollector
from publish import build_site
from store import open_store
from store.models import Message, Submission
from tests.cli import write_config
from tests.conftest import maildir
from tests.messages import comment

RECEIVED = datetime(2010, 11, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2010, 12, 1, 15, 0, tzinfo=UTC)


def test_every_metric_is_read_from_the_store(tmp_path: Path) -> None:
    messages = [comment(n, received=RECEIVED + timedelta(hours=n)) for n in (1, 2, 3)]
    maildir(tmp_path / "Maildir", [*messages, b"\n", b"\n\n"])
    config = write_config(
        tmp_path,
        mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n',
        moderation="pre",
    )
    settings = load_settings(config)
    store = open_store(settings.store)
    registry = CollectorRegistry()
    registry.register(StoreCollector(store))

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    try:
        poll_once(settings.mailboxes[0], store, prefix="P", now=lambda: NOW,
                  rules=settings.intake_rules)  # fmt: skip
        with store.session() as session:  # one of the two failures brought the parser down
            session.exec(  # type: ignore[call-overload]
                update(Submission)
                .where(Submission.number == 5)  # type: ignore[arg-type]
                .values(error="parsing stopped the process 3 times; set aside")
            )
            session.commit()
        assert value("mailroom_database_up") == 1
        assert value("mailroom_messages_stored_total", mailbox="box") == 5
        assert value("mailroom_mailbox_failing", mailbox="box") == 0
        assert value("mailroom_last_successful_poll_timestamp_seconds", mailbox="box") == (
            NOW.timestamp()
        )
        assert value("mailroom_submissions", status="parsed") == 3
        assert value("mailroom_submissions", status="failed") == 2
        assert value("mailroom_parse_failures") == 1
        assert value("mailroom_set_aside") == 1
        assert value("mailroom_moderation_queue") == 3  # pre-moderation: all wait
        assert value("mailroom_receipts", state="sent") == 0
        with store.reader() as session:
            rows = session.exec(select(Message).order_by(Message.id)).all()  # type: ignore[arg-type]
        # Never negative: the two files without a Received header carry today's file time,
        # later than this test's clock.
        lags = [max(0.0, (m.fetched_at - m.received_at).total_seconds()) for m in rows]
        assert value("mailroom_record_lag_seconds", quantile="1") == max(lags)
        assert value("mailroom_record_lag_seconds", quantile="0.5") == sorted(lags)[2]
        assert value("mailroom_newest_record_lag_seconds") == lags[-1]
        assert max(lags) == (NOW - RECEIVED - timedelta(hours=1)).total_seconds()
        assert value("mailroom_last_publish_timestamp_seconds") is None  # never published

        build_site(store, settings.consultation, settings.site, NOW)
        assert value("mailroom_last_publish_timestamp_seconds") == NOW.timestamp()
        duration = value("mailroom_publish_duration_seconds")
        assert duration is not None and duration > 0
        assert value("mailroom_published_submissions") == 0  # none approved yet
    finally:
        store.close()
    for path in tmp_path.glob("mailroom.db*"):
        path.unlink()  # the database is gone: the scrape says so, and does not fail
    assert value("mailroom_database_up") == 0
    assert value("mailroom_messages_stored_total", mailbox="box") is None
