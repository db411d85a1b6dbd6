"""`mailroom health`: exit 0 when the daemon is doing its job, 1 when it is not (and why)."""

from __future__ import annotations

import json as json_module
from pathlib import Path

import typer

from mailroom.app import EXIT_PROBLEMS, ConfigOption, JsonOption, NowOption, app, setup
from mailroom.health import check_health


@app.command()
def health(
    config: ConfigOption = Path("config.toml"), now: NowOption = None, json: JsonOption = False
) -> None:
    """Check the database, each mailbox and the site; exit 1 if any is unhealthy.

    For a service manager or a container's health check: it only reads, and prints one
    line per check (or JSON with --json).
    """
    settings, clock = setup(config, now)
    findings = check_health(settings, clock())
    healthy = all(f.ok for f in findings)
    if json:
        report = {"healthy": healthy, "checks": [f.as_json() for f in findings]}
        typer.echo(json_module.dumps(report, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            typer.echo(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.subject}: {finding.detail}")
        typer.echo("healthy" if healthy else "unhealthy")
    if not healthy:
        raise typer.Exit(EXIT_PROBLEMS)
