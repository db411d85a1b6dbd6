"""config.toml into frozen, typed settings, or a ConfigError that names the file and the key.

The only reader of the config file. Each part gets its own table: ingest the
`[[mailbox]]` entries, `[limits]` and the consultation's rules (`[moderation]`, `[groups]`,
`[[group_rule]]`, `[campaigns]`, `[form]`, `[receipts]`, `[smtp]`), store `[store]` and
`[consultation]`, publish `[site]`; the daemon keeps `[daemon]` and `[health]`.
Local times take the consultation's zone; a bare date for the deadline means
the end of that day, for the posting date its start.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest import LimitSettings, MailboxSettings
from ingest.receipt_settings import ReceiptSettings, SmtpSettings
from ingest.rule_settings import (
    CampaignSettings,
    FormSettings,
    GroupRule,
    GroupSettings,
    IntakeRules,
    ModerationSettings,
)
from publish import SiteSettings
from store import ConsultationSettings, StoreSettings

TABLES = (
    "consultation",
    "mailbox",
    "store",
    "site",
    "daemon",
    "limits",
    "moderation",
    "groups",
    "group_rule",
    "campaigns",
    "form",
    "receipts",
    "smtp",
    "health",
)
LISTS = ("mailbox", "group_rule")

Model = TypeVar("Model", bound=BaseModel)


class ConfigError(Exception):
    """The config file is missing, unreadable or wrong; the message says where and how."""


class DaemonSettings(BaseModel):
    """The `[daemon]` table: how often `mailroom run` polls."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    poll_minutes: float = Field(default=5.0, gt=0, le=1440)
    misfire_grace_seconds: int = Field(default=60, ge=1, le=3600)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_address: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"


class HealthSettings(BaseModel):
    """The `[health]` table: when `mailroom health` calls something unhealthy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mailbox_failing_minutes: float = Field(default=30.0, gt=0)
    site_lag_minutes: float = Field(default=15.0, gt=0)


@dataclass(frozen=True)
class Settings:
    path: Path
    consultation: ConsultationSettings
    mailboxes: tuple[MailboxSettings, ...]
    store: StoreSettings
    site: SiteSettings
    daemon: DaemonSettings
    limits: LimitSettings = field(default_factory=LimitSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    groups: GroupSettings = field(default_factory=GroupSettings)
    group_rules: tuple[GroupRule, ...] = ()
    campaigns: CampaignSettings = field(default_factory=CampaignSettings)
    form: FormSettings = field(default_factory=FormSettings)
    receipts: ReceiptSettings = field(default_factory=ReceiptSettings)
    smtp: SmtpSettings | None = None
    health: HealthSettings = field(default_factory=HealthSettings)

    @property
    def intake_rules(self) -> IntakeRules:
        """What poll_once needs to judge each comment: the rule tables, bundled."""
        return IntakeRules(
            consultation=self.consultation,
            moderation=self.moderation,
            groups=self.groups,
            group_rules=self.group_rules,
            campaigns=self.campaigns,
            form=self.form,
            receipts=self.receipts,
            smtp=self.smtp,
        )

    def mailbox(self, name: str) -> MailboxSettings:
        for mailbox in self.mailboxes:
            if mailbox.name == name:
                return mailbox
        known = ", ".join(m.name for m in self.mailboxes) or "none"
        raise ConfigError(f"{self.path}: no [[mailbox]] named {name!r} (configured: {known})")


def load_settings(path: Path) -> Settings:
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such config file; pass --config FILE, or start from the commented "
            "config.toml in the Mailroom repository"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise ConfigError(
            f"{path}: unknown table or key {unknown[0]!r}; the tables are "
            + ", ".join(f"[{t}]" if t not in LISTS else f"[[{t}]]" for t in TABLES)
        )
    base = path.resolve().parent
    consultation = _table(path, data, "consultation", ConsultationSettings, _local_times)
    store = _table(path, data, "store", StoreSettings)
    store = store.model_copy(
        update={"url": _sqlite_beside(store.url, base), "archive": base / store.archive}
    )
    site = _table(path, data, "site", SiteSettings).with_base(base)
    consultation = consultation.with_default_language(site.language)
    daemon = _table(path, {"daemon": data.get("daemon", {})}, "daemon", DaemonSettings)
    limits = _table(path, {"limits": data.get("limits", {})}, "limits", LimitSettings)
    mailboxes = _mailboxes(path, data.get("mailbox", []), base)
    rules = _rules(path, data, base, consultation, site)
    health = _optional(path, data, "health", HealthSettings)
    return Settings(
        path, consultation, mailboxes, store, site, daemon, limits, **rules, health=health
    )


def _optional(path: Path, data: dict[str, Any], name: str, model: type[Model]) -> Model:
    return _table(path, {name: data.get(name, {})}, name, model)


def _rules(
    path: Path,
    data: dict[str, Any],
    base: Path,
    consultation: ConsultationSettings,
    site: SiteSettings,
) -> dict[str, Any]:
    """The consultation's rule tables; each is optional and has documented defaults."""
    receipts = _optional(path, data, "receipts", ReceiptSettings).with_base(base)
    receipts = receipts.with_default_language(site.language)
    receipts = receipts.model_copy(
        update={
            "from_address": receipts.from_address or consultation.address,
            "from_name": receipts.from_name or consultation.organiser,
            "site_url": receipts.site_url or site.base_url,
        }
    )
    smtp = None
    if "smtp" in data:
        smtp = _table(path, data, "smtp", SmtpSettings).with_base(base)
    if receipts.enabled and smtp is None:
        raise ConfigError(
            f"{path}: [receipts] enabled = true needs an [smtp] table to send them through"
        )
    raw_rules = data.get("group_rule", [])
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{path}: group_rule must be written as [[group_rule]] entries")
    group_rules = []
    for number, entry in enumerate(raw_rules, start=1):
        try:
            group_rules.append(GroupRule.model_validate(entry))
        except ValidationError as exc:
            raise ConfigError(_explain(path, f"[[group_rule]] #{number}", exc)) from exc
    return {
        "moderation": _optional(path, data, "moderation", ModerationSettings),
        "groups": _optional(path, data, "groups", GroupSettings),
        "group_rules": tuple(group_rules),
        "campaigns": _optional(path, data, "campaigns", CampaignSettings),
        "form": _optional(path, data, "form", FormSettings),
        "receipts": receipts,
        "smtp": smtp,
    }


