"""Language detection counts the model's features a whole text at once: the same counts, in
the same order, as py3langid's own byte-by-byte walk, so the same answers."""

from __future__ import annotations

import random

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from ingest.language import DFA_DEPTH, DFA_STATES, _identifier, feature_counts
from tests.ingest.test_parse import UN_LANGUAGES


def test_the_shipped_model_is_the_automaton_counted_at_once() -> None:
    identifier = _identifier()
    assert hasattr(identifier, "dfa"), "another py3langid model: check DFA_STATES and DFA_DEPTH"
    nextmove, rowbase, _ = identifier.dfa
    assert len(rowbase) == DFA_STATES
    depth = np.full(DFA_STATES, -1)
    depth[0] = 0
    frontier, level = np.array([0]), 0
    while len(frontier):  # every state's shortest input: no state is further than DFA_DEPTH
        reached = np.unique(nextmove[(rowbase[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[depth[reached] < 0]
        level += 1
        depth[frontier] = level
    assert depth.min() == 0
    assert depth.max() == DFA_DEPTH


def test_features_are_counted_as_the_library_counts_them() -> None:
    identifier = _identifier()
    draw = random.Random(20101115)
    texts = [identifier._encode(text) for text in UN_LANGUAGES.values()]
    texts.append(identifier._encode("\n\n".join(UN_LANGUAGES.values()) * 3))
    texts += [bytes(draw.randrange(256) for _ in range(size)) for size in range(12)]
    texts += [bytes(draw.randrange(256) for _ in range(draw.randrange(400))) for _ in range(300)]
    for text in texts:
        expected = visit_counts(
            identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, text
        )
        found = feature_counts(identifier, text)
        assert (found is None) == (expected is None)
        if expected is not None:
            assert list(found.items()) == list(expected.items())


def test_the_answers_are_the_library_answers() -> None:
    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = [*UN_LANGUAGES.values(), "ok thanks", "", "12345 67890", "Merci beaucoup"]
    for text in texts:
        assert _identifier().classify(text) == library.classify(text)
