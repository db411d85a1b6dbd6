"""Opening an IMAP session: TLS verified, a timeout on every call, then the login.

TLS is implicit (imaps://) or STARTTLS (imap:// off loopback); the certificate is always
verified, against the system's CAs or `ca_file`, and a refusal is never worked around.
Plain IMAP is for loopback only. The login is a password, or an OAuth2 access token
(OAUTHBEARER where the server offers it, else XOAUTH2); a refused token is replaced by a
freshly refreshed one, once.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from ingest.errors import SourceUnavailable
from ingest.settings import MailboxSettings
from ingest.sources.oauth2 import access_token, scrub

log = logging.getLogger(__name__)

KEEPALIVE = {"TCP_KEEPIDLE": 60, "TCP_KEEPINTVL": 15, "TCP_KEEPCNT": 4}  # dead in ~2 min


@dataclass(frozen=True, slots=True)
class Connected:
    """A logged-in client, and when the token it logged in with runs out (None: a password)."""

    client: IMAPClient
    token_expires_at: float | None = None


def connect(settings: MailboxSettings) -> Connected:
    """A logged-in session with the mailbox's server, or SourceUnavailable saying why."""
    where = f"mailbox {settings.name} ({settings.host}:{settings.port})"
    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    try:
        client = IMAPClient(
            settings.host,
            port=settings.port,
            ssl=settings.tls == "tls",
            ssl_context=context,
            timeout=settings.timeout_seconds,
        )
    except ssl.SSLCertVerificationError as exc:
        raise SourceUnavailable(refused_certificate(where, settings, exc)) from exc
    except (OSError, IMAPClientError) as exc:
        raise SourceUnavailable(f"{where}: cannot connect: {describe(exc)}") from exc
    client.normalise_times = False
    _keep_alive(client)
    try:
        if settings.tls == "starttls":
            client.starttls(context)
        expires = _log_in(client, settings, where)
    except ssl.SSLCertVerificationError as exc:
        _drop(client)
        raise SourceUnavailable(refused_certificate(where, settings, exc)) from exc
    except SourceUnavailable:
        _drop(client)
        raise
    except (OSError, IMAPClientError) as exc:
        _drop(client)
        detail = describe(exc)
        if settings.tls == "starttls" and "STARTTLS" in detail.upper():
            detail += "; Mailroom never logs in without TLS off loopback: use an imaps:// url"
        raise SourceUnavailable(f"{where}: {detail}") from exc
    return Connected(client, expires)


def _log_in(client: IMAPClient, settings: MailboxSettings, where: str) -> float | None:
    if settings.oauth2 is None:
        try:
            client.login(settings.user, settings.password())
        except LoginError as exc:
            raise SourceUnavailable(
                f"{where}: login as {settings.user!r} refused; check the user in url and "
                "the password"
            ) from exc
        return None
    mechanism = _mechanism(client, settings, where)
    token = access_token(settings)
    try:
        _authenticate(client, mechanism, settings.user, token.value)
    except LoginError:
        log.info("%s: %s token refused; trying once more with a fresh one", where, mechanism)
        token = access_token(settings, fresh=True)
        try:
            _authenticate(client, mechanism, settings.user, token.value)
        except LoginError as exc:
            raise SourceUnavailable(
                f"{where}: the server refused the access token for {settings.user!r} "
                f"({mechanism}), a freshly obtained one too: {scrub(str(exc), [token.value])}; "
                "check the user in url, that IMAP is enabled for the account, and the app's "
                "permission (scope)"
            ) from None
    return token.expires_at


def _mechanism(client: IMAPClient, settings: MailboxSettings, where: str) -> str:
    assert settings.oauth2 is not None
    offered = {c.decode().upper() for c in client.capabilities() if c.upper().startswith(b"AUTH=")}
    wanted = settings.oauth2.mechanism.upper()
    if wanted == "AUTO":
        for choice in ("OAUTHBEARER", "XOAUTH2"):
            if f"AUTH={choice}" in offered:
                return choice
        raise SourceUnavailable(
            f"{where}: the server offers neither OAUTHBEARER nor XOAUTH2 "
            f"(it offers {', '.join(sorted(offered)) or 'no AUTH mechanism'}); "
            "it cannot take an OAuth2 token"
        )
    if f"AUTH={wanted}" not in offered:
        log.warning("%s: the server does not list AUTH=%s; trying it anyway", where, wanted)
    return wanted


def _authenticate(client: IMAPClient, mechanism: str, user: str, token: str) -> None:
    if mechanism == "OAUTHBEARER":
        client.oauthbearer_login(user, token)
    else:
        client.oauth2_login(user, token)


def refused_certificate(
    where: str, settings: MailboxSettings, exc: ssl.SSLCertVerificationError
) -> str:
    trusted = f"ca_file {settings.ca_file}" if settings.ca_file else "the system's CAs"
    reason = exc.verify_message or exc.reason or str(exc)
    return (
        f"{where}: the server's TLS certificate was refused ({reason}; checked against "
        f"{trusted}); Mailroom does not connect without a valid certificate: if the server "
        "uses a private CA, set ca_file to that CA's certificate"
    )


def _keep_alive(client: IMAPClient) -> None:
    """TCP keepalive, so a connection dead without a goodbye is noticed even in IDLE."""
    with contextlib.suppress(OSError, AttributeError):
        sock = client.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in KEEPALIVE.items():
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def _drop(client: IMAPClient) -> None:
    with contextlib.suppress(OSError, IMAPClientError):
        client.shutdown()


def close(client: IMAPClient) -> None:
    """Log out politely; shut the socket if the server is gone."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        _drop(client)


def describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
