"""The `mailroom` command: reads config.toml, sets the clock, and calls ingest, store and publish.

Nothing a test needs lives only here: every command is a few lines around a
function of one of the three parts.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import ArgumentError, DBAPIError

from ingest import MailboxSettings, SourceUnavailable, poll_once, reparse_all, reparse_failed
from ingest.classification import classify_pending
from ingest.errors import SmtpUnavailable
from mailroom import views
from mailroom.app import (
    EXIT_PROBLEMS,
    ConfigOption,
    JsonOption,
    NowOption,
    VerboseOption,
    app,
    fail,
    opened,
    setup,
)
from mailroom.clock import Clock
from mailroom.config import ConfigError, Settings
from mailroom.privacy_view import privacy_lines
from mailroom.progress import progress_bar
from publish import OutputInUse, PreviewClash, SearchIndexFailed, SiteUnwritable, build_site
from publish.due import site_is_due
from publish.privacy import last_report
from publish.themes import refresh_themes
from store import DatabaseUnavailable, open_store
from store.moderation import moderation_counts
from store.monitoring import set_aside, site_state
from store.queries import (
    count_problems,
    count_submissions,
    iter_submissions,
    mailbox_status,
    recent_problems,
    submissions_by_status,
)
from store.receipts import receipt_counts
from store.senders import sender_counts


@app.command("check-config")
def check_config(config: ConfigOption = Path("config.toml"), now: NowOption = None) -> None:
    """Read the config file, say what it means, and report anything wrong."""
    settings, clock = setup(config, now)
    c = settings.consultation
    typer.echo(f"{settings.path}: valid")
    typer.echo(f"  consultation {c.reference}")
    texts = c.title.explain("title") + (c.organiser.explain("organiser") if c.organiser else [])
    typer.echo("\n".join(f"  {line}" for line in texts))
    typer.echo(f"  comments to {c.address}; references look like {c.submission_prefix}/0001")
    typer.echo(f"  deadline     {c.deadline.isoformat()}  ({c.timezone})")
    typer.echo(f"  posting date {c.posting_date.isoformat()}  ({c.timezone})")
    typer.echo(f"  now          {clock().astimezone(c.zone).isoformat()}")
    problems = 0
    for mailbox in settings.mailboxes:
        secret = ""
        if mailbox.is_imap:
            secret, problem = _login(mailbox)
            if problem:
                problems += 1
                secret += f"  !! {problem}"
        after = (
            mailbox.after_store if mailbox.after_store == "flag" else f"move to {mailbox.move_to}"
        )
        typer.echo(f"  mailbox {mailbox.name}: {mailbox.url}{secret}; stored mail: {after}")
    if not settings.mailboxes:
        typer.echo("  no [[mailbox]] entries: `mailroom poll` will have nothing to read")
    problems += _explain_rules(settings)
    typer.echo(f"  database {settings.store.url}; raw archive {settings.store.archive}")
    typer.echo(f"  site {settings.site.output}; polling every {settings.daemon.poll_minutes} min")
    policies = settings.site.attachments.model_dump(exclude={"seconds", "memory_mb"})
    typer.echo("  attachments: " + ", ".join(f"{kind} {how}" for kind, how in policies.items()))
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)


def _login(mailbox: MailboxSettings) -> tuple[str, str | None]:
    """How the mailbox logs in, and what is wrong with it; no secret is shown."""
    where = f"mailbox {mailbox.name}"
    oauth = mailbox.oauth2
    try:
        if oauth is None:
            source = f"${mailbox.password_env}" if mailbox.password_env else "file "
            line = f", password from {source}{mailbox.password_file or ''}"
            mailbox.password()
        elif oauth.command is not None:
            line = f", OAuth2 token from the command {oauth.command[0]}"
            if shutil.which(oauth.command[0]) is None:
                return line, f"{oauth.command[0]}: no such program"
        else:
            refresh = oauth.refresh_token_env or oauth.refresh_token_file
            line = (
                f", OAuth2 ({oauth.provider}, client {oauth.client_id}) at {oauth.endpoint}, "
                f"refresh token from {'$' if oauth.refresh_token_env else 'file '}{refresh}"
            )
            oauth.refresh_token(where)
            oauth.client_secret(where)
    except SourceUnavailable as exc:
        return line, str(exc)
    security = {"tls": "TLS", "starttls": "STARTTLS", "plain": "no TLS (loopback)"}[mailbox.tls]
    return line + f", {security}" + (", waits in IDLE" if mailbox.idle else ""), None


def _explain_rules(settings: Settings) -> int:
    """The consultation's rules in a few lines; the number of problems found."""
    m = settings.moderation
    mode = "nothing public until approved" if m.mode == "pre" else "public unless hidden"
    typer.echo(f"  moderation {m.mode} ({mode}); late comments: {m.late}")
    builtin = "on" if settings.groups.builtin else "off"
    typer.echo(
        f"  stakeholder groups: {len(settings.group_rules)} [[group_rule]] entries, "
        f"built-in rules {builtin}"
    )
    if not settings.receipts.enabled or settings.smtp is None:
        typer.echo("  receipts off")
        return 0
    smtp = settings.smtp
    line = f"  receipts on, via {smtp.host}:{smtp.effective_port} ({smtp.security})"
    if smtp.user:
        line += f" as {smtp.user}"
        try:
            smtp.password()
        except SmtpUnavailable as exc:
            typer.echo(f"{line}  !! {exc}")
            return 1
    typer.echo(line)
    return 0


