"""Attachment names are sender data: made safe to show, never used as a path by themselves."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
MAX_NAME = 120


def safe_name(original: str | None, content_type: str, position: int) -> str:
    """A display name without path parts, control characters, reserved names or odd spacing."""
    name = unicodedata.normalize("NFC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cs", "Co"))
    name = " ".join(name.split()).strip(". ")
    if _RESERVED.match(name):
        name = f"_{name}"
    if not name:
        extension = mimetypes.guess_extension(content_type or "") or ".bin"
        name = f"attachment-{position}{extension}"
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
        else:
            name = name[:MAX_NAME]
    return name


def unique_names(names: list[str]) -> list[str]:
    """Same name twice in one submission: the second becomes `name (2).ext`."""
    taken: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            stem, dot, extension = name.rpartition(".")
            candidate = f"{stem} ({n}).{extension}" if dot and stem else f"{name} ({n})"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result
