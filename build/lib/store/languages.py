"""Which way a language is written: shared by ingest (which detects it) and publish (which sets
`dir` on a submission's text)."""

from __future__ import annotations

RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ug", "ku", "sd"})


def text_direction(language: str | None) -> str:
    """`rtl` for Arabic and the other right-to-left languages (ISO 639-1), else `ltr`."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
