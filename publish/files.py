"""Published paths come from our references and positions, never from a sender's file name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Types a browser shows inertly or downloads. Anything else (HTML, SVG, XML, scripts)
# is published with `.download` added, so no host serves it as a page of our origin.
INERT_EXTENSIONS = frozenset(
    "pdf doc docx odt ods odp rtf txt csv xls xlsx ppt pptx png jpg jpeg gif webp tif tiff "
    "zip gz mp3 wav ogg mp4 msg eml".split()
)


def reference_slug(reference: str) -> str:
    """`DESA-10-3078/0042` becomes `DESA-10-3078-0042`: a folder name that never changes."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", reference).strip("-")


def served_name(position: int, name: str) -> str:
    """An ASCII file name for the site, prefixed with the attachment's position."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, extension = folded.rpartition(".")
    if not dot:
        stem, extension = folded, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:80] or "attachment"
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension).lower()[:10]
    if extension in INERT_EXTENSIONS:
        return f"{position}-{stem}.{extension}"
    if extension:
        return f"{position}-{stem}.{extension}.download"
    return f"{position}-{stem}.download"


def organisation_slug(organisation: str) -> str:
    """A folder for an organisation's comments: ASCII, and unique by a short digest of the name."""
    value = " ".join(organisation.split())
    if not value:
        return "none"
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-").lower()[:50]
    tag = hashlib.sha256(value.encode()).hexdigest()[:8]
    return f"{stem}-{tag}" if stem else tag
