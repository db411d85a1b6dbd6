"""What the last build withheld, as `mailroom publish` and `mailroom status` print it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SHOWN = 20


def privacy_lines(withheld: Sequence[Mapping[str, Any]], by_policy: Mapping[str, int]) -> list[str]:
    """`withheld`: files the privacy check kept off the site ({path, reason});
    `by_policy`: attachments not published by [site.attachments] or the operator."""
    lines = []
    if withheld:
        lines.append(
            f"Withheld from the site by the privacy check: {len(withheld)} files (never served; "
            "`mailroom files REF` to publish them another way)"
        )
        lines += [f"  {item['path']}: {item['reason']}" for item in withheld[:SHOWN]]
        if len(withheld) > SHOWN:
            lines.append(f"  ... and {len(withheld) - SHOWN} more (`mailroom status --json`)")
    else:
        lines.append("Withheld from the site by the privacy check: nothing")
    if by_policy:
        counts = ", ".join(f"{n} {what}" for what, n in by_policy.items())
        lines.append(f"Attachments not published by policy: {counts}")
    return lines
