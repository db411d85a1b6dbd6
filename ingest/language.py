"""Which language a submission is written in: an ISO 639-1 code, or None when unsure.

py3langid (a maintained fork of langid.py) ships its model inside the package,
covers the six UN languages and about ninety others, and gives the same answer
for the same text every time, so a reparse yields the same records. The model
loads once per process, on first use.

The model's tokenizer is a DFA walked one byte at a time in Python, a cache miss a
byte: about a fifth of a worker's time on a message. It is an Aho-Corasick automaton whose
states stand for strings of at most DFA_DEPTH bytes, so its state after any text
depends on the text's last DFA_DEPTH bytes alone; `_Identifier` walks every position's
window at once with numpy, and counts the same features in the same order, so the
scores are the library's to the last bit (tests/ingest/test_language.py checks both).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import islice
from typing import Any

import numpy as np

from store.languages import text_direction

SAMPLE_CHARS = 20_000  # enough to be sure; more only costs time
MIN_LETTERS = 20  # "ok thanks" is too short to tell
MIN_CONFIDENCE = 0.80
# The model's few labels that are not ISO 639-1: varieties folded into their language.
_VARIETIES = {"ary": "ar", "arz": "ar", "gug": "gn", "gom": "kok"}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+")
# The shipped model's automaton: its number of states, and its longest state's bytes. Another
# model (a py3langid upgrade) is walked byte by byte, by the library, until checked again.
DFA_STATES = 104_583
DFA_DEPTH = 6


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    class _Identifier(LanguageIdentifier):  # type: ignore[misc]
        """The library's identifier, its features counted for a whole text at once."""

        def _raw_score(self, text: bytes) -> Any:
            visits = feature_counts(self, text)
            if visits:
                return self._sparse_score(visits, self.nb_ptc)
            return super()._raw_score(text)  # no feature at all: the library's own answer

    identifier = _Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    if len(identifier.tk_output) == DFA_STATES:
        identifier.dfa = (
            np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
            np.asarray(identifier._rowbase, dtype=np.int64),
            np.asarray(identifier.tk_output, dtype=np.int64),
        )
        return identifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def feature_counts(identifier: Any, text: bytes) -> Counter[int] | None:
    """py3langid's visit_counts(text): each feature the DFA emits, counted, in the order
    first seen; None when there is none."""
    nextmove, rowbase, output = identifier.dfa
    lead = min(len(text), DFA_DEPTH - 1)  # positions whose window starts at the text's start
    state, states = 0, []
    for letter in text[:lead]:
        state = int(nextmove[rowbase[state] + letter])
        states.append(state)
    found = output[states]
    if len(text) >= DFA_DEPTH:
        data = np.frombuffer(text, dtype=np.uint8)
        width = len(text) - DFA_DEPTH + 1
        window = np.zeros(width, dtype=np.int64)  # every window walked from the start state
        for offset in range(DFA_DEPTH):
            window = nextmove[rowbase[window] + data[offset : offset + width]]
        found = np.concatenate((found, output[window]))
    found = found[found >= 0]
    return Counter(found.tolist()) if len(found) else None


def detect_language(*texts: str) -> str | None:
    """The language of the texts taken together (the comment first, then its files)."""
    joined = "\n".join(t[: SAMPLE_CHARS * 2] for t in texts if t)[: SAMPLE_CHARS * 2]
    if "@" in joined or "://" in joined:  # the only texts _NOISE can match: most have neither
        joined = _NOISE.sub(" ", joined)
    sample = joined[:SAMPLE_CHARS]  # not the whole of a book-length file
    if not _has_letters(sample, MIN_LETTERS):
        return None
    code, confidence = _identifier().classify(sample)
    code = _VARIETIES.get(code, code)
    if confidence < MIN_CONFIDENCE or len(code) != 2:
        return None
    return str(code)


def enough_letters(text: str, letters: int = 100) -> bool:
    """Whether a text alone is long enough to tell its language reliably."""
    return _has_letters(text, letters, end=SAMPLE_CHARS)


def _has_letters(text: str, count: int, *, end: int | None = None) -> bool:
    """Whether `text[:end]` holds `count` letters: it is read only as far as the last needed."""
    found = _LETTER.finditer(text, 0, len(text) if end is None else end)
    return count <= 0 or next(islice(found, count - 1, None), None) is not None


def direction(language: str | None) -> str:
    """`rtl` for Arabic and the other right-to-left languages, else `ltr` (see store.languages)."""
    return text_direction(language)
