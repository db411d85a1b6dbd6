"""A real SMTP server on loopback (aiosmtpd) that receipts are delivered to in tests.

STARTTLS (required) or implicit TLS with a certificate from a private CA (trustme), and AUTH
LOGIN/PLAIN with one user: what a consultation's submission server asks of Mailroom.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USER, PASSWORD = "mailroom", "s3cret-receipts"
HOST = "127.0.0.1"


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated_as: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    delivered: list[Delivered] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = session.auth_data.login.decode() if session.authenticated else None
        self.delivered.append(
            Delivered(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content or b""),
                authenticated_as=login,
                tls=server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 queued"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=data)


@dataclass
class SmtpPeer:
    port: int
    ca_file: Path
    handler: Handler
    implicit_tls: bool

    @property
    def delivered(self) -> list[Delivered]:
        return self.handler.delivered


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class _TlsController(Controller):
    """Implicit TLS: the whole session is wrapped, as on port 465."""

    def __init__(self, handler: Any, context: ssl.SSLContext, **kwargs: Any) -> None:
        super().__init__(handler, ssl_context=context, **kwargs)

    def _trigger_server(self) -> None:  # the readiness probe must speak TLS too
        client_context = ssl.create_default_context()
        client_context.check_hostname = False
        client_context.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection((self.hostname, self.port), 5) as raw,
            client_context.wrap_socket(raw) as tls,
        ):
            tls.recv(1024)
            tls.sendall(b"QUIT\r\n")


@contextmanager
def smtp_peer(
    directory: Path, *, implicit_tls: bool = False, port: int | None = None
) -> Iterator[SmtpPeer]:
    ca = trustme.CA()
    certificate = ca.issue_cert(HOST, "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    ca_file = directory / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    handler = Handler()
    chosen = port or free_port()
    options: dict[str, Any] = {
        "hostname": HOST,
        "port": chosen,
        "authenticator": _authenticate,
        "auth_required": True,
    }
    controller: Controller
    if implicit_tls:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; here the whole session is TLS.
        controller = _TlsController(handler, server_context, auth_require_tls=False, **options)
    else:
        controller = Controller(
            handler, tls_context=server_context, require_starttls=True, **options
        )
    controller.start()
    try:
        yield SmtpPeer(chosen, ca_file, handler, implicit_tls)
    finally:
        controller.stop()
