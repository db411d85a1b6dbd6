"""On time or late: the mailbox's clock against the deadline in the consultation's zone, never
the sender's Date header nor the time Mailroom polled; late comments follow the policy; the
operator can rule either way, with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from ingest import poll_once
from ingest.classification import reclassify
from mailroom.config import load_settings
from publish.due import LATE, is_published, late_label
from store import ConsultationSettings, Store
from store.models import Moderation, ModerationEvent, ReceivedVia
from store.moderation import ModerationError, find_for_update, set_on_time
from store.rules import is_on_time
from tests.cli import write_config
from tests.conftest import imap_mailbox
from tests.dovecot import Dovecot
from tests.rules import NEW_YORK, judge, mail, one, post_rules

DEADLINE = datetime(2010, 11, 15, 23, 59, 59, 999999, tzinfo=NEW_YORK)
LONG_AFTER = datetime(2010, 12, 20, tzinfo=UTC)  # a very slow poll


@pytest.mark.parametrize(
    ("received", "on_time"),
    [
        (DEADLINE - timedelta(hours=3), True),  # before
        (DEADLINE.replace(microsecond=0), True),  # at: the last second of the day
        (DEADLINE + timedelta(microseconds=1), False),  # after: midnight in New York
        (datetime(2010, 11, 16, 4, 59, 59, tzinfo=UTC), True),  # 23:59:59 EST, the 16th in UTC
        (datetime(2010, 11, 16, 5, 0, 0, tzinfo=UTC), False),
    ],
)
def test_the_mailbox_clock_decides_never_the_date_header_nor_the_poll(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    received: datetime,
    on_time: bool,
) -> None:
    consultation = consultation.model_copy(update={"deadline": DEADLINE})
    # The sender's clock says the opposite, and the poll comes weeks later.
    forged = received + (timedelta(days=3) if on_time else -timedelta(days=3))
    (submission,) = judge(
        tmp_path,
        store,
        [mail(1, received=received, date=forged)],
        post_rules(consultation, late="publish"),
        LONG_AFTER,
    )
    assert submission.received_via == ReceivedVia.RECEIVED_HEADER
    assert submission.received_at == received.astimezone(UTC).replace(microsecond=0)
    assert submission.received_header_at == submission.received_at
    assert submission.date_header == forged.astimezone(UTC).replace(microsecond=0)
    assert is_on_time(submission, consultation) is on_time
    assert (late_label(submission, consultation) is None) is on_time


def _consultation_from_config(tmp_path: Path, deadline: str) -> ConsultationSettings:
    """The deadline as an operator writes it: a bare date, read in the consultation's zone."""
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("deadline = 2010-11-15", f"deadline = {deadline}"))
    return load_settings(config).consultation


@pytest.mark.parametrize(
    ("deadline", "received", "on_time"),
    [
        # Daylight saving time began in New York on 13 March 2011: the day ends at 04:00 UTC.
        ("2011-03-13", datetime(2011, 3, 14, 3, 59, 59, tzinfo=UTC), True),
        ("2011-03-13", datetime(2011, 3, 14, 4, 30, tzinfo=UTC), False),  # on time if EST
        # It ended on 7 November 2010: that day ends at 05:00 UTC.
        ("2010-11-07", datetime(2010, 11, 8, 4, 30, tzinfo=UTC), True),  # late if EDT
        ("2010-11-07", datetime(2010, 11, 8, 5, 0, 1, tzinfo=UTC), False),
    ],
)
def test_the_deadline_is_the_end_of_the_day_in_the_consultation_zone_across_dst(
    tmp_path: Path, store: Store, deadline: str, received: datetime, on_time: bool
) -> None:
    consultation = _consultation_from_config(tmp_path, deadline)
    (submission,) = judge(
        tmp_path,
        store,
        [mail(1, received=received)],
        post_rules(consultation, late="publish"),
        received + timedelta(days=2),
    )
    assert is_on_time(submission, consultation) is on_time


