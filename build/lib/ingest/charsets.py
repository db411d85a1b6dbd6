"""Text that arrived in an undeclared or wrong charset, made readable and safe to store.

The standard library keeps bytes it could not decode as surrogate escapes; no
database takes those, and PostgreSQL takes no NUL either. Bytes that are valid
UTF-8 are read as UTF-8; anything else is guessed by charset-normalizer, and the
caller is told that it was a guess.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def repair(text: str) -> tuple[str, bool]:
    """(readable text, whether its charset was guessed)."""
    guessed = False
    if _SURROGATES.search(text):
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            best = from_bytes(raw).best()
            text = str(best) if best is not None else raw.decode("latin-1")
            guessed = True
        except UnicodeEncodeError:  # lone surrogates that were never bytes
            text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text), guessed
