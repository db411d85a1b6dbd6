"""The representative's digest: counts, organisations and every opening paragraph with its
reference and link; only what may be public; a campaign listed once; a CSV of every row."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from ingest.rule_settings import GroupRule, IntakeRules, ModerationSettings
from publish import SiteSettings
from publish.digest import opening_paragraph, write_digest
from store import ConsultationSettings, Store
from store.models import Attachment, Moderation, StakeholderGroup, Submission
from store.moderation import decide, find_for_update
from tests.rules import judge, mail

NOW = datetime(2010, 12, 10, tzinfo=UTC)
RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)
CAMPAIGN = (
    "Dear Secretary-General,\n\nWe ask that enhanced cooperation remain open to all "
    "stakeholders, with documents published in advance, remote participation, and the "
    "outcome of the consultations published in all six official languages of the United "
    "Nations so that every community can follow it.\n\nSincerely,\n{name}\n"
)
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def populate(tmp_path: Path, store: Store, consultation: ConsultationSettings) -> None:
    rules = IntakeRules(
        consultation,
        moderation=ModerationSettings(mode="post", late="publish"),
        group_rules=(GroupRule(group=StakeholderGroup.PRIVATE_SECTOR, domains=("biz.example",)),),
    )
    late = consultation.deadline + timedelta(hours=3)
    messages = [
        mail(
            1,
            sender="Claire Dubois",
            subject="[Civil society] APIC contribution",
            body="Dear colleagues,\n\nThe Association pour un Internet citoyen asks that "
            "enhanced cooperation include users; call us on +33 1 23 45 67 89 or write "
            "to claire@apic.example.org.\n\nClaire",
            received=RECEIVED,
        ),
        mail(
            2,
            sender="Firm",
            address="ceo@biz.example",
            subject="Our view",
            body="Please find attached.",
            received=RECEIVED,
        ),
        mail(
            3,
            sender="Late Ngo",
            subject="[Civil society] late",
            body="Sorry we are late "
            "with this contribution about capacity building in small island states.",
            received=late,
        ),
        mail(
            4,
            sender="Hidden",
            subject="[Civil society] abuse",
            body="Abusive words.",
            received=RECEIVED,
        ),
        mail(
            5,
            sender="Minister",
            address="m@mofa.gov.gh",
            body="A government's view.",
            received=RECEIVED,
        ),
    ]
    messages += [
        mail(10 + n, sender=f"Member {n}", subject="[Civil society] Open consultation",
             body=CAMPAIGN.format(name=f"Member {n}"), received=RECEIVED)
        for n in range(5)
    ]  # fmt: skip
    rows = judge(tmp_path, store, messages, rules, NOW)
    with store.session() as session:
        firm = rows[1]
        session.add(
            Attachment(
                submission_id=firm.id or 0,
                position=1,
                name="position.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                text="Summary\n\nBusinesses need predictable, compatible rules across borders "
                "for data protection and electronic signatures.",
            )
        )
        hidden = find_for_update(session, rows[3].reference)
        assert hidden is not None
        decide(session, hidden, Moderation.HIDDEN, by="clerk", at=NOW, reason="abuse",
               action="hide")  # fmt: skip
        session.commit()


def test_the_digest_cites_every_public_submission_once_and_leaks_nothing(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    site = SiteSettings(output=tmp_path / "site", base_url="https://www.unpan.example/c/")
    out = tmp_path / "digest"
    report = write_digest(
        store,
        consultation,
        site,
        NOW,
        groups=[StakeholderGroup.CIVIL_SOCIETY, StakeholderGroup.PRIVATE_SECTOR],
        html_path=out / "digest.html",
        csv_path=out / "digest.csv",
    )
    html = (out / "digest.html").read_text()
    assert report.submissions == 8  # 1, 2, 3 and five campaign copies: not 4 (hidden), 5 (gov)
    assert report.listed == 4  # the campaign once
    assert "Civil society, Private sector" in html
    assert "8 submissions: 7 received by the deadline" in " ".join(html.split())
    assert "https://www.unpan.example/c/en/submissions/DESA-10-3078-0001/" in html
    assert "enhanced cooperation include users" in html and "Dear colleagues" not in html
    assert "Businesses need predictable" in html and "(from position.pdf)" in html
    assert "received after the deadline" in html
    assert "Campaign: 5 submissions with near-identical text" in html
    assert html.count("We ask that enhanced cooperation remain open") == 1
    assert "Abusive" not in html and "A government" not in html
    assert not ADDRESS.search(html) and "+33 1 23" not in html
    assert "[phone number removed]" in html
    with (out / "digest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert {r["stakeholder_group"] for r in rows} == {"civil_society", "private_sector"}
    campaign = [r for r in rows if r["campaign_size"] == "5"]
    assert len(campaign) == 5 and len({r["campaign_id"] for r in campaign}) == 1
    assert all(r["url"].startswith("https://www.unpan.example/c/en/submissions/") for r in rows)
    assert not any(ADDRESS.search(value) for r in rows for value in r.values())
    late = [r for r in rows if r["on_time"] == "no"]
    assert [r["reference"] for r in late] == ["DESA-10-3078/0003"]


def test_the_opening_paragraph_skips_greetings_and_cell_formulas_are_defused(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    rules = IntakeRules(consultation, moderation=ModerationSettings(mode="post", late="publish"))
    judge(
        tmp_path,
        store,
        [
            mail(
                1,
                sender='=HYPERLINK("http://x")',
                body="Estimados señores:\n\nLa "
                "cooperación reforzada debe permitir que todos los gobiernos participen.",
                received=RECEIVED,
            ),
        ],
        rules,
        NOW,
    )
    with store.reader() as session:
        row = session.exec(select(Submission)).one()
    assert opening_paragraph(row, [])[0].startswith("La cooperación reforzada")
    out = tmp_path / "d"
    write_digest(
        store,
        consultation,
        SiteSettings(output=tmp_path / "site"),
        NOW,
        groups=None,
        html_path=out / "d.html",
        csv_path=out / "d.csv",
    )
    with (out / "d.csv").open(newline="") as handle:
        (record,) = list(csv.DictReader(handle))
    assert record["name"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert record["url"] == "en/submissions/DESA-10-3078-0001/"
