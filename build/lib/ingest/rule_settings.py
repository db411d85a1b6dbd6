"""The tables that say how intake judges a comment: `[moderation]`, `[groups]`,
`[[group_rule]]`, `[campaigns]` and `[form]`; and IntakeRules, which bundles them for poll_once.

Every key is documented in README.md ("Configuration") with its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ingest.receipt_settings import ReceiptSettings, SmtpSettings
from store.models import StakeholderGroup
from store.settings import ConsultationSettings


def _regex(value: str, key: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{key} {value!r} is not a regular expression: {exc}") from exc
    return value


class ModerationSettings(BaseModel):
    """`[moderation]`: what may be public without the operator, and what is held for them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["pre", "post"] = "pre"
    late: Literal["hold", "publish", "reject"] = "hold"
    hold_dmarc_fail: bool = True
    authserv_id: str = Field(
        default="",
        description="trust only Authentication-Results written by this server; '' = the topmost",
    )
    spam_patterns: tuple[str, ...] = ()
    max_links: int = Field(default=25, ge=1)

    @field_validator("spam_patterns")
    @classmethod
    def _compiles(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_regex(v, "spam_patterns") for v in values)


class GroupSettings(BaseModel):
    """`[groups]`: whether the built-in rules (government domains, .int, subject tags) apply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    builtin: bool = True


class GroupRule(BaseModel):
    """One `[[group_rule]]`: a signal that suggests a stakeholder group (and maybe a country)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: StakeholderGroup
    domains: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    subject_tag: str = ""
    form_values: tuple[str, ...] = ()
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    name: str = ""

    @model_validator(mode="after")
    def _one_signal(self) -> GroupRule:
        given = [
            k for k in ("domains", "senders", "subject_tag", "form_values") if getattr(self, k)
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of domains, senders, subject_tag or form_values "
                f"(got {', '.join(given) or 'none'})"
            )
        return self

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.domains:
            return f"domains {', '.join(self.domains)}"
        if self.senders:
            return f"senders {', '.join(self.senders)}"
        if self.subject_tag:
            return f"subject tag [{self.subject_tag}]"
        return f"form values {', '.join(self.form_values)}"


class CampaignSettings(BaseModel):
    """`[campaigns]`: how alike texts must be to count as one campaign."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.6, gt=0.3, le=1.0)
    min_words: int = Field(default=40, ge=1)


class FormFields(BaseModel):
    """The form's own names for each field we use (its labels in an email, its JSON keys)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "name"
    organisation: str = "organisation"
    email: str = "email"
    group: str = "group"
    country: str = "country"
    subject: str = "subject"
    comment: str = "comment"
    language: str = "language"
    received_at: str = "received_at"
    id: str = "id"


class FormSettings(BaseModel):
    """`[form]`: the online form, when it emails its contents or exports JSON lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(default="", description="regex: a mail whose subject matches is a form")
    sender: str = Field(default="", description="address or glob: mail from it is a form")
    fields: FormFields = FormFields()

    @field_validator("subject")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _regex(value, "subject") if value else value


@dataclass(frozen=True)
class IntakeRules:
    """Everything intake needs to judge a comment, handed to poll_once by the command line."""

    consultation: ConsultationSettings
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    groups: GroupSettings = field(default_factory=GroupSettings)
    group_rules: tuple[GroupRule, ...] = ()
    campaigns: CampaignSettings = field(default_factory=CampaignSettings)
    form: FormSettings = field(default_factory=FormSettings)
    receipts: ReceiptSettings = field(default_factory=ReceiptSettings)
    smtp: SmtpSettings | None = None

    @property
    def receipts_on(self) -> bool:
        return self.receipts.enabled and self.smtp is not None
