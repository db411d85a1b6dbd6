"""The `[site]` table: where the public site goes, and in which language it opens."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SiteSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    output: Path
    base_url: str = Field(default="", description="public address of the site, for links in feeds")
    page_size: int = Field(default=500, ge=10, le=10000, description="submissions per list page")
    keep_builds: int = Field(default=2, ge=1, le=50, description="finished builds kept on disk")
    language: Literal["ar", "en", "es", "fr", "ru", "zh"] = Field(
        default="en", description="the language of the top index.html, feeds and data links"
    )

    @field_validator("base_url")
    @classmethod
    def _folder(cls, value: str) -> str:
        """Addresses are joined onto it, so it ends with a slash."""
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http://)")
        return value if not value or value.endswith("/") else value + "/"

    def with_base(self, base: Path) -> SiteSettings:
        if self.output.is_absolute():
            return self
        return self.model_copy(update={"output": base / self.output})
