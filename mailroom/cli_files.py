"""`mailroom files`: what the site publishes of a submission's attachments, and the operator's
override of the [site.attachments] policy for them, recorded in its history."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated, Any

import typer

from mailroom.app import ConfigOption, JsonOption, NowOption, app, fail, opened, setup
from mailroom.operator import ByOption, ReasonOption, operator_name
from publish.attachments import allowed, kind_of, overrides_of, policy_of
from store.models import Attachment
from store.moderation import ModerationError, find_for_update, set_file_policy
from store.queries import find_submission

CHOICES = ("original", "stripped", "text", "withheld", "default")


@app.command("files")
def files(
    reference: Annotated[str, typer.Argument(help="A reference, e.g. DESA-10-3078/0042 or 42.")],
    positions: Annotated[
        list[int] | None,
        typer.Argument(
            help="Attachment positions (as `mailroom files REF` lists them); none: all."
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            help="original (as sent), stripped (metadata removed), text (its text only), "
            "withheld, or default (back to the config file's defaults).",
        ),
    ] = None,
    reason: ReasonOption = None,
    by: ByOption = None,
    config: ConfigOption = Path("config.toml"),
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """What the site publishes of a submission's files; with --policy, change it for this
    submission (recorded in `mailroom history`). Whatever the policy, a file that still holds
    an email address, a telephone number or a GPS position is withheld when the site is built."""
    settings, clock = setup(config, now)
    if policy is not None and policy not in CHOICES:
        raise fail(f"--policy {policy!r}: choose one of {', '.join(CHOICES)}", 1)
    defaults = settings.site.attachments
    with opened(settings) as store, store.session() as session:
        view = find_submission(session, reference)
        if view is None:
            raise fail(f"no submission {reference!r}; see `mailroom list`", 1)
        by_position = {a.position: a for a in view.attachments}
        unknown = sorted(set(positions or []) - set(by_position))
        if unknown:
            raise fail(f"{view.submission.reference} has no attachment {unknown[0]}", 1)
        if policy is not None:
            chosen = [by_position[p] for p in positions] if positions else view.attachments
            value = None if policy == "default" else policy
            for attachment in chosen:
                kind = _kind(attachment)
                if value is not None and value not in allowed(kind):
                    options = ", ".join(allowed(kind)) or "none: a forwarded message is shown"
                    raise fail(
                        f"{view.submission.reference} file {attachment.position} "
                        f"({attachment.name}) is {kind.replace('_', ' ')}: --policy {value} "
                        f"does not apply (choose {options})",
                        1,
                    )
            keys = [str(p) for p in positions] if positions else ["all"]
            changes: dict[str, str | None] = dict.fromkeys(keys, value)
            if not positions and value is None:
                changes.update(dict.fromkeys(overrides_of(view.submission), None))
            row = find_for_update(session, view.submission.reference)
            assert row is not None
            try:
                done = set_file_policy(
                    session, row, changes, by=operator_name(by), at=clock(), reason=reason
                )
            except ModerationError as exc:
                raise fail(f"{row.reference}: {exc}", 1) from exc
            session.commit()
            typer.echo(
                f"{row.reference}: {len(done)} change(s) recorded; they apply at the next publish"
                if done
                else f"{row.reference}: nothing to change"
            )
            view = find_submission(session, reference)
            assert view is not None
        overrides = overrides_of(view.submission)
        listed: list[dict[str, Any]] = []
        for attachment in view.attachments:
            kind = _kind(attachment)
            override = overrides.get(str(attachment.position)) or overrides.get("all")
            applied, by_operator = policy_of(kind, defaults, override)
            listed.append(
                {
                    "position": attachment.position,
                    "name": attachment.name,
                    "inside": attachment.parent_position,
                    "kind": kind,
                    "policy": applied,
                    "set_by": "operator" if by_operator else "[site.attachments]",
                    "choices": list(allowed(kind)),
                }
            )
    if json:
        typer.echo(json_module.dumps(listed, ensure_ascii=False, indent=2))
        return
    if not listed:
        typer.echo(f"{view.submission.reference} has no attachments.")
    for item in listed:
        inside = f" (in {item['inside']})" if item["inside"] else ""
        choices = "/".join(item["choices"]) or "-"
        typer.echo(
            f"{item['position']:>3}  {item['name']}{inside}  [{item['kind']}]  "
            f"{item['policy']} (by {item['set_by']}; can be {choices})"
        )


def _kind(attachment: Attachment) -> str:
    if attachment.message_text is not None:
        return "message"
    return kind_of(attachment.content_type, attachment.sniffed_type, attachment.name)
