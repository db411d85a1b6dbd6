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
            if (self.password_env is None) == (self.password_file is None):
                raise ValueError(
                    "give exactly one of password_env or password_file for an IMAP url"
                )
        else:
            if self.password_env or self.password_file:
                raise ValueError(f"a {scheme}: mailbox takes no password")
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
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

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
        assert self.password_file is not None
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
        return self.model_copy(update=updates) if updates else self
