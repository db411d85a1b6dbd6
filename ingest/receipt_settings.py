"""The `[receipts]` and `[smtp]` tables: whether and how senders are told their comment arrived."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ingest.errors import SmtpUnavailable
from store.settings import LocalText

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "plain": 25}


class SmtpSettings(BaseModel):
    """`[smtp]`: the server receipts are sent through; the password never lives in the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "tls", "plain"] = "starttls"
    user: str = ""
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> SmtpSettings:
        if self.security == "plain" and not self.loopback:
            raise ValueError(
                'security = "plain" sends the password in clear: only for a server on loopback; '
                'use "starttls" or "tls"'
            )
        if self.user and (self.password_env is None) == (self.password_file is None):
            raise ValueError("with user, give exactly one of password_env or password_file")
        if not self.user and (self.password_env or self.password_file):
            raise ValueError("password_env / password_file need a user to log in as")
        return self

    @property
    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    def password(self) -> str:
        """Read the secret now, from the environment or a file."""
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise SmtpUnavailable(
                    f"[smtp] environment variable {self.password_env} (password_env) is not set"
                )
            return value
        if self.password_file is None:
            return ""
        try:
            return self.password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise SmtpUnavailable(
                f"[smtp] cannot read password_file {self.password_file}: {exc.strerror}"
            ) from exc

    def with_base(self, base: Path) -> SmtpSettings:
        updates: dict[str, object] = {}
        for key in ("password_file", "ca_file"):
            value = getattr(self, key)
            if value is not None and not value.is_absolute():
                updates[key] = base / value
        return self.model_copy(update=updates) if updates else self


class ReceiptSettings(BaseModel):
    """`[receipts]`: the reply each email sender gets, and its limits (RFC 3834)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    from_address: str = Field(default="", description="default: [consultation] address")
    from_name: LocalText = Field(
        default=LocalText(), description="text, or texts by language; default: organiser"
    )
    site_url: str = Field(default="", description="default: [site] base_url")
    publication_notice: LocalText = Field(
        default=LocalText(), description="text, or a table of texts by language; default: built in"
    )
    template_dir: Path | None = None
    per_sender_hours: float = Field(default=24.0, ge=0)
    retry_minutes: float = Field(default=15.0, gt=0)
    max_attempts: int = Field(default=8, ge=1, le=100)
    max_per_run: int = Field(default=500, ge=1)
    null_sender: bool = True

    def with_default_language(self, language: str) -> ReceiptSettings:
        """Texts a language lacks fall back to the site's default language, `language`."""
        return self.model_copy(
            update={
                "from_name": self.from_name.with_default(language),
                "publication_notice": self.publication_notice.with_default(language),
            }
        )

    def with_base(self, base: Path) -> ReceiptSettings:
        if self.template_dir is not None and not self.template_dir.is_absolute():
            return self.model_copy(update={"template_dir": base / self.template_dir})
        return self
