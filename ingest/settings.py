"""The `[[mailbox]]` entries: where comments arrive and what to do with a stored message."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ingest.errors import SourceUnavailable

IMAP_SCHEMES = ("imap", "imaps")
FILE_SCHEMES = ("maildir", "mbox")

# Where Microsoft 365 and Google Workspace hand out IMAP access tokens, and what to ask for.
PROVIDERS: dict[str, tuple[str, str | None]] = {
    "microsoft": (
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    ),
    "google": ("https://oauth2.googleapis.com/token", None),  # the grant's own scope
}


def read_secret(where: str, env_key: str, env: str | None, file_key: str, file: Path | None) -> str:
    """A secret read now, from the environment or a file: never from the config itself."""
    if env is not None:
        value = os.environ.get(env)
        if value is None:
            raise SourceUnavailable(f"{where}: environment variable {env} ({env_key}) is not set")
        return value
    assert file is not None
    try:
        return file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SourceUnavailable(f"{where}: cannot read {file_key} {file}: {exc.strerror}") from exc


class OAuth2Settings(BaseModel):
    """`[mailbox.oauth2]`: log in with an access token (XOAUTH2 or OAUTHBEARER), as Microsoft
    365 and Google Workspace require. The token comes from a refresh token at the provider's
    token endpoint, or from `command`, a program the operator names that prints one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Literal["microsoft", "google", "custom"] = "custom"
    tenant: str = Field(default="common", pattern=r"^[A-Za-z0-9.-]+$")
    client_id: str | None = Field(default=None, min_length=1)
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    refresh_token_env: str | None = None
    refresh_token_file: Path | None = None
    token_url: str | None = None
    scope: str | None = None
    command: tuple[str, ...] | None = Field(default=None, min_length=1)
    mechanism: Literal["auto", "xoauth2", "oauthbearer"] = "auto"

    @model_validator(mode="after")
    def _consistent(self) -> OAuth2Settings:
        refresh = (self.refresh_token_env, self.refresh_token_file)
        if self.command is not None:
            given = [k for k in ("client_id", "refresh_token_env", "refresh_token_file",
                                 "client_secret_env", "client_secret_file", "token_url")
                     if getattr(self, k) is not None]  # fmt: skip
            if given:
                raise ValueError(f"command prints the token itself; drop {', '.join(given)}")
            return self
        if self.client_id is None:
            raise ValueError("give client_id (the app registered with the provider), or command")
        if (refresh[0] is None) == (refresh[1] is None):
            raise ValueError("give exactly one of refresh_token_env or refresh_token_file")
        if self.client_secret_env is not None and self.client_secret_file is not None:
            raise ValueError("give at most one of client_secret_env or client_secret_file")
        if self.provider == "custom" and self.token_url is None:
            raise ValueError('provider = "custom" needs token_url, the token endpoint')
        url = urlsplit(self.endpoint)
        if url.scheme != "https" and not (url.scheme == "http" and _is_loopback(url.hostname)):
            raise ValueError(
                f"token_url {self.endpoint!r} must be https:// (http only on loopback)"
            )
        return self

    @property
    def endpoint(self) -> str:
        """The token endpoint: token_url, or the provider's."""
        if self.token_url is not None:
            return self.token_url
        return PROVIDERS[self.provider][0].format(tenant=self.tenant)

    @property
    def scopes(self) -> str | None:
        if self.scope is not None or self.provider == "custom":
            return self.scope
        return PROVIDERS[self.provider][1]

    def client_secret(self, where: str) -> str | None:
        if self.client_secret_env is None and self.client_secret_file is None:
            return None  # a public client: Microsoft allows it
        return read_secret(
            where,
            "client_secret_env",
            self.client_secret_env,
            "client_secret_file",
            self.client_secret_file,
        )

    def refresh_token(self, where: str) -> str:
        return read_secret(
            where,
            "refresh_token_env",
            self.refresh_token_env,
            "refresh_token_file",
            self.refresh_token_file,
        )

    def with_base(self, base: Path) -> OAuth2Settings:
        updates: dict[str, object] = {}
        for key in ("client_secret_file", "refresh_token_file"):
            value = getattr(self, key)
            if value is not None and not value.is_absolute():
                updates[key] = base / value
        if self.command and "/" in self.command[0] and not Path(self.command[0]).is_absolute():
            updates["command"] = (str(base / self.command[0]), *self.command[1:])
        return self.model_copy(update=updates) if updates else self


def _is_loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return host == "localhost"


