"""Duplicates and campaigns: the same comment twice from one sender is a duplicate of the
first; near-identical texts from many senders are one campaign, found at intake without
comparing every pair (thousands of generated near-copies, the work counted)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from ingest.classification import classify_pending
from ingest.rule_settings import IntakeRules, ModerationSettings
from store import ConsultationSettings, Store
from store.campaigns import MAX_CANDIDATES, campaign, campaign_organisations
from store.content import SubmissionContent, save_content
from store.intake import Sighting, record_sightings
from store.models import (
    Campaign,
    Channel,
    ReceivedVia,
    SimilarityBucket,
    SimilarityLeader,
    Submission,
)
from tests.rules import judge, mail, one, submissions

NOW = datetime(2010, 11, 20, tzinfo=UTC)
RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
LETTER_A = """We the undersigned call on the Secretary-General to make sure that enhanced
cooperation on international public policy issues pertaining to the Internet stays open to
every stakeholder. Governments have an important role, but decisions about the network that
we all use every day must not be taken behind closed doors. Civil society, the private sector
and the technical community must be able to take part on an equal footing, with documents
published in advance and meetings open to remote participation. We ask that the outcome of
these consultations be published in full and in all six official languages, and that the
views of ordinary users be given the same weight as those of large organisations."""
LETTER_B = """As small business owners we depend on an Internet that works the same way in
every country. Please do not let enhanced cooperation turn into a new layer of regulation
that only large companies can afford to follow. Keep the rules simple, predictable and
compatible across borders, and listen to the firms that build services for local markets in
developing countries before any new intergovernmental mechanism is agreed."""
NAMES = "Amina Carlos Mei Olga Ravi Sofia Tomas Yusuf Ines Kwame Lena Pablo Noor Ivan".split()
ORGS = ["", "", "Open Net Club", "Digital Rights Forum", "Citizens Online", "Student Union"]
WORDS = (
    "access bandwidth cable data domain exchange fibre governance infrastructure jurisdiction "
    "latency mobile network operator peering policy privacy registry routing security spectrum "
    "standard telecom traffic transit wireless rural school library market price tariff"
).split()


def near_copy(letter: str, rng: random.Random, n: int) -> tuple[str, str, str]:
    """A sender's copy: their own greeting and signature, a few words changed or dropped."""
    words = letter.split()
    for _ in range(rng.randint(0, 2)):
        position = rng.randrange(len(words))
        if rng.random() < 0.5:
            words[position] = rng.choice(WORDS)
        else:
            del words[position]
    name = f"{rng.choice(NAMES)} {rng.choice(NAMES)}son"
    organisation = rng.choice(ORGS)
    text = f"Dear Secretary-General,\n\n{' '.join(words)}\n\nYours,\n{name}\n{organisation}"
    return text, name, organisation


def unrelated(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 160)))


def record_texts(store: Store, texts: list[tuple[str, str, str]]) -> None:
    """Record parsed submissions straight into the store, a batch per transaction: the
    rules are what this test measures, not the mail parser."""
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        sightings = [
            Sighting(
                mailbox="operator",
                folder="post",
                uidvalidity=0,
                key=f"k{start + i}",
                uid=None,
                sha256=f"{start + i:064x}",
                size=len(text),
                message_id=None,
                received_at=RECEIVED,
                received_via=ReceivedVia.OPERATOR,
            )
            for i, (text, _, _) in enumerate(chunk)
        ]
        with store.session() as session:
            recorded = record_sightings(
                session, sightings, prefix="DESA-10-3078", now=NOW, channel=Channel.POST
            )
            for row, (text, name, organisation) in zip(recorded, chunk, strict=True):
                save_content(
                    session,
                    row.submission_id,
                    SubmissionContent(
                        subject="Enhanced cooperation",
                        sender_name=name,
                        sender_address=f"{name.split()[0].lower()}.{row.submission_id}@example.org",
                        organisation=organisation,
                        message_id=None,
                        date_header=None,
                        body_text=text,
                        parser="test",
                    ),
                )
            session.commit()


