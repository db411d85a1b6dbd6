"""A real poll with receipts on, in a process that SIGKILLs itself while sending a receipt.

Usage: MAILROOM_TEST_KILL_AT=POINT:N python -m tests.crash_receipts SETTINGS_JSON NOW
POINT is where the Nth receipt's send kills the process:
  sending    the receipt recorded as `sending`, before the SMTP transaction begins
  accepted   the SMTP server has accepted the receipt (DATA answered 250), before it is
             recorded as sent: the window in which a receipt can reach the sender twice
Without MAILROOM_TEST_KILL_AT the poll runs to its end: the restart.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import ingest.smtp
from ingest import MailboxSettings, poll_once
from store import ConsultationSettings, StoreSettings, open_store
from tests.ingest.test_receipts import receipt_rules

KILL_AT = "MAILROOM_TEST_KILL_AT"


def main() -> None:
    settings = json.loads(sys.argv[1])
    now = datetime.fromisoformat(sys.argv[2])
    point, _, count = os.environ.get(KILL_AT, "").partition(":")
    wanted = int(count or "1")
    seen = 0

    def hit() -> None:
        nonlocal seen
        seen += 1
        if seen == wanted:
            os.kill(os.getpid(), signal.SIGKILL)

    def around(original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if point == "sending":
                hit()
            result = original(*args, **kwargs)
            if point == "accepted":
                hit()
            return result

        return wrapper

    if point in ("sending", "accepted"):
        # Only receipts go through SmtpSession.send; `sending` is committed before it.
        ingest.smtp.SmtpSession.send = around(  # type: ignore[method-assign]
            ingest.smtp.SmtpSession.send
        )
    elif point:
        raise SystemExit(f"{KILL_AT}={point}: not a kill point (sending, accepted)")

    consultation = ConsultationSettings.model_validate(settings["consultation"])
    rules = receipt_rules(consultation, settings["port"], Path(settings["ca_file"]))
    opened = open_store(StoreSettings(url=settings["database"], archive=Path(settings["archive"])))
    mailbox = MailboxSettings.model_validate(settings["mailbox"])
    poll_once(mailbox, opened, prefix=consultation.submission_prefix, now=lambda: now, rules=rules)
    if point:
        print("finished without reaching the kill point", file=sys.stderr)


if __name__ == "__main__":
    main()
