"""The Jinja2 environment: autoescaped, and every value redacted of email addresses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from publish.redact import redact

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _finalize(value: Any) -> Any:
    """Runs on every `{{ … }}`: no email address is printed, whatever the template forgot."""
    if isinstance(value, str):
        return redact(value)
    return value


def make_environment(zone: ZoneInfo) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def local(value: datetime | None, style: str = "datetime") -> str:
        if value is None:
            return ""
        here = value.astimezone(zone)
        if style == "date":
            return f"{here.day} {here:%B %Y}"
        return f"{here.day} {here:%B %Y, %H:%M} {here.tzname()}"

    environment.filters["local"] = local
    environment.filters["urlpath"] = lambda value: quote(str(value))
    environment.globals["csp"] = CONTENT_SECURITY_POLICY
    return environment
