"""The daemon retries receipts that failed and notices an operator's decisions."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from mailroom.clock import Clock
from mailroom.config import load_settings
from mailroom.daemon import Daemon
from store import open_store
from store.models import Moderation, Receipt, ReceiptStatus
from store.moderation import decide, find_for_update
from tests.cli import write_config
from tests.rules import mail, maildir_of
from tests.smtp_peer import PASSWORD, USER, free_port, smtp_peer

RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)


def test_the_daemon_retries_a_failed_receipt_and_republishes_after_a_decision(
    tmp_path: Path,
) -> None:
    port = free_port()
    with smtp_peer(tmp_path) as probe:
        ca_file = probe.ca_file
    box = maildir_of(tmp_path, [mail(1, received=RECEIVED)])
    config = write_config(
        tmp_path,
        mailboxes=f'[[mailbox]]\nname = "box"\nurl = "maildir:{box.path}"\n',
        extra=(
            "[receipts]\nenabled = true\nretry_minutes = 10\n\n"
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nuser = "{USER}"\n'
            f'password_env = "MAILROOM_TEST_SMTP_PASSWORD"\nca_file = "{ca_file}"\n'
        ),
    )
    os.environ["MAILROOM_TEST_SMTP_PASSWORD"] = PASSWORD
    settings = load_settings(config)
    store = open_store(settings.store)
    try:
        daemon = Daemon(settings, store, Clock(RECEIVED + timedelta(minutes=1)))
        daemon.poll_all()  # the SMTP server is down: intake goes on, the receipt waits
        with store.reader() as session:
            (receipt,) = session.exec(select(Receipt)).all()
        assert receipt.status == ReceiptStatus.FAILED and receipt.next_attempt_at is not None
        with smtp_peer(tmp_path, port=port) as peer:
            daemon.clock = Clock(RECEIVED + timedelta(minutes=30))
            daemon.site_stale = False
            daemon.poll_all()
            assert len(peer.delivered) == 1
        with store.reader() as session:
            (receipt,) = session.exec(select(Receipt)).all()
        assert receipt.status == ReceiptStatus.SENT
        daemon.site_stale = False
        daemon.after_polls()
        assert not daemon.site_stale  # nothing new, nothing decided: no need to publish again
        with store.session() as session:
            row = find_for_update(session, "1")
            assert row is not None
            decide(session, row, Moderation.HIDDEN, by="clerk", at=RECEIVED, reason="x",
                   action="hide")  # fmt: skip
            session.commit()
        daemon.after_polls()
        assert daemon.site_stale  # an operator's decision made elsewhere: publish again
    finally:
        store.close()
