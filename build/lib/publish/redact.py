"""Email addresses never reach the site, whatever field they hide in."""

from __future__ import annotations

import re

REMOVED = "[email address removed]"

_EMAIL = re.compile(
    r"""(?ix)
    (?:mailto:)?
    [\w.!#$%&'*+/=?^`{|}~-]+                  # local part
    (?:@|＠|\s?[(\[]at[)\]]\s?)                # @ and its common disguises
    [\w-]+(?:(?:\.|\s?[(\[]dot[)\]]\s?)[\w-]+)+
    """
)


def redact(text: str) -> str:
    """Replace anything shaped like an email address."""
    return _EMAIL.sub(REMOVED, text)
