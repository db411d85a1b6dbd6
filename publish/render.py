"""The Jinja2 environments, one per language: autoescaped, translated, and every value redacted.

The `finalize` hook runs on every printed value, so no email address reaches a
page whatever a template forgot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from publish import labels
from publish.i18n import LANGUAGES, Formats, catalog_fingerprint, direction, own_name, translations
from publish.redact import redact
from store.settings import LocalText

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# The search page runs Pagefind: its own scripts, its WebAssembly and its index files, no more.
SEARCH_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'"
)


_redact_short = lru_cache(maxsize=8192)(redact)
_redact_long = lru_cache(maxsize=32)(redact)


def redacted(text: str) -> str:
    """`redact`, remembered: the same values (labels, names, a comment's text) print on every
    page, in six languages, then in the feed, the data and the search index; redacting each
    once saves most of a build's time. The caches are bounded (long texts: the last few)."""
    if len(text) <= 1000:
        return _redact_short(text)
    if len(text) <= 200_000:
        return _redact_long(text)
    return redact(text)


def _finalize(value: Any) -> Any:
    """Runs on every `{{ … }}`: no email address is printed, whatever the template forgot."""
    if isinstance(value, Markup):  # a translated message with its values already escaped
        text = str(value)
        clean = redacted(text)
        if clean == text:  # nearly always: the same Markup, not a new one
            return value
        return Markup(clean)  # noqa: S704 - escaped by Jinja, and only shortened
    if isinstance(value, str):
        return redacted(value)
    return value


@lru_cache(maxsize=64)
def make_environment(zone: ZoneInfo, language: str = "en") -> Environment:
    """One environment per zone and language for the life of the process: each compiles every
    template it renders, and a daemon (or a test) that builds again and again compiled them all
    again, six languages each time, a second a build. Nothing changes an environment once made;
    a template edited on disk is still picked up (Jinja checks its modification time)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "atom"], default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    translate = environment.globals["gettext"]
    assert callable(translate)
    environment.globals["gettext"] = environment.globals["_"] = _remembering(translate)
    formats = Formats(language, zone)
    environment.filters["date"] = formats.date
    environment.filters["datetime"] = formats.datetime
    environment.filters["number"] = formats.number
    environment.filters["size"] = formats.size
    environment.filters["country"] = formats.country
    environment.filters["language_name"] = formats.language_name
    environment.filters["urlpath"] = lambda value: quote(str(value))
    environment.filters["local"] = lambda text: _local(text, language)
    environment.globals.update(
        csp=CONTENT_SECURITY_POLICY,
        search_csp=SEARCH_CONTENT_SECURITY_POLICY,
        lang=language,
        dir=direction(language),
        languages=[(code, own_name(code)) for code in LANGUAGES],
        text_direction=direction,
        labels=labels,
    )
    return environment


def _remembering(gettext: Callable[..., str]) -> Callable[..., str]:
    """Jinja's gettext translates, wraps and formats at every call; a message without values
    comes out the same every time, so it is made once per environment (a page asks for about
    forty, six languages over)."""
    made: dict[tuple[str, bool], str] = {}

    @pass_context
    def remembered(context: Context, message: str, **values: Any) -> str:
        if values:
            return gettext(context, message, **values)
        key = (message, bool(context.eval_ctx.autoescape))
        found = made.get(key)
        if found is None:
            found = made[key] = gettext(context, message)
        return found

    return remembered


def _local(text: LocalText, language: str) -> str:
    """`{{ consultation.title|local }}`: the operator's text in the page's language."""
    return text.for_language(language)


def templates_fingerprint() -> str:
    """A digest of everything that shapes a page: templates, styles, catalogs, this code."""
    digest = hashlib.sha256()
    code = Path(__file__).parent
    for folder in (TEMPLATES, STATIC, code):
        for path in sorted(folder.rglob("*") if folder != code else folder.glob("*.py")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    digest.update(catalog_fingerprint())
    return digest.hexdigest()
