"""The operator's rulings on the rules: on time or late, stakeholder group, country; running
the rules again; and the receipts log.
"""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import typer

from ingest.classification import classify_pending, reclassify
from ingest.countries import country_code
from ingest.groups import group_for_word
from ingest.receipts import send_due_receipts
from mailroom.app import (
    EXIT_PROBLEMS,
    ConfigOption,
    JsonOption,
    NowOption,
    app,
    fail,
    opened,
    setup,
)
from mailroom.operator import ByOption, ReasonOption, operator_name
from mailroom.progress import progress_bar
from store.models import StakeholderGroup
from store.moderation import ModerationError, find_for_update, set_country, set_group, set_on_time
from store.queries import count_submissions
from store.receipts import interrupted_sends, receipt_counts
from store.senders import confirm_country, confirm_organisation

Reference = Annotated[str, typer.Argument(help="A reference, e.g. DESA-10-3078/0042 or 42.")]
RULINGS = {"yes": True, "no": False, "auto": None}


@app.command("on-time")
def on_time(
    reference: Reference,
    ruling: Annotated[
        str, typer.Argument(help="yes (on time), no (late), or auto (the mailbox's clock).")
    ],
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    reason: ReasonOption = None,
) -> None:
    """Rule a submission on time or late, overriding the mailbox's clock, with a reason."""
    if ruling not in RULINGS:
        raise fail(f"ruling must be yes, no or auto, not {ruling!r}", 1)
    settings, clock = setup(config, now)
    who = operator_name(by)
    with opened(settings) as store:
        with store.session() as session:
            row = find_for_update(session, reference)
            if row is None or row.id is None:
                raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
            try:
                set_on_time(session, row, RULINGS[ruling], by=who, at=clock(), reason=reason)
            except ModerationError as exc:
                raise fail(f"{row.reference}: {exc}", 1) from exc
            session.commit()
            ident, ref = row.id, row.reference
        reclassify(store, settings.intake_rules, [ident], clock())
        with store.reader() as session:
            after = find_for_update(session, ref)
            state = after.moderation.value if after else "?"
    verdict = {"yes": "on time", "no": "late", "auto": "as the mailbox's clock says"}[ruling]
    typer.echo(f"{ref}: ruled {verdict} by {who}; moderation now {state}")


@app.command("group")
def stakeholder_group(
    reference: Reference,
    group: Annotated[
        str | None,
        typer.Argument(
            help="governments, civil_society, intergovernmental, private_sector, "
            "technical_community or unclassified; omit to confirm the suggestion."
        ),
    ] = None,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
) -> None:
    """Confirm the suggested stakeholder group, or set another; the rules then leave it be."""
    chosen: StakeholderGroup | None = None
    if group is not None:
        chosen = group_for_word(group)
        if chosen is None:
            known = ", ".join(g.value for g in StakeholderGroup)
            raise fail(f"unknown stakeholder group {group!r}; one of: {known}", 1)
    settings, clock = setup(config, now)
    who = operator_name(by)
    with opened(settings) as store, store.session() as session:
        row = find_for_update(session, reference)
        if row is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        set_group(session, row, chosen or row.stakeholder_group, by=who, at=clock())
        session.commit()
        typer.echo(f"{row.reference}: {row.stakeholder_group.label} (confirmed by {who})")


@app.command("country")
def submitter_country(
    reference: Reference,
    country: Annotated[
        str | None,
        typer.Argument(
            help="An ISO 3166 code (GH) or name; `none` clears; omit to confirm the suggestion."
        ),
    ] = None,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
) -> None:
    """Set the submitter's country, or confirm the one suggested (the operator's word wins
    over every guess; `mailroom show REF` gives the words a suggestion was read from)."""
    code = None
    if country is not None and country.lower() != "none":
        code = country_code(country)
        if code is None:
            raise fail(f"unknown country {country!r}: give an ISO 3166 code (GH) or a name", 1)
    settings, clock = setup(config, now)
    who = operator_name(by)
    with opened(settings) as store, store.session() as session:
        row = find_for_update(session, reference)
        if row is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        if country is None:
            try:
                code = confirm_country(session, row, by=who, at=clock())
            except ValueError as exc:
                raise fail(str(exc), 1) from exc
            session.commit()
            typer.echo(f"{row.reference}: country {code} (confirmed by {who})")
            return
        set_country(session, row, code, by=who, at=clock())
        session.commit()
        typer.echo(f"{row.reference}: country {code or 'cleared'} (by {who})")


@app.command("organisation")
def submitter_organisation(
    reference: Reference,
    name: Annotated[
        str | None,
        typer.Argument(help="The organisation's name; omit to confirm the suggested one."),
    ] = None,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
) -> None:
    """Confirm the organisation read from the signature or the letter, or give the right one."""
    settings, clock = setup(config, now)
    who = operator_name(by)
    with opened(settings) as store, store.session() as session:
        row = find_for_update(session, reference)
        if row is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        try:
            value = confirm_organisation(session, row, name, by=who, at=clock())
        except ValueError as exc:
            raise fail(str(exc), 1) from exc
        session.commit()
        typer.echo(f"{row.reference}: organisation {value!r} (confirmed by {who})")


@app.command()
def classify(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Judge every submission again (after changing the rules)."),
    ] = False,
) -> None:
    """Apply the consultation's rules to what waits for them (poll does this after parsing).

    With --all, after changing the group rules or the moderation settings, every submission
    is judged again; what an operator decided (groups, countries, moderation) stays.
    """
    settings, clock = setup(config, now)
    with opened(settings) as store:
        with store.reader() as session:
            total = count_submissions(session)
        with progress_bar("applying the rules", total=total) as advance:
            report = classify_pending(
                store, settings.intake_rules, clock(), redo=everything, progress=advance
            )
    typer.echo(
        f"Judged {report.judged}: {report.held} held for the operator, {report.duplicates} "
        f"duplicates, {report.campaign_members} in campaigns ({report.comparisons} comparisons)"
    )


@app.command()
def receipts(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
    send: Annotated[bool, typer.Option("--send", help="Send what is due now.")] = False,
) -> None:
    """Receipts by status; with --send, send those due (poll and the daemon do this too)."""
    settings, clock = setup(config, now)
    rules = settings.intake_rules
    if send and not rules.receipts_on:
        raise fail(f"{settings.path}: [receipts] enabled is false; nothing is sent", 1)
    with opened(settings) as store:
        sent = send_due_receipts(store, rules, clock()) if send else None
        with store.reader() as session:
            counts = receipt_counts(session)
            interrupted = interrupted_sends(session)
    if json:
        report = {"receipts": counts, "interrupted": interrupted, "enabled": rules.receipts_on}
        if sent is not None:
            report["sent_now"] = {"sent": sent.sent, "failed": sent.failed}
        typer.echo(json_module.dumps(report, indent=2))
    else:
        state = "on" if rules.receipts_on else "off ([receipts] enabled = false)"
        typer.echo(f"Receipts {state}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        if interrupted:
            typer.echo(
                f"Interrupted sends: {interrupted} (cut off before they were recorded, then sent "
                "again with the same Message-ID: a sender may hold the same receipt twice)"
            )
        if sent is not None:
            typer.echo(f"Sent now: {sent.sent}; failed: {sent.failed} (retried later)")
    if sent is not None and sent.failed:
        raise typer.Exit(EXIT_PROBLEMS)
