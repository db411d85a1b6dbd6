"""A text's fingerprint for finding campaigns: MinHash (datasketch) over word shingles, cut
into LSH bands whose keys the store indexes.

Two texts whose shingle sets overlap by Jaccard similarity J share at least one of
BANDS bands of ROWS values with probability 1 - (1 - J**ROWS)**BANDS: 0.985 at J = 0.6,
above 0.999 from J = 0.7, about 0.2 at J = 0.3 and 0.0002 at J = 0.05 (two unrelated
comments on one topic). So a new text looks up its BANDS keys and is compared only
with the few texts found there, never with every text: the work per message does not
grow with the consultation. A candidate counts as the same text when the signatures
agree on at least [campaigns] threshold of their values.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

NUM_PERM = 120
BANDS = 30
ROWS = 4
SHINGLE = 3
SEED = 20101115
SCHEME = "affine32"  # named, not defaulted: stored signatures must stay comparable across upgrades
ATTACHMENT_WEIGHT = 50  # an attachment without text weighs as much as a page of words
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    signature: bytes  # NUM_PERM unsigned 32-bit values, little-endian
    buckets: list[int]  # signed 64-bit keys: one per band, or one for a short text's exact key
    exact: bool  # a short text: only an identical one counts as the same
    words: int


def words_of(text: str) -> list[str]:
    """Case-folded words without punctuation: what a copy keeps when it is retyped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def core_text(text: str, *, short: int = 10) -> str:
    """The text without its opening and closing blocks of a few words (the greeting, the
    signature): the parts each sender of a campaign letter makes their own."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    while len(blocks) > 1 and len(blocks[0].split()) < short:
        blocks.pop(0)
    while len(blocks) > 1 and len(blocks[-1].split()) < short:
        blocks.pop()
    return "\n\n".join(blocks)


def content_words(text: str, attachment_texts: list[str]) -> list[str]:
    words = words_of(text)
    for attached in attachment_texts:
        words.extend(words_of(attached))
    return words


def fingerprint(
    words: list[str], attachment_hashes: list[str], *, min_words: int
) -> Fingerprint | None:
    """The fingerprint of a text (and of attachments whose text we could not read), or None."""
    tokens = _shingles(words)
    for sha in attachment_hashes:
        tokens.update(f"attachment:{sha}:{i}" for i in range(ATTACHMENT_WEIGHT))
    if not tokens:
        return None
    minhash = _minhash()
    minhash.update_batch([token.encode("utf-8") for token in sorted(tokens)])
    signature = minhash.hashvalues.astype("<u4").tobytes()
    exact = len(words) < min_words
    if exact:
        key = hashlib.blake2b(b"exact\0" + "\n".join(sorted(tokens)).encode(), digest_size=8)
        return Fingerprint(signature, [_signed(key.digest())], True, len(words))
    buckets = []
    for band in range(BANDS):
        chunk = signature[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(band.to_bytes(2, "big") + chunk, digest_size=8).digest()
        buckets.append(_signed(digest))
    return Fingerprint(signature, buckets, False, len(words))


@cache
def _permutations() -> Any:
    # Imported here: datasketch loads numpy and scipy, which would cost every command
    # (most never compare texts) half a second at start.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def _minhash() -> Any:
    """A fresh MinHash with the fixed permutations, made once rather than per text."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values."""
    import numpy

    a = numpy.frombuffer(first, dtype="<u4")
    b = numpy.frombuffer(second, dtype="<u4")
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(numpy.count_nonzero(a == b)) / len(a)


def _shingles(words: list[str]) -> set[str]:
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    runs = (words[i:] for i in range(SHINGLE))  # the shorter runs end the zip, as they should
    return set(map(" ".join, zip(*runs, strict=False)))


def _signed(digest: bytes) -> int:
    return int.from_bytes(digest, "big", signed=True)
