"""`mailroom demo`: the whole path on the embedded default, with nothing to set up.

Writes a sample mailbox as a Maildir and a config that points at it, then runs the real
poll (with the consultation's rules), an operator's decision, the publish and the
representative's digest, with the clock past the posting date. It sends no mail.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import typer

from ingest import poll_once
from mailroom.clock import clock_from
from mailroom.config import load_settings
from mailroom.demo_campaign import ADVERT, EXTRA
from mailroom.demo_mailbox import write_demo_maildir
from mailroom.demo_report import DemoFacts, demo_facts
from mailroom.progress import progress_bar
from publish import build_site
from publish.digest import write_digest
from publish.themes import refresh_themes
from store import Store, open_store
from store.models import Moderation, StakeholderGroup
from store.moderation import decide, from_sender

DEMO_CONFIG = """\
# Written by `mailroom demo`: the 2010 consultation, read from a local sample Maildir.
[consultation]
title.en = "Consultations on enhanced cooperation on international public policy issues \
pertaining to the Internet"
title.fr = "Consultations sur la coopération renforcée concernant les questions de politique \
publique internationale relatives à l'Internet"
title.es = "Consultas sobre la cooperación reforzada en las cuestiones de política pública \
internacional relativas a Internet"
title.ru = "Консультации по вопросу о расширении сотрудничества в решении вопросов \
международной государственной политики, касающихся Интернета"
title.ar = "مشاورات بشأن التعاون المعزز في قضايا السياسة العامة الدولية المتعلقة بالإنترنت"
title.zh = "关于在与因特网有关的国际公共政策问题上加强合作的磋商"
reference = "DESA-10/3078"
address = "unpan@un.org"
organiser = "United Nations Department of Economic and Social Affairs"
timezone = "America/New_York"
deadline = 2010-11-15
posting_date = 2010-12-01

[[mailbox]]
name = "sample"
url = "maildir:mailbox"

[store]
url = "sqlite:///mailroom.db"
archive = "archive"

[site]
output = "{site}"

[moderation]
# The demo publishes what arrives unless the rules hold it, so the site has something to
# show; a real consultation starts with the default, mode = "pre" (nothing public until
# approved). Late comments are published, marked "received after the deadline".
mode = "post"
late = "publish"

# The sample's organisations, as an operator who knows them would list them. Real
# government (.gov, .gouv.fr, ...) and .int domains are known without rules.
[[group_rule]]
group = "governments"
domains = ["*.gov.example"]

[[group_rule]]
group = "intergovernmental"
domains = ["*.int.example"]

[[group_rule]]
group = "civil_society"
domains = ["apic.example.org", "reladd.example.org", "drforum.example.org", "andr.example.org",
           "cips.example.org", "openinclusive.example.org", "gfdp.example.org", "yign.example.org"]

[[group_rule]]
group = "private_sector"
domains = ["northwind.example.com", "meridian-alliance.example.com", "crce.example.com",
           "harbourline.example.com", "huaxin.example.com", "gadr.example.org"]

[[group_rule]]
group = "technical_community"
domains = ["ocnic.example.net", "cctld.example.net", "ecnog.example.net"]