@pytest.mark.parametrize(
    ("late", "state", "published"),
    [
        ("hold", Moderation.PENDING, False),
        ("publish", Moderation.APPROVED, True),
        ("reject", Moderation.HIDDEN, False),
    ],
)
def test_late_comments_follow_the_configured_policy(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    late: str,
    state: Moderation,
    published: bool,
) -> None:
    consultation = consultation.model_copy(update={"deadline": DEADLINE})
    early, tardy = judge(
        tmp_path,
        store,
        [
            mail(1, received=DEADLINE - timedelta(days=1)),
            mail(2, received=DEADLINE + timedelta(hours=2)),
        ],
        post_rules(consultation, late=late),
        LONG_AFTER,
    )
    assert early.moderation == Moderation.APPROVED and is_published(early)
    assert tardy.moderation == state
    assert "after the deadline" in (tardy.moderation_reason or "")
    assert is_published(tardy) is published
    if published:
        assert late_label(tardy, consultation) == LATE


def test_the_operator_rules_either_way_with_a_reason_and_the_state_follows(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    consultation = consultation.model_copy(update={"deadline": DEADLINE})
    rules = post_rules(consultation, late="hold")
    early, tardy = judge(
        tmp_path,
        store,
        [
            mail(1, received=DEADLINE - timedelta(days=1)),
            mail(2, received=DEADLINE + timedelta(minutes=5)),
        ],
        rules,
        LONG_AFTER,
    )
    assert tardy.moderation == Moderation.PENDING
    at = datetime(2010, 11, 20, 9, 0, tzinfo=UTC)
    with store.session() as session:
        row = find_for_update(session, tardy.reference)
        assert row is not None
        with pytest.raises(ModerationError, match="needs a reason"):
            set_on_time(session, row, True, by="clerk", at=at, reason=None)
        set_on_time(
            session, row, True, by="clerk", at=at, reason="the server was down that evening"
        )
        early_row = find_for_update(session, early.reference)
        assert early_row is not None
        set_on_time(session, early_row, False, by="clerk", at=at, reason="sent after closing")
        session.commit()
    assert early.id is not None and tardy.id is not None
    reclassify(store, rules, [early.id, tardy.id], at)
    ruled_on_time, ruled_late = one(store, tardy.reference), one(store, early.reference)
    assert (
        is_on_time(ruled_on_time, consultation) and ruled_on_time.moderation == Moderation.APPROVED
    )
    assert ruled_on_time.on_time_reason == "the server was down that evening"
    assert not is_on_time(ruled_late, consultation)
    assert ruled_late.moderation == Moderation.PENDING  # held by the late policy now
    with store.reader() as session:
        events = session.exec(
            select(ModerationEvent).where(ModerationEvent.submission_id == tardy.id)
        ).all()
    assert [(e.action, e.by) for e in events] == [
        ("rules", "mailroom (rules)"),
        ("on_time", "clerk"),
        ("rules", "mailroom (rules)"),
    ]


def test_imap_internaldate_and_the_received_header_are_both_kept(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    """INTERNALDATE decides for IMAP; the top Received header is kept beside it, and when the
    two fall either side of the deadline the operator is asked to rule."""
    consultation = consultation.model_copy(update={"deadline": DEADLINE})
    folder = dovecot.fresh_folder()
    internaldate = DEADLINE - timedelta(minutes=10)
    agree = mail(1, received=DEADLINE - timedelta(minutes=11))
    disagree = mail(2, received=DEADLINE + timedelta(minutes=30))
    dovecot.append(folder, [agree, disagree], internaldate=internaldate)
    report = poll_once(
        imap_mailbox(dovecot, folder),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: LONG_AFTER,
        rules=post_rules(consultation),
    )
    assert report.errors == []
    first, second = one(store, "DESA-10-3078/0001"), one(store, "DESA-10-3078/0002")
    for row in (first, second):
        assert row.received_via == ReceivedVia.INTERNALDATE
        assert row.received_at == internaldate.astimezone(UTC).replace(microsecond=0)
        assert is_on_time(row, consultation)
    assert first.received_header_at == (DEADLINE - timedelta(minutes=11)).replace(microsecond=0)
    assert first.moderation == Moderation.APPROVED
    assert second.received_header_at is not None and second.received_header_at > DEADLINE
    assert second.moderation == Moderation.PENDING
    assert "either side of the deadline" in (second.hold_reasons or "")
