"""Moderation: pre (nothing public until approved) or post (public unless hidden); spam,
DMARC failures and automatic mail go to the queue in either mode; hiding and withdrawing
keep everything; what is not public never reaches the site."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.rule_settings import IntakeRules, ModerationSettings
from publish import SiteSettings, build_site
from publish.due import is_published, public_identity
from store import ConsultationSettings, Store
from store.models import Moderation
from store.moderation import ModerationError, decide, edit_public, find_for_update, queue
from tests.rules import judge, mail, one

NOW = datetime(2010, 11, 20, tzinfo=UTC)
RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)


def rules(consultation: ConsultationSettings, **moderation: object) -> IntakeRules:
    return IntakeRules(consultation, moderation=ModerationSettings.model_validate(moderation))


def published_pages(store: Store, consultation: ConsultationSettings, site: SiteSettings) -> str:
    report = build_site(store, consultation, site, consultation.posting_date)
    assert report.published
    return " ".join(p.read_text() for p in site.output.rglob("submissions/*/index.html"))


def test_pre_moderation_publishes_nothing_until_the_operator_approves(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    site_settings: SiteSettings,
) -> None:
    first, second = judge(
        tmp_path,
        store,
        [
            mail(1, body="First view.", received=RECEIVED),
            mail(2, body="Second.", received=RECEIVED),
        ],
        rules(consultation, mode="pre"),
        NOW,
    )
    assert {first.moderation, second.moderation} == {Moderation.PENDING}
    assert first.moderation_reason == "pre-moderation: waiting for approval"
    assert published_pages(store, consultation, site_settings) == ""
    with store.session() as session:
        row = find_for_update(session, first.reference)
        assert row is not None
        decide(session, row, Moderation.APPROVED, by="clerk", at=NOW, reason=None, action="approve")
        session.commit()
    pages = published_pages(store, consultation, site_settings)
    assert "First view." in pages and "Second." not in pages
    with store.reader() as session:
        assert [s.reference for s in queue(session)] == [second.reference]


def test_post_moderation_publishes_until_hidden_and_hiding_keeps_everything(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    site_settings: SiteSettings,
) -> None:
    kept, hidden, withdrawn = judge(
        tmp_path,
        store,
        [
            mail(1, body="A fair comment.", received=RECEIVED),
            mail(2, body="Abusive words here.", received=RECEIVED),
            mail(3, body="I changed my mind about this.", received=RECEIVED),
        ],
        rules(consultation, mode="post"),
        NOW,
    )
    assert all(is_published(s) for s in (kept, hidden, withdrawn))
    with store.session() as session:
        row = find_for_update(session, hidden.reference)
        assert row is not None
        with pytest.raises(ModerationError, match="needs a reason"):
            decide(session, row, Moderation.HIDDEN, by="clerk", at=NOW, reason="", action="hide")
        decide(session, row, Moderation.HIDDEN, by="clerk", at=NOW, reason="abuse", action="hide")
        gone = find_for_update(session, withdrawn.reference)
        assert gone is not None
        decide(
            session, gone, Moderation.WITHDRAWN, by="clerk", at=NOW, reason=None, action="withdraw"
        )
        session.commit()
    pages = published_pages(store, consultation, site_settings)
    assert "A fair comment." in pages
    assert "Abusive" not in pages and "changed my mind" not in pages
    hidden = one(store, hidden.reference)
    assert hidden.moderation == Moderation.HIDDEN and hidden.moderation_reason == "abuse"
    assert hidden.body_text == "Abusive words here."  # kept, never deleted
    assert (hidden.moderated_by, hidden.moderated_at) == ("clerk", NOW)
    with store.session() as session:
        back = find_for_update(session, withdrawn.reference)
        assert back is not None
        with pytest.raises(ModerationError, match="give --reason to reverse"):
            decide(
                session, back, Moderation.APPROVED, by="x", at=NOW, reason=None, action="approve"
            )


def test_the_operator_edits_the_public_name_and_anonymity(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    site_settings: SiteSettings,
) -> None:
    renamed, anonymous = judge(
        tmp_path,
        store,
        [
            mail(1, sender="J. SMITH (MOFA)", received=RECEIVED, body="One."),
            mail(2, sender="Private Person", received=RECEIVED, body="Two."),
        ],
        rules(consultation, mode="post"),
        NOW,
    )
    with store.session() as session:
        row = find_for_update(session, renamed.reference)
        assert row is not None
        edit_public(session, row, by="clerk", at=NOW, name="Jane Smith", organisation="MOFA")
        other = find_for_update(session, anonymous.reference)
        assert other is not None
        edit_public(session, other, by="clerk", at=NOW, anonymous=True)
        session.commit()
    assert public_identity(one(store, renamed.reference)) == ("Jane Smith", "MOFA")
    assert public_identity(one(store, anonymous.reference)) == ("Anonymous", "")
    assert one(store, anonymous.reference).sender_name == "Private Person"  # kept as data
    pages = published_pages(store, consultation, site_settings)
    assert "Jane Smith" in pages and "J. SMITH" not in pages
    assert "Anonymous" in pages and "Private Person" not in pages


@pytest.mark.parametrize("mode", ["pre", "post"])
def test_spam_dmarc_failures_and_automatic_mail_go_to_the_queue_in_either_mode(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, mode: str
) -> None:
    auth = "mx.un.example; spf=pass smtp.mailfrom=example.org; dkim=none; dmarc=pass"
    found = judge(
        tmp_path,
        store,
        [
            mail(1, received=RECEIVED, headers=[("X-Spam-Flag", "YES")]),
            mail(2, received=RECEIVED, headers=[("X-Spam-Status", "Yes, score=9.1 required=5")]),
            mail(3, received=RECEIVED, headers=[("X-Spam-Status", "No, score=0.3 required=5")]),
            mail(4, received=RECEIVED, body="Cheap pills at http://a.example", headers=[]),
            mail(5, received=RECEIVED, body=" ".join(["http://x.example"] * 30)),
            mail(
                6,
                address="minister@gov.example",
                received=RECEIVED,
                headers=[
                    (
                        "Authentication-Results",
                        "mx.un.example; spf=fail smtp.mailfrom=gov.example; dkim=fail; "
                        "dmarc=fail (p=reject) header.from=gov.example",
                    ),
                    ("Authentication-Results", auth),  # lower down: the sender's own claim
                ],
            ),
            mail(7, received=RECEIVED, headers=[("Authentication-Results", auth)]),
            mail(8, received=RECEIVED, headers=[("Auto-Submitted", "auto-replied")]),
            mail(9, address="MAILER-DAEMON@mx.example.org", received=RECEIVED),
        ],
        rules(consultation, mode=mode, spam_patterns=[r"(?i)cheap pills"], max_links=20),
        NOW,
    )
    held = {s.number: json.loads(s.hold_reasons or "[]") for s in found}
    assert "X-Spam-Flag: YES" in held[1][0] and "X-Spam-Status: Yes" in held[2][0]
    assert held[3] == [] and held[7] == []
    assert "spam_patterns" in held[4][0] and "30 links" in held[5][0]
    assert held[6] == ["DMARC fail: the sender's domain did not vouch for this message"]
    assert "Auto-Submitted: auto-replied" in held[8][0] and "mailer-daemon" in held[9][0].lower()
    by_number = {s.number: s for s in found}
    assert json.loads(by_number[6].auth_results or "{}") == {
        "spf": "fail",
        "dkim": "fail",
        "dmarc": "fail",
        "authserv_id": "mx.un.example",
    }
    assert by_number[1].spam_reason and not by_number[3].spam_reason
    for number, reasons in held.items():
        state = by_number[number].moderation
        if reasons:
            assert state == Moderation.PENDING, number
        else:
            assert state == (Moderation.PENDING if mode == "pre" else Moderation.APPROVED)
    with store.reader() as session:
        assert {s.number for s in queue(session, held_only=True)} == {1, 2, 4, 5, 6, 8, 9}


def test_only_our_servers_authentication_results_count_when_it_is_named(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    forged = "mx.un.example; dmarc=pass header.from=gov.example"
    (row,) = judge(
        tmp_path,
        store,
        [
            mail(
                1,
                received=RECEIVED,
                headers=[
                    ("Authentication-Results", "relay.example.net; dmarc=pass"),
                    ("Authentication-Results", "mx.un.example; dmarc=fail header.from=x"),
                    ("Authentication-Results", forged),
                ],
            )
        ],
        rules(consultation, mode="post", authserv_id="mx.un.example"),
        NOW,
    )
    assert json.loads(row.auth_results or "{}")["dmarc"] == "fail"
    assert row.moderation == Moderation.PENDING