[receipts]
enabled = false                  # the demo sends no mail
"""

DEMO_NOW = "2010-12-01T09:00:00"
THEMES_SHOWN = 6
OPERATOR = "demo operator"
HIDE_REASON = "advertising, not a comment on the consultation"
REPRESENTED = (
    StakeholderGroup.CIVIL_SOCIETY,
    StakeholderGroup.PRIVATE_SECTOR,
    StakeholderGroup.TECHNICAL_COMMUNITY,
)


def run_demo(directory: Path, site: Path, now: str | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    count = write_demo_maildir(directory / "mailbox", extra=EXTRA)
    config = directory / "config.toml"
    config.write_text(DEMO_CONFIG.format(site=site.as_posix()), encoding="utf-8")
    settings = load_settings(config)
    clock = clock_from(now or DEMO_NOW, settings.consultation.zone)
    store = open_store(settings.store)
    try:
        started = time.perf_counter()
        with progress_bar("ingesting the sample mailbox", total=count) as advance:
            report = poll_once(
                settings.mailboxes[0],
                store,
                prefix=settings.consultation.submission_prefix,
                now=clock,
                progress=advance,
                limits=settings.limits,
                rules=settings.intake_rules,
            )
        took = time.perf_counter() - started
        hidden = _hide_the_advert(store, clock())
        with progress_bar("grouping the comments into themes") as advance:
            refresh_themes(store, clock(), progress=advance)
        started = time.perf_counter()
        built = build_site(store, settings.consultation, settings.site, clock())
        build_seconds = time.perf_counter() - started
        digest = write_digest(
            store,
            settings.consultation,
            settings.site,
            clock(),
            groups=REPRESENTED,
            html_path=directory / "digest" / "digest.html",
            csv_path=directory / "digest" / "digest.csv",
        )
        facts = demo_facts(store, settings.consultation)
    finally:
        store.close()
    rate = report.fetched / took if took and report.fetched else 0.0
    typer.echo(f"Sample mailbox: {count} messages in {directory / 'mailbox'}")
    typer.echo(
        f"Ingested: {report.fetched} new messages in {took:.2f} s ({rate:.0f} messages/s); "
        f"{report.parsed} parsed, {report.failed} set aside for the operator"
    )
    _echo_rules(facts, hidden)
    typer.echo(
        f"Digest for the representative ({', '.join(g.label for g in REPRESENTED)}): "
        f"{digest.submissions} submissions in {digest.html} and {digest.csv}"
    )
    if built.published:
        typer.echo(
            f"Site: {built.submissions} submissions published to {site} in {build_seconds:.2f} s "
            f"({built.written} files written, {built.unchanged} unchanged since the last build)"
        )
        typer.echo(
            f"Open {site / 'index.html'} in a browser; to search too, serve it: "
            f"python3 -m http.server -d {site} 8000"
        )
    else:
        typer.echo(f"Site not published: {built.reason}")
    typer.echo(f"Look further: mailroom status --config {config}")
    typer.echo(f"              mailroom list --config {config}")
    typer.echo(f"              mailroom queue --config {config}")


def _hide_the_advert(store: Store, now: datetime) -> str | None:
    """What an operator does on reading the queue: hide the advertisement, with a reason."""
    with store.session() as session:
        for row in from_sender(session, ADVERT.address):
            if row.moderated_by is None:
                decide(
                    session,
                    row,
                    Moderation.HIDDEN,
                    by=OPERATOR,
                    at=now,
                    reason=HIDE_REASON,
                    action="hide",
                )
            session.commit()
            return row.reference
    return None


def _echo_rules(facts: DemoFacts, hidden: str | None) -> None:
    groups = ", ".join(f"{label} {n}" for label, n in facts.groups)
    typer.echo(f"Stakeholder groups: {groups}")
    for reference, who in facts.late:
        typer.echo(f"Late: {reference} ({who}) received after the deadline; published, marked so")
    if hidden:
        typer.echo(f"Hidden: {hidden} by {OPERATOR}: {HIDE_REASON} (kept; see `mailroom history`)")
    for reference, reasons in facts.held:
        typer.echo(f"Held for the operator: {reference}: {reasons}")
    for reference, size, organisations in facts.campaigns:
        typer.echo(
            f"Campaign: {size} near-identical comments, the first {reference}, "
            f"from {organisations} organisations; each copy's page gives the count"
        )
    typer.echo("Receipts: off in the demo ([receipts] enabled = false)")
    for later, kind, earlier in facts.corrections:
        if kind == "replaces":
            typer.echo(
                f"Correction: {later} replaces {earlier} (a corrected version; both kept, the "
                "site shows the new text and links the earlier one; counted once)"
            )
        else:
            typer.echo(
                f"Addition: {later} adds to {earlier} (shown on {earlier}'s page; counted once)"
            )
    known, read = facts.countries
    typer.echo(f"Countries: {known} comments have one, {read} of them read from the letter")
    texts = sum(units for _, _, units in facts.themes)
    typer.echo(f"Themes: {len(facts.themes)} from {texts} distinct texts (mailroom themes):")
    for position, (label, size, units) in enumerate(facts.themes[:THEMES_SHOWN], start=1):
        typer.echo(f"  {position}. {label}: {size} submissions ({units} distinct texts)")