class MailboxSettings(BaseModel):
    """One mailbox: `imaps://user@host:port/FOLDER`, `imap://…` (loopback or STARTTLS),
    `maildir:PATH` or `mbox:PATH`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    url: str
    password_env: str | None = None
    password_file: Path | None = None
    after_store: Literal["flag", "move"] = "flag"
    flag: str = Field(default="$MailroomStored", pattern=r"^[\\$]?[A-Za-z0-9_$-]+$")
    move_to: str | None = None
    batch_size: int = Field(default=200, ge=1, le=5000)
    ca_file: Path | None = None
    timeout_seconds: float = Field(default=60.0, gt=0)
    oauth2: OAuth2Settings | None = None
    security: Literal["starttls", "plain"] | None = None  # imap:// only; imaps:// is TLS
    idle: bool = True
    idle_minutes: float = Field(default=20.0, gt=0, le=29)
    keepalive_seconds: float = Field(default=300.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _consistent(self) -> MailboxSettings:
        scheme = self.scheme
        if scheme not in IMAP_SCHEMES + FILE_SCHEMES:
            raise ValueError(
                f"url {self.url!r} must start with imaps://, imap://, maildir: or mbox:"
            )
        if scheme in IMAP_SCHEMES:
            parts = urlsplit(self.url)
            if not parts.hostname or not parts.username:
                raise ValueError(
                    f"url {self.url!r} needs a user and a host: imaps://user@host/INBOX"
                )
            secrets = [self.password_env, self.password_file, self.oauth2]
            if sum(value is not None for value in secrets) != 1:
                raise ValueError(
                    "give exactly one of password_env or password_file (or a "
                    "[mailbox.oauth2] table, for OAuth2) for an IMAP url"
                )
            if self.security is not None and scheme == "imaps":
                raise ValueError("an imaps:// url is TLS from the start; drop security")
            if self.security == "plain" and not self.loopback:
                raise ValueError(
                    'security = "plain" sends the login in clear: only for a server on '
                    'loopback; use "starttls" or an imaps:// url'
                )
        else:
            if self.password_env or self.password_file or self.oauth2:
                raise ValueError(f"a {scheme}: mailbox takes no password")
            if self.security is not None:
                raise ValueError(f"a {scheme}: mailbox takes no security")
            if not self.path.as_posix().strip("."):
                raise ValueError(f"url {self.url!r} names no path")
        if self.after_store == "move" and not self.move_to:
            raise ValueError(
                'after_store = "move" needs move_to, the folder to move stored mail to'
            )
        return self

    @property
    def scheme(self) -> str:
        return self.url.split(":", 1)[0].lower()

    @property
    def is_imap(self) -> bool:
        return self.scheme in IMAP_SCHEMES

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (993 if self.scheme == "imaps" else 143)

    @property
    def user(self) -> str:
        return unquote(urlsplit(self.url).username or "")

    @property
    def folder(self) -> str:
        """The IMAP folder, or the file path for Maildir and mbox (as the ledger names it)."""
        if self.is_imap:
            return unquote(urlsplit(self.url).path.lstrip("/")) or "INBOX"
        return str(self.path)

    @property
    def path(self) -> Path:
        return Path(self.url.split(":", 1)[1]).expanduser()

    @property
    def loopback(self) -> bool:
        return _is_loopback(self.host)

    @property
    def tls(self) -> Literal["tls", "starttls", "plain"]:
        """imaps:// is TLS from the start; imap:// is STARTTLS, or plain on loopback."""
        if self.scheme == "imaps":
            return "tls"
        return self.security or ("plain" if self.loopback else "starttls")

    def password(self) -> str:
        """Read the secret now, from the environment or a file, never from the config."""
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise SourceUnavailable(
                    f"mailbox {self.name}: environment variable {self.password_env} "
                    "(password_env) is not set"
                )
            return value
        if self.password_file is None:
            raise SourceUnavailable(f"mailbox {self.name}: logs in with OAuth2, not a password")
        try:
            return self.password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise SourceUnavailable(
                f"mailbox {self.name}: cannot read password_file {self.password_file}: "
                f"{exc.strerror}"
            ) from exc

    def with_base(self, base: Path) -> MailboxSettings:
        """Relative file paths in the config are relative to the config file."""
        updates: dict[str, object] = {}
        if not self.is_imap and not self.path.is_absolute():
            updates["url"] = f"{self.scheme}:{base / self.path}"
        for field in ("password_file", "ca_file"):
            value = getattr(self, field)
            if value is not None and not value.is_absolute():
                updates[field] = base / value
        if self.oauth2 is not None:
            updates["oauth2"] = self.oauth2.with_base(base)
        return self.model_copy(update=updates) if updates else self


MIB = 1024 * 1024


class LimitSettings(BaseModel):
    """The `[limits]` table: what a hostile or merely enormous message may cost.

    Over a limit, nothing is lost: the raw message stays in the archive, the
    submission is flagged with the reason, and the rest of it is processed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_message_bytes: int = Field(default=64 * MIB, ge=1024)
    max_attachments: int = Field(default=100, ge=1, le=10_000)
    max_attachment_bytes: int = Field(default=25 * MIB, ge=1)
    max_depth: int = Field(default=20, ge=1, le=100)
    max_headers: int = Field(default=500, ge=10)
    max_header_bytes: int = Field(default=64 * 1024, ge=256)
    max_unpacked_bytes: int = Field(default=100 * MIB, ge=1)
    max_unpack_ratio: int = Field(default=100, ge=2)
    max_archive_depth: int = Field(default=2, ge=0, le=10)
    max_text_chars: int = Field(default=1_000_000, ge=1000)
    extraction_seconds: float = Field(default=30.0, gt=0, le=3600)
    extraction_memory_mb: int = Field(default=1024, ge=128)
    extraction_workers: int = Field(default=2, ge=1, le=64)
