"""One SMTP session for a run of receipts: implicit TLS or STARTTLS, certificate checked,
then a login from the config. Plain SMTP is allowed only to a server on loopback.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from types import TracebackType

from ingest.errors import SmtpUnavailable
from ingest.receipt_settings import SmtpSettings


class SmtpSession:
    """Opened on first use, reopened after the server drops us; closed on exit."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Open the session now (SmtpUnavailable if it cannot be), before a message is due."""
        if self._client is None:
            self._client = self._open()

    def send(self, envelope_from: str, recipient: str, message: bytes) -> None:
        """Hand one message over. Raises SmtpUnavailable when no session can be opened (every
        receipt would fail alike), or smtplib's errors for this one message."""
        client = self._client or self._open()
        try:
            client.sendmail(envelope_from, [recipient], message)
        except smtplib.SMTPServerDisconnected:
            self._client = None  # the next message opens a new session
            raise

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        where = f"[smtp] {s.host}:{s.effective_port} ({s.security})"
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        client: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                client = smtplib.SMTP_SSL(
                    s.host, s.effective_port, timeout=s.timeout_seconds, context=context
                )
            else:
                client = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout_seconds)
                client.ehlo()
                if s.security == "starttls":
                    client.starttls(context=context)
                    client.ehlo()
            if s.user:
                client.login(s.user, s.password())
        except smtplib.SMTPAuthenticationError as exc:
            _close(client)
            raise SmtpUnavailable(f"{where}: login as {s.user} refused: {exc.smtp_code}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            _close(client)
            raise SmtpUnavailable(f"{where}: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            _close(client)
            raise SmtpUnavailable(f"{where}: {type(exc).__name__}: {exc}") from exc
        except SmtpUnavailable:
            _close(client)
            raise
        self._client = client
        return client


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()
