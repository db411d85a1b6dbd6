"""Is the daemon doing its job? What `mailroom health` checks, for a person or a probe.

Unhealthy: the database cannot be read; a mailbox has been failing for longer than
`[health] mailbox_failing_minutes`, or has not been read successfully for that long (is the
daemon running?); or, from the posting date on, the public site is older than the newest
public comment by more than `site_lag_minutes`. The numbers come from the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from mailroom.config import Settings
from publish.due import PUBLIC, site_is_due
from store import DatabaseUnavailable, Store, open_store
from store.monitoring import failing_since, last_publication, newest_public_change
from store.queries import MailboxStatus, mailbox_status


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    subject: str
    detail: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def check_health(settings: Settings, now: datetime) -> list[Finding]:
    """Every check, in order; the database first, since the others read it."""
    where = _safe_url(settings.store.url)
    missing = _missing_sqlite(settings.store.url)
    if missing is not None:
        return [Finding(False, "database", f"{where}: no database file at {missing}")]
    try:
        store = open_store(settings.store, upgrade=False)  # a probe changes nothing
    except DatabaseUnavailable as exc:
        return [Finding(False, "database", str(exc))]
    try:
        return _checks(settings, store, now, where)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return [Finding(False, "database", f"{where}: cannot read it: {reason}")]
    finally:
        store.close()


def _checks(settings: Settings, store: Store, now: datetime, where: str) -> list[Finding]:
    limits = settings.health
    with store.reader() as session:
        states = {m.mailbox: m for m in mailbox_status(session)}
        since = {
            name: failing_since(session, name, state.last_success_at)
            for name, state in states.items()
            if state.last_error
        }
        published = last_publication(session)
        newest = newest_public_change(session, PUBLIC)
    findings = [Finding(True, "database", f"{where}: readable")]
    allowed = timedelta(minutes=limits.mailbox_failing_minutes)
    for mailbox in settings.mailboxes:
        state = states.get(mailbox.name)
        findings.append(_mailbox(mailbox.name, state, since.get(mailbox.name), now, allowed))
    grace = timedelta(minutes=limits.site_lag_minutes)
    findings.append(_site(settings, now, published.built_at if published else None, newest, grace))
    return findings


def _mailbox(
    name: str,
    state: MailboxStatus | None,
    failing: datetime | None,
    now: datetime,
    allowed: timedelta,
) -> Finding:
    subject = f"mailbox {name}"
    if state is None or state.last_poll_at is None:
        return Finding(True, subject, "not read yet")
    if state.last_error:
        start = failing or state.last_poll_at
        minutes = (now - start).total_seconds() / 60
        ok = now - start <= allowed
        return Finding(ok, subject, f"failing for {minutes:.0f} min: {state.last_error}")
    success = state.last_success_at or state.last_poll_at
    if now - success > allowed:
        minutes = (now - success).total_seconds() / 60
        return Finding(
            False,
            subject,
            f"no successful poll for {minutes:.0f} min (since {success.isoformat()}); "
            "is `mailroom run` running?",
        )
    return Finding(True, subject, f"read {_ago(now, success)}, {state.messages_stored} stored")


def _site(
    settings: Settings,
    now: datetime,
    built: datetime | None,
    newest: datetime | None,
    grace: timedelta,
) -> Finding:
    if not site_is_due(settings.consultation, now):
        return Finding(True, "site", "not public before the posting date")
    if newest is None:
        return Finding(True, "site", "no public comment yet")
    if built is not None and built >= newest:
        return Finding(True, "site", f"built {_ago(now, built)}, after the newest public comment")
    late = now - newest
    said = f"built {built.isoformat()}" if built else "never built"
    return Finding(
        late <= grace,
        "site",
        f"{said}; the newest public comment is from {newest.isoformat()} "
        f"({late.total_seconds() / 60:.0f} min ago)",
    )


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0.0, (now - then).total_seconds())
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "[store] url"


def _missing_sqlite(url: str) -> Path | None:
    """A SQLite file that is not there: opening it would create an empty one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "")
    return None if path.exists() else path
