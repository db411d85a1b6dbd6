"""Settings the store owns: the consultation itself, and where records and raw mail live.

The consultation's settings live here because both ingest (deadline, reference
prefix) and publish (title, posting date) need them, and both may use `store`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ConsultationSettings(BaseModel):
    """The `[consultation]` table: what the call for comments says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="e.g. DESA-10/3078")
    address: str = Field(min_length=3, description="where comments are sent")
    organiser: str = ""
    timezone: str
    deadline: datetime
    posting_date: datetime
    reference_prefix: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("deadline", "posting_date")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a time zone (the config loader adds the consultation's)")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def submission_prefix(self) -> str:
        """The start of every submission reference: `DESA-10/3078` gives `DESA-10-3078`."""
        prefix = self.reference_prefix or self.reference
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in prefix).strip("-")


class StoreSettings(BaseModel):
    """The `[store]` table: the database URL and the raw-mail archive folder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(min_length=1)
    archive: Path
