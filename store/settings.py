"""Settings the store owns: the consultation itself, and where records and raw mail live.

The consultation's settings live here because both ingest (deadline, reference
prefix) and publish (title, posting date) need them, and both may use `store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, field_validator
from pydantic_core import core_schema

UN_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
EVERY_LANGUAGE = ""  # the key of a text given as one string, for every language


@dataclass(frozen=True)
class LocalText:
    """Text the operator writes for the public: one string that every language shows, or a
    table by language (`{ en = "...", fr = "..." }`). A language the table lacks shows the
    site's default language's text, then English, then any given, so no page is left blank."""

    texts: Mapping[str, str] = field(default_factory=dict)
    default_language: str = "en"

    @classmethod
    def parse(cls, value: Any) -> LocalText:
        """From the config file: a string, or a table whose keys are the six UN languages."""
        if isinstance(value, LocalText):
            return value
        if isinstance(value, str):
            return cls({EVERY_LANGUAGE: value})
        if not isinstance(value, dict):
            raise ValueError("must be a text, or a table of texts by language")
        if not value:
            raise ValueError("the table is empty: give a text, or a text for each language")
        for language, text in value.items():
            if language not in UN_LANGUAGES:
                raise ValueError(
                    f"unknown language key {language!r}; the keys are "
                    f"{', '.join(UN_LANGUAGES)} (or write one text for every language)"
                )
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {language} text must be a non-empty string")
        return cls(dict(sorted(value.items(), key=lambda item: UN_LANGUAGES.index(item[0]))))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(cls.parse)

    def for_language(self, language: str) -> str:
        """The text a page, feed or receipt in `language` shows."""
        return self.texts.get(self.source(language), "")

    def source(self, language: str) -> str:
        """Whose text `language` shows: its own, the default language's, English's, or any."""
        for key in (language, self.default_language, "en"):
            if key in self.texts:
                return key
        return next(iter(self.texts), EVERY_LANGUAGE)

    def with_default(self, language: str) -> LocalText:
        """Missing languages fall back to `language` (the site's, `[site] language`)."""
        return replace(self, default_language=language)

    @property
    def given(self) -> tuple[str, ...]:
        """The languages with their own text; () for one text shown in every language."""
        return tuple(language for language in self.texts if language != EVERY_LANGUAGE)

    def explain(self, name: str) -> list[str]:
        """How `check-config` says it: which text each language shows, and why."""
        if not self.given:
            return [f"{name} (every language): {self.for_language('en')}"]
        lines = [f"{name}, by language:"]
        for language in UN_LANGUAGES:
            if language in self.texts:
                lines.append(f"  {language}: {self.texts[language]}")
            else:
                lines.append(f"  {language}: not given; shows the {self.source(language)} text")
        return lines

    def __bool__(self) -> bool:
        return any(self.texts.values())


class ConsultationSettings(BaseModel):
    """The `[consultation]` table: what the call for comments says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: LocalText = Field(description="a text, or a table of texts by language")
    reference: str = Field(min_length=1, description="e.g. DESA-10/3078")
    address: str = Field(min_length=3, description="where comments are sent")
    organiser: LocalText = Field(default=LocalText())
    timezone: str
    deadline: datetime
    posting_date: datetime
    reference_prefix: str = ""

    @field_validator("title")
    @classmethod
    def _titled(cls, value: LocalText) -> LocalText:
        if not value.for_language("en").strip():
            raise ValueError("must not be empty")
        return value

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

    def with_default_language(self, language: str) -> ConsultationSettings:
        """Texts a language lacks fall back to the site's default language, `language`."""
        return self.model_copy(
            update={
                "title": self.title.with_default(language),
                "organiser": self.organiser.with_default(language),
            }
        )

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