@app.command()
def poll(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    mailbox: Annotated[
        str | None, typer.Option(help="Poll only this [[mailbox]] (by name).")
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Read every mailbox once: store each new message exactly once, then parse it."""
    settings, clock = setup(config, now, verbose)
    chosen = [settings.mailbox(mailbox)] if mailbox else list(settings.mailboxes)
    if not chosen:
        raise fail(f"{settings.path}: no [[mailbox]] entries to poll")
    failed = False
    with opened(settings) as store:
        for entry in chosen:
            with progress_bar(f"polling {entry.name}") as advance:
                report = poll_once(
                    entry,
                    store,
                    prefix=settings.consultation.submission_prefix,
                    now=clock,
                    progress=advance,
                    limits=settings.limits,
                    rules=settings.intake_rules,
                )
            typer.echo(
                f"{entry.name}: {report.fetched} fetched, {report.new_submissions} new "
                f"submissions, {report.already_held} already held, {report.parsed} parsed, "
                f"{report.failed} could not be parsed"
                + (" (skipped: another poller is running)" if report.skipped_locked else "")
            )
            if report.rules is not None:
                typer.echo(f"  rules: {views.rules_summary(report.rules)}")
            for error in report.errors:
                typer.echo(f"  error: {error}", err=True)
            failed = failed or bool(report.errors)
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def publish(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    preview: Annotated[
        Path | None,
        typer.Option(help="Render now into this folder, marked 'not yet public' and noindex."),
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Build the public site (from the posting date on), or a preview of it (any time)."""
    settings, clock = setup(config, now, verbose)
    started = time.perf_counter()
    with opened(settings) as store:
        if preview or site_is_due(settings.consultation, clock()):
            with progress_bar("themes") as advance:
                refresh_themes(store, clock(), progress=advance)
        try:
            with progress_bar("publishing") as advance:
                report = build_site(
                    store,
                    settings.consultation,
                    settings.site,
                    clock(),
                    preview=preview.absolute() if preview else None,
                    progress=advance,
                )
        except (OutputInUse, PreviewClash, SearchIndexFailed, SiteUnwritable) as exc:
            raise fail(str(exc)) from exc
    if not report.published:
        typer.echo(f"Nothing published: {report.reason}. To look early: --preview DIR")
        return
    kind = "Preview" if preview else "Site"
    typer.echo(
        f"{kind} written to {report.output}: {report.submissions} submissions, "
        f"{report.attachments} attachments, {report.pages} pages; {report.written} files "
        f"written, {report.unchanged} unchanged since the last build, in "
        f"{time.perf_counter() - started:.2f} s"
    )
    withheld = [{"path": w.path, "reason": w.reason} for w in report.withheld]
    for line in privacy_lines(withheld, report.not_published):
        typer.echo(line)


@app.command()
def status(
    config: ConfigOption = Path("config.toml"), now: NowOption = None, json: JsonOption = False
) -> None:
    """Each mailbox's last poll and checkpoint, submissions by state, and recorded problems."""
    settings, clock = setup(config, now)
    try:
        store = open_store(settings.store)
        try:
            with store.reader() as session:
                report = views.status_json(
                    settings,
                    mailbox_status(session),
                    submissions_by_status(session),
                    recent_problems(session),
                    count_problems(session),
                    clock(),
                )
                report["moderation"] = moderation_counts(session)
                report["receipts"] = receipt_counts(session)
                report["senders"] = sender_counts(session)
                report["site"] = views.site_json(settings.site.output, site_state(session))
                report.update(views.set_aside_json(*set_aside(session)))
        finally:
            store.close()
    except DatabaseUnavailable as exc:
        if isinstance(exc.__cause__, ArgumentError):  # the URL itself is wrong: a config error
            raise fail(f"{settings.path}: [store] url: {exc}") from exc
        raise _database_down(settings, exc, json) from exc
    except DBAPIError as exc:
        raise _database_down(settings, exc, json) from exc
    report["database"] = {"reachable": True, "url": views.safe_url(settings.store.url)}
    report["site_privacy"] = last_report(settings.site.output)
    if json:
        import json as json_module

        typer.echo(json_module.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(views.status_text(report))


def _database_down(settings: Settings, exc: Exception, json: bool) -> typer.Exit:
    """What status says when it cannot read the database: the daemon's state lives there."""
    report = views.database_down_json(settings.store.url, exc)
    if json:
        import json as json_module

        typer.echo(json_module.dumps(report, ensure_ascii=False, indent=2))
    return fail(f"{settings.path}: [store] url: {report['database']['error']}", EXIT_PROBLEMS)


@app.command("list")
def list_submissions(
    config: ConfigOption = Path("config.toml"), now: NowOption = None, json: JsonOption = False
) -> None:
    """One line per submission, in reference order (or a JSON array with --json)."""
    settings, _ = setup(config, now)
    with opened(settings) as store, store.reader() as session:
        views_iter = iter_submissions(session)
        if json:
            views.write_json_array(
                (views.submission_json(v, settings.consultation) for v in views_iter), sys.stdout
            )
            return
        if count_submissions(session) == 0:
            typer.echo("No submissions yet.")
        for view in views_iter:
            typer.echo(views.submission_line(view))


@app.command()
def reparse(
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    verbose: VerboseOption = False,
    failed_only: Annotated[
        bool,
        typer.Option(
            "--failed", help="Only read again what could not be read (see `mailroom status`)."
        ),
    ] = False,
) -> None:
    """Rebuild every email submission's record from the raw archive; references stay the same."""
    settings, clock = setup(config, now, verbose)
    if failed_only:
        _reparse_failed(settings, clock)
        return
    with opened(settings) as store:
        with store.reader() as session:
            total = count_submissions(session)
        with progress_bar("reparsing", total=total) as advance:
            parsed, failed = reparse_all(store, clock(), progress=advance, limits=settings.limits)
        with progress_bar("applying the rules", total=total) as advance:
            judged = classify_pending(
                store, settings.intake_rules, clock(), redo=True, progress=advance
            )
    typer.echo(f"Reparsed {parsed + failed} submissions: {parsed} parsed, {failed} failed.")
    typer.echo(f"Rules: {views.rules_summary(judged)}")


def _reparse_failed(settings: Settings, clock: Clock) -> None:
    """The set-aside submissions, read again; those now read are judged by the rules."""
    with opened(settings) as store:
        with progress_bar("reading again") as advance:
            parsed, failed = reparse_failed(
                store, clock(), progress=advance, limits=settings.limits
            )
        judged = classify_pending(store, settings.intake_rules, clock())
    typer.echo(
        f"Read again what could not be read: {parsed} parsed, {failed} could not be read "
        "(see `mailroom status`)."
    )
    typer.echo(f"Rules: {views.rules_summary(judged)}")


@app.command()
def run(
    config: ConfigOption = Path("config.toml"), now: NowOption = None, verbose: VerboseOption = True
) -> None:
    """The daemon: poll every few minutes, publish at the posting date and after new comments.

    Stops cleanly on SIGTERM or SIGINT once the batch in flight is stored.
    """
    from mailroom.daemon import run_daemon

    settings, clock = setup(config, now, verbose)
    with opened(settings) as store:
        try:
            run_daemon(settings, store, clock)
        except ConfigError as exc:
            raise fail(str(exc)) from exc


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the sample mailbox, database and archive go.")
    ] = Path("demo"),
    site: Annotated[Path, typer.Option(help="Where the site goes.")] = Path("site"),
    now: NowOption = None,
) -> None:
    """Write a sample consultation mailbox, ingest it into SQLite, and publish its site."""
    from mailroom.demo import run_demo

    try:
        run_demo(directory.absolute(), site.absolute(), now)
    except (OutputInUse, SearchIndexFailed) as exc:
        raise fail(str(exc)) from exc


def main() -> None:
    app()


# The other commands register themselves on `app` when their modules are imported.
import mailroom.cli_channels  # noqa: E402
import mailroom.cli_corrections  # noqa: E402
import mailroom.cli_digest  # noqa: E402
import mailroom.cli_files  # noqa: E402
import mailroom.cli_health  # noqa: E402
import mailroom.cli_moderation  # noqa: E402
import mailroom.cli_rules  # noqa: E402
import mailroom.cli_submission  # noqa: E402
import mailroom.cli_themes  # noqa: E402, F401
