"""The pieces every command shares: the typer app, the common options, loading and opening.

Commands live in `mailroom.cli` and the modules it imports; each registers on `app`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from mailroom.clock import BadTime, Clock, clock_from
from mailroom.config import ConfigError, Settings, load_settings
from mailroom.logs import configure_logging
from store import DatabaseUnavailable, Store, open_store

app = typer.Typer(
    help="Mailroom: the back office of a public consultation that takes comments by email.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        envvar="MAILROOM_CONFIG",
        help="The config file.",
        show_default=True,
    ),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        envvar="MAILROOM_NOW",
        help="Pretend it is this time (ISO 8601; no zone means the consultation's).",
    ),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log every message.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

EXIT_PROBLEMS = 1
EXIT_CONFIG = 2


def fail(message: str, code: int = EXIT_CONFIG) -> typer.Exit:
    typer.echo(f"mailroom: {message}", err=True)
    return typer.Exit(code)


def setup(config: Path, now: str | None, verbose: bool = False) -> tuple[Settings, Clock]:
    configure_logging(verbose)
    try:
        settings = load_settings(config)
        configure_logging(verbose, settings.daemon.log_format)
        return settings, clock_from(now, settings.consultation.zone)
    except (ConfigError, BadTime) as exc:
        raise fail(str(exc)) from exc


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    try:
        store = open_store(settings.store)
    except DatabaseUnavailable as exc:
        raise fail(f"{settings.path}: [store] url: {exc}") from exc
    try:
        yield store
    finally:
        store.close()
