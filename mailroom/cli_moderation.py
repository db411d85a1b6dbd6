"""Moderation commands: the queue, approve, hide, withdraw, edit, history, and the senders'
requests to withdraw or to be published anonymously. Each action is recorded with who
(`--by`, MAILROOM_OPERATOR, or the login) and when (`--now`, or the clock).
"""

from __future__ import annotations

import json as json_module
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from mailroom.app import ConfigOption, JsonOption, NowOption, app, fail, opened, setup
from mailroom.config import Settings
from mailroom.operator import ByOption, ReasonOption, operator_name
from mailroom.rules_view import event_json, event_line, rules_json, rules_lines
from mailroom.views import set_aside_json, set_aside_lines, submission_line_of
from store.models import Moderation, Submission
from store.moderation import (
    ModerationError,
    count_queue,
    decide,
    edit_public,
    find_for_update,
    history,
    queue,
    requests_waiting,
)
from store.monitoring import set_aside
from store.queries import find_submission

References = Annotated[list[str], typer.Argument(help="References, e.g. DESA-10-3078/0042 or 42.")]
Reference = Annotated[str, typer.Argument(help="A reference, e.g. DESA-10-3078/0042 or 42.")]
Action = Callable[[Session, Submission], str]


def _act(settings: Settings, references: list[str], action: Action) -> None:
    """Apply `action` to each submission in one transaction: all of them, or none."""
    with opened(settings) as store, store.session() as session:
        done = []
        for reference in references:
            row = find_for_update(session, reference)
            if row is None:
                raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
            try:
                done.append(action(session, row))
            except ModerationError as exc:
                raise fail(f"{row.reference}: {exc}", 1) from exc
        session.commit()
    for line in done:
        typer.echo(line)


@app.command("queue")
def moderation_queue(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
    held: Annotated[
        bool, typer.Option("--held", help="Only what the rules held (spam, DMARC, late...).")
    ] = False,
) -> None:
    """Submissions waiting for the operator, with why the rules held them."""
    settings, _ = setup(config, now)
    consultation = settings.consultation
    with opened(settings) as store, store.reader() as session:
        after, first = 0, True
        if json:
            typer.echo("[", nl=False)
        elif count_queue(session) == 0:
            typer.echo("The moderation queue is empty.")
        while rows := queue(session, after_number=after, held_only=held):
            for row in rows:
                if json:
                    item = {"reference": row.reference, "subject": row.subject}
                    item.update(rules_json(row, consultation))
                    typer.echo(("\n  " if first else ",\n  ") + json_module.dumps(item), nl=False)
                    first = False
                else:
                    typer.echo(submission_line_of(row))
                    for line in rules_lines(row, consultation):
                        typer.echo(line)
            after = rows[-1].number
            session.expunge_all()
        if json:
            typer.echo("\n]" if not first else "]")
            return
        # Not in the queue, since not parsed: said here so no one thinks them lost.
        lines = set_aside_lines(set_aside_json(*set_aside(session)))
        if lines:
            typer.echo("")
        for line in lines:
            typer.echo(line)


@app.command()
def approve(
    references: References,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    reason: ReasonOption = None,
) -> None:
    """Approve submissions: they are public from the posting date."""
    who = operator_name(by)
    settings, clock = setup(config, now)

    def act(session: Session, row: Submission) -> str:
        decide(
            session, row, Moderation.APPROVED, by=who, at=clock(), reason=reason, action="approve"
        )
        return f"{row.reference}: approved by {who}"

    _act(settings, references, act)


@app.command()
def hide(
    references: References,
    reason: Annotated[str, typer.Option("--reason", help="Why it is hidden (required, kept).")],
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
) -> None:
    """Hide submissions from the site, with a reason. Nothing is deleted."""
    who = operator_name(by)
    settings, clock = setup(config, now)

    def act(session: Session, row: Submission) -> str:
        decide(session, row, Moderation.HIDDEN, by=who, at=clock(), reason=reason, action="hide")
        return f"{row.reference}: hidden by {who} ({reason})"

    _act(settings, references, act)


@app.command()
def withdraw(
    references: References,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    reason: ReasonOption = None,
) -> None:
    """Withdraw submissions at the sender's request: never published, still kept."""
    who = operator_name(by)
    settings, clock = setup(config, now)
    why = reason or "withdrawn at the sender's request"

    def act(session: Session, row: Submission) -> str:
        decide(
            session, row, Moderation.WITHDRAWN, by=who, at=clock(), reason=why, action="withdraw"
        )
        return f"{row.reference}: withdrawn by {who} ({why})"

    _act(settings, references, act)