def _table(
    path: Path,
    data: dict[str, Any],
    name: str,
    model: type[Model],
    prepare: Any = None,
) -> Model:
    raw = data.get(name)
    if raw is None:
        raise ConfigError(f"{path}: the [{name}] table is missing")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {name} must be a table, [{name}]")
    if prepare is not None:
        raw = prepare(path, raw)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(path, f"[{name}]", exc)) from exc


def _mailboxes(path: Path, raw: Any, base: Path) -> tuple[MailboxSettings, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: mailbox must be written as [[mailbox]] entries")
    mailboxes: list[MailboxSettings] = []
    for number, entry in enumerate(raw, start=1):
        where = f"[[mailbox]] #{number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            where += f" ({entry['name']})"
        try:
            mailboxes.append(MailboxSettings.model_validate(entry).with_base(base))
        except ValidationError as exc:
            raise ConfigError(_explain(path, where, exc)) from exc
    names = [m.name for m in mailboxes]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{path}: two [[mailbox]] entries are named {name!r}; names are keys")
    return tuple(mailboxes)


def _explain(path: Path, where: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(the table)"
        kind = error["type"]
        if kind == "missing":
            message = "is missing"
        elif kind == "extra_forbidden":
            message = "is not a known key (misspelt?)"
        else:
            message = error["msg"].removeprefix("Value error, ")
            message += f" (got {error['input']!r})" if kind != "value_error" else ""
        lines.append(f"{path}: {where} {key}: {message}")
    return "\n".join(lines)


def _local_times(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    """Give the deadline and posting date the consultation's zone when they carry none."""
    try:
        zone = ZoneInfo(str(raw.get("timezone", "UTC")))
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"{path}: [consultation] timezone: unknown time zone {raw.get('timezone')!r} "
            "(use an IANA name such as America/New_York)"
        ) from exc
    prepared = dict(raw)
    for key, end_of_day in (("deadline", True), ("posting_date", False)):
        value = raw.get(key)
        if isinstance(value, datetime):
            prepared[key] = value if value.tzinfo else value.replace(tzinfo=zone)
        elif isinstance(value, date):
            moment = time.max if end_of_day else time.min
            prepared[key] = datetime.combine(value, moment, tzinfo=zone)
    return prepared


def _sqlite_beside(url: str, base: Path) -> str:
    """`sqlite:///mailroom.db` is relative to the config file, not to wherever we started."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        rest = url[len(prefix) :]
        if rest and not rest.startswith(":memory:"):
            return prefix + str(base / rest)
    return url
