"""The `[site]` table: where the public site goes."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class SiteSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    output: Path
    base_url: str = Field(default="", description="public address of the site, for links in feeds")
    page_size: int = Field(default=500, ge=10, le=10000, description="submissions per list page")
    keep_builds: int = Field(default=2, ge=1, le=50, description="finished builds kept on disk")

    def with_base(self, base: Path) -> SiteSettings:
        if self.output.is_absolute():
            return self
        return self.model_copy(update={"output": base / self.output})
