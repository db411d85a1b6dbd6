"""The demo's extra mail: a campaign of near-copies, an advert, spam, a spoofed ministry."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from mailroom.demo_campaign import CAMPAIGN, EXTRA
from mailroom.demo_mailbox import MAILS, write_demo_maildir


def test_the_extra_mail_is_written_after_the_sample_with_its_headers(tmp_path: Path) -> None:
    count = write_demo_maildir(tmp_path / "box", extra=EXTRA)
    assert count == len(MAILS) + len(EXTRA) == len(list((tmp_path / "box" / "new").iterdir()))
    parser = BytesParser(policy=policy.default)
    messages = [parser.parsebytes(p.read_bytes()) for p in (tmp_path / "box" / "new").iterdir()]
    campaign = [m for m in messages if str(m["Subject"]) == CAMPAIGN[0].subject]
    assert len(campaign) == 12 and len({str(m["From"]) for m in campaign}) == 12
    spam = [m for m in messages if m["X-Spam-Flag"] == "YES"]
    assert len(spam) == 1 and str(spam[0]["Received"]).startswith("from ")
    spoofed = [m for m in messages if "dmarc=fail" in str(m["Authentication-Results"] or "")]
    assert len(spoofed) == 1
    again = write_demo_maildir(tmp_path / "again", extra=EXTRA)
    assert again == count
    assert sorted(p.read_bytes() for p in (tmp_path / "again" / "new").iterdir()) == sorted(
        p.read_bytes() for p in (tmp_path / "box" / "new").iterdir()
    )