@app.command()
def edit(
    reference: Reference,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    reason: ReasonOption = None,
    name: Annotated[str | None, typer.Option(help="The name the site shows.")] = None,
    organisation: Annotated[
        str | None, typer.Option(help="The organisation the site shows.")
    ] = None,
    anonymous: Annotated[
        bool | None,
        typer.Option("--anonymous/--named", help="Publish without the sender's name, or with it."),
    ] = None,
) -> None:
    """Edit what the site shows as the sender; the original headers are kept as data."""
    if name is None and organisation is None and anonymous is None:
        raise fail("nothing to change: give --name, --organisation, --anonymous or --named", 1)
    who = operator_name(by)
    settings, clock = setup(config, now)

    def act(session: Session, row: Submission) -> str:
        changes = edit_public(
            session,
            row,
            by=who,
            at=clock(),
            name=name,
            organisation=organisation,
            anonymous=anonymous,
            reason=reason,
        )
        if not changes:
            return f"{row.reference}: nothing changed"
        listed = ", ".join(f"{k} {v[0]!r} -> {v[1]!r}" for k, v in changes.items())
        return f"{row.reference}: {listed} (by {who})"

    _act(settings, [reference], act)


@app.command("history")
def show_history(
    reference: Reference,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Every decision about a submission: who, when, what and why."""
    settings, _ = setup(config, now)
    with opened(settings) as store, store.reader() as session:
        view = find_submission(session, reference)
        if view is None or view.submission.id is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        events = history(session, view.submission.id)
    if json:
        typer.echo(json_module.dumps([event_json(e) for e in events], ensure_ascii=False, indent=2))
        return
    typer.echo(f"{view.submission.reference}: {view.submission.moderation.value}")
    for event in events:
        typer.echo(f"  {event_line(event)}")
    if not events:
        typer.echo("  no decisions recorded yet")


@app.command()
def requests(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Replies to receipts asking to withdraw a comment or to publish it anonymously."""
    settings, _ = setup(config, now)
    with opened(settings) as store, store.reader() as session:
        rows = requests_waiting(session)
        items = []
        for row in rows:
            original = session.get(Submission, row.request_for_id)
            items.append(
                {
                    "reference": row.reference,
                    "request": row.request_kind,
                    "for": original.reference if original else None,
                    "same_sender": bool(original)
                    and original is not None
                    and original.sender_address.lower() == row.sender_address.lower(),
                }
            )
    if json:
        typer.echo(json_module.dumps(items, indent=2))
        return
    if not items:
        typer.echo("No requests waiting.")
    for item in items:
        typer.echo(
            f"{item['reference']}: {item['request']} for {item['for']}"
            + ("" if item["same_sender"] else "  !! not from the original sender's address")
            + f"  -> mailroom apply-request {item['reference']}"
        )


@app.command("apply-request")
def apply_request(
    reference: Reference,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    by: ByOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--as", help="Apply as `withdraw` or `anonymous`, whatever the reply said."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Apply even if the reply is not from the original sender.")
    ] = False,
) -> None:
    """Apply a sender's reply to their receipt: withdraw the comment, or make it anonymous."""
    who = operator_name(by)
    settings, clock = setup(config, now)

    def act(session: Session, reply: Submission) -> str:
        if reply.request_for_id is None:
            raise ModerationError("is not a reply to one of our receipts")
        original = session.get_one(Submission, reply.request_for_id)
        asked = kind or reply.request_kind
        if asked not in ("withdraw", "anonymous"):
            raise ModerationError(
                f"asks for {asked!r}, not withdraw or anonymous; read it, then use "
                "`mailroom withdraw` or `mailroom edit`, or --as withdraw|anonymous"
            )
        if original.sender_address.lower() != reply.sender_address.lower() and not force:
            raise ModerationError(
                f"comes from another address than {original.reference}; check, then --force"
            )
        at = clock()
        if asked == "withdraw":
            why = f"withdrawn at the sender's request ({reply.reference})"
            decide(
                session,
                original,
                Moderation.WITHDRAWN,
                by=who,
                at=at,
                reason=why,
                action="withdraw",
            )
        else:
            why = f"the sender asked to be published anonymously ({reply.reference})"
            edit_public(session, original, by=who, at=at, anonymous=True, reason=why)
        decide(
            session,
            reply,
            Moderation.HIDDEN,
            by=who,
            at=at,
            reason=f"a request about {original.reference}, applied",
            action="hide",
        )
        return f"{original.reference}: {why} (by {who})"

    _act(settings, [reference], act)
