"""The `[site]` table: where the public site goes, in which language it opens, and what of
each kind of attachment it publishes (`[site.attachments]`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# What may be published of one attachment, from the most to the least of it. Only some
# kinds can be stripped of their metadata; plain text and HTML are never published raw.
Policy = Literal["original", "stripped", "text", "withheld"]
PlainPolicy = Literal["original", "text", "withheld"]
TextPolicy = Literal["text", "withheld"]


class AttachmentSettings(BaseModel):
    """`[site.attachments]`: per kind of file, what the site publishes of it.

    `original`: the file as sent; `stripped`: the file with its metadata removed;
    `text`: its extracted text only (redacted, as a .txt file); `withheld`: nothing but
    a note that a file was received and why it is not published. Whatever the policy,
    a file that still holds an email address, a telephone number or a GPS position is
    withheld at build time (publish.privacy). Forwarded messages are always shown as
    what they say (sender's name, date, subject, redacted text), never as raw bytes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pdf: Policy = Field(default="stripped", description="PDF")
    office: Policy = Field(
        default="stripped", description=".docx .xlsx .pptx (Office Open XML), .odt .ods .odp"
    )
    legacy_office: PlainPolicy = Field(default="text", description=".doc .xls .ppt .rtf")
    image: Policy = Field(default="stripped", description="JPEG, PNG, GIF, WebP, TIFF, BMP")
    text: TextPolicy = Field(default="text", description="plain text, CSV, HTML, XML: never raw")
    archive: PlainPolicy = Field(
        default="withheld", description="ZIP, winmail.dat, ...: the files in them count alone"
    )
    audio_video: PlainPolicy = Field(default="withheld", description="sound and video recordings")
    other: PlainPolicy = Field(default="withheld", description="any other type")
    seconds: int = Field(
        default=30, ge=1, le=3600, description="time to strip or check one file, in a worker"
    )
    memory_mb: int = Field(
        default=1024, ge=128, le=65536, description="memory cap of the worker that does it"
    )


class SiteSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    output: Path
    base_url: str = Field(default="", description="public address of the site, for links in feeds")
    page_size: int = Field(default=100, ge=10, le=10000, description="submissions per list page")
    keep_builds: int = Field(default=2, ge=1, le=50, description="finished builds kept on disk")
    language: Literal["ar", "en", "es", "fr", "ru", "zh"] = Field(
        default="en", description="the language of the top index.html, feeds and data links"
    )
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)

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
