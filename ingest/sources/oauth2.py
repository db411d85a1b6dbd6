"""Access tokens for XOAUTH2 and OAUTHBEARER logins: from a refresh token, or a command.

The refresh-token grant (RFC 6749 §6) goes through authlib's requests client, which speaks
to Microsoft's and Google's token endpoints as they are (client authentication, error
bodies, rotated refresh tokens). A token is kept in memory, per mailbox and refresh token,
and refreshed before it expires; after the server refuses one, the caller asks again with
`fresh=True`. A rotated refresh token is kept for the life of the process, and written back
to refresh_token_file when that file is writable.

Secrets never reach a log or an error: messages are scrubbed of every secret in play.
Expiry is wall-clock protocol time, like a socket timeout, not the consultation's clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SourceUnavailable
from ingest.settings import MailboxSettings, OAuth2Settings

log = logging.getLogger(__name__)

EARLY_SECONDS = 300.0  # refresh this long before expiry (or at half the lifetime, if shorter)


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    expires_at: float | None  # time.time() seconds; None: not known (a command's token)
    refreshed_at: float

    def fresh_enough(self, now: float) -> bool:
        if self.expires_at is None:
            return False  # a command is asked each time: it keeps its own cache
        early = min(EARLY_SECONDS, (self.expires_at - self.refreshed_at) / 2)
        return now < self.expires_at - early


class _Cache:
    """Tokens by mailbox and grant; rotated refresh tokens by the one they replace."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, AccessToken] = {}
        self.rotated: dict[str, str] = {}


_CACHE = _Cache()


def access_token(mailbox: MailboxSettings, *, fresh: bool = False) -> AccessToken:
    """A token to log in to `mailbox` with; `fresh` after the server refused the last one."""
    settings = mailbox.oauth2
    assert settings is not None
    where = f"mailbox {mailbox.name}"
    if settings.command is not None:
        return _from_command(where, settings.command, mailbox.timeout_seconds)
    configured = settings.refresh_token(where)
    key = f"{mailbox.name}:{_digest(configured)}"
    with _CACHE.lock:
        cached = _CACHE.tokens.get(key)
        if cached is not None and not fresh and cached.fresh_enough(time.time()):
            return cached
        refresh = _CACHE.rotated.get(key, configured)
        token, rotated = _refresh(where, settings, refresh, mailbox.timeout_seconds)
        _CACHE.tokens[key] = token
        if rotated is not None and rotated != refresh:
            _CACHE.rotated[key] = rotated
            _write_back(where, settings.refresh_token_file, rotated)
    log.info("%s: new access token from %s", where, settings.endpoint)
    return token


def _refresh(
    where: str, settings: OAuth2Settings, refresh: str, timeout: float
) -> tuple[AccessToken, str | None]:
    # Imported here: they cost half a second, which a mailbox without OAuth2 never pays.
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session

    secret = settings.client_secret(where)
    secrets = [refresh, secret or ""]
    method = "client_secret_post" if secret is not None else "none"
    session = OAuth2Session(
        settings.client_id,
        secret,
        scope=settings.scopes,
        token_endpoint_auth_method=method,
    )
    started = time.time()
    try:
        with session:
            answer = session.refresh_token(
                settings.endpoint, refresh_token=refresh, timeout=timeout
            )
    except AuthlibBaseError as exc:
        detail = scrub(f"{exc.error}: {exc.description or ''}".rstrip(": "), secrets)
        raise SourceUnavailable(
            f"{where}: the token endpoint {settings.endpoint} refused the refresh token "
            f"({detail}); sign in again to get a new refresh token and put it where "
            f"{_source_of_refresh(settings)} says"
        ) from None
    except (requests.RequestException, ValueError) as exc:
        raise SourceUnavailable(
            f"{where}: cannot get an access token from {settings.endpoint}: "
            f"{scrub(str(exc) or type(exc).__name__, secrets)}"
        ) from None
    value = answer.get("access_token")
    if not isinstance(value, str) or not value:
        raise SourceUnavailable(f"{where}: {settings.endpoint} answered without an access_token")
    expires_in = answer.get("expires_in")
    expires_at = started + float(expires_in) if expires_in else started + 3600.0
    rotated = answer.get("refresh_token")
    return AccessToken(value, expires_at, started), rotated if isinstance(rotated, str) else None


def _from_command(where: str, command: tuple[str, ...], timeout: float) -> AccessToken:
    """Run the operator's command; its first line of output is the token."""
    try:
        done = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
        raise SourceUnavailable(
            f"{where}: the oauth2 command {command[0]} failed: {reason}"
        ) from None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        said = scrub(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "", lines)
        raise SourceUnavailable(
            f"{where}: the oauth2 command {command[0]} exited with {done.returncode} "
            f"and printed no token{': ' + said if said else ''}"
        )
    return AccessToken(lines[0].strip(), None, time.time())


def _write_back(where: str, path: Path | None, token: str) -> None:
    """Keep a rotated refresh token across restarts, when the operator's file allows it."""
    if path is None:
        return
    spare = path.with_name(f".{path.name}.new")
    try:
        spare.write_text(token + "\n", encoding="utf-8")
        spare.chmod(0o600)
        spare.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            spare.unlink()
        log.warning(
            "%s: the provider rotated the refresh token but %s cannot be written (%s); the "
            "new one is kept in memory until the daemon stops",
            where,
            path,
            exc.strerror,
        )


def _source_of_refresh(settings: OAuth2Settings) -> str:
    if settings.refresh_token_env is not None:
        return f"refresh_token_env (${settings.refresh_token_env})"
    return f"refresh_token_file ({settings.refresh_token_file})"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret in it replaced: error bodies may echo what was sent."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return text


def forget_tokens() -> None:
    """Drop every cached token (tests; an operator's reload would do the same)."""
    with _CACHE.lock:
        _CACHE.tokens.clear()
        _CACHE.rotated.clear()
