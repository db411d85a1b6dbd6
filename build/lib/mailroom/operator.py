"""Who is acting: `--by NAME`, else MAILROOM_OPERATOR, else the account running the command.

Every moderation action is recorded with this name (`mailroom history REF`).
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Who is acting, for the history (default: $MAILROOM_OPERATOR, else your login).",
    ),
]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why; kept in the history.")]


def operator_name(by: str | None) -> str:
    chosen = (by or os.environ.get("MAILROOM_OPERATOR") or "").strip()
    if chosen:
        return chosen
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return f"uid {os.getuid()}"
