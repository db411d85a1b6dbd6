"""Prometheus metrics for `mailroom run`, read from the store at every scrape.

prometheus_client serves them (its HTTP server and text format, plus its process
collector: memory, CPU, open files). The collector below asks the store each time, so
each number is what the database says, the same whichever of several daemons answers;
nothing is counted in memory. Served only when `[daemon] metrics_port` is set, on
`metrics_address` (loopback unless the operator says otherwise).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from mailroom.config import ConfigError, Settings
from store import Store
from store.moderation import count_queue
from store.monitoring import failure_counts, last_publication, record_lag
from store.queries import mailbox_status, submissions_by_status
from store.receipts import interrupted_sends, receipt_counts

log = logging.getLogger("mailroom.metrics")


class StoreCollector(Collector):
    """Every scrape: a few grouped counts and the newest rows, in one read transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mailroom_database_up", "1 if the last scrape could read the store")
        try:
            families = list(self._read())
        except SQLAlchemyError as exc:
            log.warning("metrics: cannot read the store: %s", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> Iterator[Metric]:
        with self.store.reader() as session:
            mailboxes = mailbox_status(session)
            by_status = submissions_by_status(session)
            parse_failures, set_aside = failure_counts(session)
            queue = count_queue(session)
            receipts = receipt_counts(session)
            interrupted = interrupted_sends(session)
            lag = record_lag(session)
            published = last_publication(session)
        stored = CounterMetricFamily(
            "mailroom_messages_stored", "Messages recorded from each mailbox", labels=["mailbox"]
        )
        last_poll = GaugeMetricFamily(
            "mailroom_last_successful_poll_timestamp_seconds",
            "When each mailbox was last read without error (Unix time)",
            labels=["mailbox"],
        )
        failing = GaugeMetricFamily(
            "mailroom_mailbox_failing",
            "1 if the last poll of the mailbox failed",
            labels=["mailbox"],
        )
        for m in mailboxes:
            stored.add_metric([m.mailbox], m.messages_stored)
            failing.add_metric([m.mailbox], 1 if m.last_error else 0)
            if m.last_success_at is not None:
                last_poll.add_metric([m.mailbox], _unix(m.last_success_at))
        yield from (stored, last_poll, failing)
        yield _labelled("mailroom_submissions", "Submissions by intake status", "status", by_status)
        yield _gauge("mailroom_parse_failures", "Submissions whose message could not be parsed",
                     parse_failures)  # fmt: skip
        yield _gauge("mailroom_set_aside", "Messages set aside: they brought the parser down",
                     set_aside)  # fmt: skip
        yield _gauge("mailroom_moderation_queue", "Parsed submissions waiting for the operator",
                     queue)  # fmt: skip
        yield _labelled("mailroom_receipts", "Receipts to senders by state", "state", receipts)
        yield _gauge("mailroom_receipts_interrupted",
                     "Receipt sends cut off before their outcome was recorded, and resent",
                     interrupted)  # fmt: skip
        if lag is not None:
            spread = GaugeMetricFamily(
                "mailroom_record_lag_seconds",
                f"From the mailbox receiving a message to its record, over the newest "
                f"{lag.records} records",
                labels=["quantile"],
            )
            spread.add_metric(["0.5"], lag.median)
            spread.add_metric(["1"], lag.most)
            yield spread
            yield _gauge(
                "mailroom_newest_record_lag_seconds",
                "From the mailbox receiving the newest recorded message to its record",
                lag.newest,
            )
        if published is not None:
            yield _gauge(
                "mailroom_last_publish_timestamp_seconds",
                "When the newest finished site build began (Unix time)",
                _unix(published.built_at),
            )
            yield _gauge(
                "mailroom_publish_duration_seconds",
                "How long the newest finished site build took",
                published.seconds,
            )
            yield _gauge(
                "mailroom_published_submissions",
                "Submissions on the public site after the newest build",
                published.submissions,
            )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _labelled(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def _unix(moment: datetime) -> float:
    return moment.timestamp()


def serve_metrics(settings: Settings, store: Store) -> Any | None:
    """Start the metrics endpoint if configured; returns its server (call .shutdown())."""
    port = settings.daemon.metrics_port
    if port is None:
        return None
    registry = CollectorRegistry()
    registry.register(StoreCollector(store))
    registry.register(ProcessCollector(registry=None))
    address = settings.daemon.metrics_address
    try:
        server, _thread = start_http_server(port, addr=address, registry=registry)
    except OSError as exc:
        raise ConfigError(
            f"{settings.path}: [daemon] metrics_port: cannot listen on {address}:{port} "
            f"({exc.strerror}); choose a free port"
        ) from exc
    log.info("metrics: http://%s:%d/metrics", address, server.server_port)
    return server
