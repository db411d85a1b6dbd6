"""TLS against a real Dovecot with a certificate from a test CA: implicit TLS and STARTTLS
verify it, a certificate that does not check out is refused with a clear message (never
worked around), and a server that says nothing runs into the timeout."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ingest.errors import SourceUnavailable
from ingest.settings import MailboxSettings
from ingest.sources.connection import close, connect
from tests.conftest import SecureServer, imap_mailbox

pytestmark = pytest.mark.imap


def mailbox(server: SecureServer, url: str, **overrides: object) -> MailboxSettings:
    return imap_mailbox(server.dovecot, "INBOX", url=url, **overrides)


def imaps(server: SecureServer, host: str = "localhost") -> str:
    return f"imaps://test@{host}:{server.dovecot.imaps_port}/INBOX"


def starttls(server: SecureServer, host: str = "localhost") -> str:
    return f"imap://test@{host}:{server.dovecot.imap_port}/INBOX"


def refusal(settings: MailboxSettings) -> str:
    with pytest.raises(SourceUnavailable) as caught:
        close(connect(settings).client)
    return str(caught.value)


@pytest.mark.parametrize("kind", ["implicit", "starttls"])
def test_a_certificate_from_the_configured_ca_is_accepted(
    secure_dovecot: SecureServer, kind: str
) -> None:
    if kind == "implicit":
        settings = mailbox(secure_dovecot, imaps(secure_dovecot), ca_file=secure_dovecot.ca_file)
    else:
        settings = mailbox(
            secure_dovecot,
            starttls(secure_dovecot),
            ca_file=secure_dovecot.ca_file,
            security="starttls",
        )
    connected = connect(settings)
    try:
        assert connected.client.socket().version() in ("TLSv1.2", "TLSv1.3")
        assert connected.client.select_folder("INBOX")[b"UIDVALIDITY"]
    finally:
        close(connected.client)


@pytest.mark.parametrize("kind", ["implicit", "starttls"])
def test_a_certificate_no_trusted_ca_signed_is_refused(
    secure_dovecot: SecureServer, kind: str
) -> None:
    url = imaps(secure_dovecot) if kind == "implicit" else starttls(secure_dovecot)
    extra: dict[str, object] = {"security": "starttls"} if kind == "starttls" else {}
    system = refusal(mailbox(secure_dovecot, url, **extra))
    assert "the server's TLS certificate was refused (unable to get local issuer certificate" in (
        system
    )
    assert "checked against the system's CAs" in system
    assert "set ca_file to that CA's certificate" in system
    other = refusal(mailbox(secure_dovecot, url, ca_file=secure_dovecot.other_ca_file, **extra))
    assert f"checked against ca_file {secure_dovecot.other_ca_file}" in other


def test_a_certificate_for_another_name_is_refused(secure_dovecot: SecureServer) -> None:
    # The certificate names `localhost`; the same server reached as 127.0.0.1 must not pass.
    message = refusal(
        mailbox(secure_dovecot, imaps(secure_dovecot, "127.0.0.1"), ca_file=secure_dovecot.ca_file)
    )
    assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in message


def test_starttls_is_the_default_off_loopback_and_plain_needs_loopback() -> None:
    remote = MailboxSettings(name="m", url="imap://u@imap.example.org/INBOX", password_env="X")
    assert remote.tls == "starttls"
    assert MailboxSettings(name="m", url="imap://u@127.0.0.1/INBOX", password_env="X").tls == (
        "plain"
    )
    with pytest.raises(ValueError, match="sends the login in clear"):
        MailboxSettings(
            name="m", url="imap://u@imap.example.org/INBOX", password_env="X", security="plain"
        )


def test_a_server_that_never_greets_runs_into_the_timeout(tmp_path: Path) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (in the kernel), says nothing
    try:
        port = silent.getsockname()[1]
        settings = MailboxSettings(
            name="silent",
            url=f"imap://test@127.0.0.1:{port}/INBOX",
            password_env="MAILROOM_TEST_IMAP_PASSWORD",
            timeout_seconds=0.5,
        )
        assert refusal(settings) == f"mailbox silent (127.0.0.1:{port}): cannot connect: timed out"
    finally:
        silent.close()
