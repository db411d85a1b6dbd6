"""Which language a submission is written in: an ISO 639-1 code, or None when unsure.

py3langid (a maintained fork of langid.py) ships its model inside the package,
covers the six UN languages and about ninety others, and gives the same answer
for the same text every time, so a reparse yields the same records. The model
loads once per process, on first use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from store.languages import text_direction

SAMPLE_CHARS = 20_000  # enough to be sure; more only costs time
MIN_LETTERS = 20  # "ok thanks" is too short to tell
MIN_CONFIDENCE = 0.80
# The model's few labels that are not ISO 639-1: varieties folded into their language.
_VARIETIES = {"ary": "ar", "arz": "ar", "gug": "gn", "gom": "kok"}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+")


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(*texts: str) -> str | None:
    """The language of the texts taken together (the comment first, then its files)."""
    joined = "\n".join(t[: SAMPLE_CHARS * 2] for t in texts if t)[: SAMPLE_CHARS * 2]
    sample = _NOISE.sub(" ", joined)[:SAMPLE_CHARS]  # not the whole of a book-length file
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    code = _VARIETIES.get(code, code)
    if confidence < MIN_CONFIDENCE or len(code) != 2:
        return None
    return str(code)


def enough_letters(text: str, letters: int = 100) -> bool:
    """Whether a text alone is long enough to tell its language reliably."""
    return len(_LETTER.findall(text[:SAMPLE_CHARS])) >= letters


def direction(language: str | None) -> str:
    """`rtl` for Arabic and the other right-to-left languages, else `ltr` (see store.languages)."""
    return text_direction(language)
