"""Running the real `mailroom` command in a subprocess, and writing config files for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG = """\
[consultation]
title = "Consultations on enhanced cooperation"
reference = "DESA-10/3078"
address = "unpan@un.org"
timezone = "America/New_York"
deadline = 2010-11-15
posting_date = 2010-12-01

{mailboxes}

[store]
url = "{database}"
archive = "archive"

[site]
output = "site"

[daemon]
poll_minutes = {poll_minutes}
{daemon}

[moderation]
mode = "{moderation}"
late = "{late}"
{extra}"""


def write_config(
    directory: Path,
    *,
    database: str | None = None,
    mailboxes: str = "",
    poll_minutes: float = 5,
    moderation: str = "post",
    late: str = "publish",
    extra: str = "",
    daemon: str = "",
) -> Path:
    """A config for tests: post-moderation and late comments published unless told, so what
    is polled is published (test messages without a Received header count as late)."""
    path = directory / "config.toml"
    path.write_text(
        CONFIG.format(
            mailboxes=mailboxes,
            database=database or "sqlite:///mailroom.db",
            poll_minutes=poll_minutes,
            moderation=moderation,
            late=late,
            extra=extra,
            daemon=daemon,
        ),
        encoding="utf-8",
    )
    return path


def mailroom(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailroom", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