@pytest.mark.slow
def test_thousands_of_near_copies_become_campaigns_with_bounded_work(
    store: Store, consultation: ConsultationSettings, database: str
) -> None:
    # The bound on work is the algorithm's, not the database's: thousands on SQLite, and
    # enough on PostgreSQL to show the same queries hold there.
    copies = 1500 if database.startswith("sqlite") else 300
    rng = random.Random(20101115)
    texts = (
        [near_copy(LETTER_A, rng, n) for n in range(copies)]
        + [near_copy(LETTER_B, rng, n) for n in range(300)]
        + [(unrelated(rng), "Solo Writer", "") for _ in range(200)]
    )
    order = list(range(len(texts)))
    rng.shuffle(order)  # campaigns arrive interleaved with everything else
    record_texts(store, [texts[i] for i in order])
    kind = {
        position: ("A" if i < copies else "B" if i < copies + 300 else "-")
        for position, i in enumerate(order)
    }

    report = classify_pending(
        store, IntakeRules(consultation, moderation=ModerationSettings(mode="post")), NOW
    )
    assert report.judged == len(texts)
    # The work: at most a few signatures compared per text, never the whole table.
    assert report.most_comparisons <= MAX_CANDIDATES
    assert report.comparisons <= 2 * len(texts), report.comparisons
    rows = submissions(store)
    by_kind: dict[str, list[Submission]] = {"A": [], "B": [], "-": []}
    for position, row in enumerate(rows):
        by_kind[kind[position]].append(row)
    for letter, size in (("A", copies), ("B", 300)):
        ids = [row.campaign_id for row in by_kind[letter]]
        largest = max(set(ids), key=ids.count)
        assert largest is not None
        assert ids.count(largest) >= 0.995 * size, (letter, ids.count(largest))
        with store.reader() as session:
            found = campaign(session, largest)
            assert found is not None and found.size == ids.count(largest)
            assert found.representative == by_kind[letter][0].reference  # the first to arrive
    assert {row.campaign_id for row in by_kind["A"]}.isdisjoint(
        {row.campaign_id for row in by_kind["B"]}
    )
    assert all(row.campaign_id is None for row in by_kind["-"])
    with store.reader() as session:
        leaders = session.exec(select(func.count()).select_from(SimilarityLeader)).one()
        buckets = session.exec(select(func.count()).select_from(SimilarityBucket)).one()
        campaigns = session.exec(select(func.count()).select_from(Campaign)).one()
        organisations = dict(campaign_organisations(session, by_kind["A"][0].campaign_id or 0))
    # Only texts unlike any before them are indexed: the index grows with the distinct texts.
    assert leaders <= 200 + 2 + 20 and buckets <= leaders * 30
    assert campaigns <= 2 + 10
    assert set(organisations) <= set(ORGS) - {""} and sum(organisations.values()) > copies / 2
    print(
        f"\ncampaigns: {len(texts)} texts, {report.comparisons} comparisons "
        f"(at most {report.most_comparisons} for one), {leaders} leaders, {buckets} buckets"
    )


def test_the_same_comment_twice_from_one_sender_is_a_duplicate_of_the_first(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    body = "Our position on enhanced cooperation, in full. " * 12
    first, again, other, changed = judge(
        tmp_path,
        store,
        [
            mail(1, address="a@example.org", body=body, received=RECEIVED),
            mail(2, address="A@Example.org", body=body, received=RECEIVED, message_id="resend@x"),
            mail(3, address="b@example.org", body=body, received=RECEIVED),
            mail(4, address="a@example.org", body=body + " PS.", received=RECEIVED),
        ],
        IntakeRules(consultation, moderation=ModerationSettings(mode="post")),
        NOW,
    )
    assert again.duplicate_of_id == first.id
    assert other.duplicate_of_id is None and changed.duplicate_of_id is None
    # Another sender with the same text is a campaign, not a duplicate.
    assert other.campaign_id is not None and other.campaign_id == first.campaign_id
    assert one(store, again.reference).campaign_id is None  # a duplicate is not counted twice
    with store.reader() as session:
        found = campaign(session, first.campaign_id or 0)
    assert found is not None and found.size == 3  # first, other and changed


def test_short_identical_texts_are_a_campaign_only_when_identical(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rows = judge(
        tmp_path,
        store,
        [
            mail(1, address="a@example.org", body="I support an open Internet!", received=RECEIVED),
            mail(2, address="b@example.org", body="I support an open internet.", received=RECEIVED),
            mail(
                3, address="c@example.org", body="I support a closed Internet.", received=RECEIVED
            ),
            mail(4, address="d@example.org", body="See attached.", received=RECEIVED),
        ],
        IntakeRules(consultation, moderation=ModerationSettings(mode="post")),
        NOW,
    )
    assert rows[0].campaign_id is not None and rows[0].campaign_id == rows[1].campaign_id
    assert rows[2].campaign_id is None and rows[3].campaign_id is None
