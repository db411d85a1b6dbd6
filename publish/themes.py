"""Themes: the public comments grouped by what they say, in any of the six languages.

Each comment's text (its own words, and its attachments' text: a covering note gives way to
the file) becomes a vector with a multilingual sentence encoder (publish.embedding), stored
once per text. Vectors are grouped with scikit-learn's BIRCH, which reads them in chunks
into a bounded tree of small subclusters, and average-linkage agglomerative clustering of
those subclusters (cosine distance) makes the themes. The vectors are first centred on the
mean of all comments: in a consultation every comment is about its subject, and what sets
them apart is what is left. A campaign is one comment with its size. Everything streams in
reference order, so the same store gives the same themes.
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session

from publish.digest import opening_paragraph
from publish.due import PUBLIC
from publish.embedding import BATCH, embed, from_bytes, model_name, text_sha, to_bytes
from publish.pages import segments
from publish.theme_words import LANGUAGES, ThemeWords, label_of
from store.campaigns import campaign_references
from store.db import Store
from store.models import Submission
from store.queries import SubmissionView, find_submission, iter_submissions
from store.themes import (
    NewTheme,
    fingerprint,
    replace_themes,
    save_vectors,
    stored_fingerprint,
    vectors_of,
)

if TYPE_CHECKING:
    from sklearn.cluster import Birch

log = logging.getLogger(__name__)

EMBED_CHARS = 2000  # of each comment's text: what it is about is said early
OWN_WORDS = 40  # fewer of its own words than this: a covering note, its files speak for it
SUBCLUSTER_RADIUS = 0.5  # BIRCH threshold (Euclidean, on centred unit vectors)
THEME_DISTANCE = 0.9  # average cosine distance under which subclusters form one theme
MAX_SUBCLUSTERS = 4000  # the agglomerative step holds their pairwise distances
CHUNK = 2000  # vectors per BIRCH step
EXCERPT_CHARS = 300

Progress = Callable[[int], None]


@dataclass
class ThemeReport:
    computed: bool  # False: the stored themes were still current
    units: int = 0  # comments grouped, a campaign counted once
    embedded: int = 0  # vectors computed now (the others were stored)
    themes: int = 0


def settings_key() -> str:
    return f"{model_name()}:{EMBED_CHARS}:{OWN_WORDS}:centred:{SUBCLUSTER_RADIUS}:{THEME_DISTANCE}"


def refresh_themes(
    store: Store, now: datetime, *, force: bool = False, progress: Progress | None = None
) -> ThemeReport:
    """Compute the themes again if the public comments changed since they were computed."""
    with store.reader() as session:
        current = fingerprint(session, PUBLIC, settings_key())
        if not force and stored_fingerprint(session) == current:
            return ThemeReport(computed=False)
    log.info("themes: the public comments changed; computing the themes again")
    report = ThemeReport(computed=True)
    report.embedded, report.units = _embed_all(store, progress)
    themes = _group(store) if report.units else []
    with store.session() as session:
        replace_themes(session, themes, current, now)
        session.commit()
    report.themes = len(themes)
    log.info("themes: %d from %d comments (%d embedded now)", len(themes), report.units,
             report.embedded)  # fmt: skip
    return report


def theme_text(view: SubmissionView) -> str:
    """What a comment says, as the encoder reads it."""
    submission = view.submission
    own = "\n".join(p["text"] for p in segments(submission) if p["kind"] == "text").strip()
    files = [a.text for a in view.attachments if a.text]
    parts = [submission.subject]
    if len(own.split()) >= OWN_WORDS or not files:
        parts.append(own)
    parts += files
    return "\n".join(p for p in parts if p)[:EMBED_CHARS]


def _units(session: Session) -> Iterator[tuple[SubmissionView, int]]:
    """Public comments in reference order, a campaign once (at its first copy) with its size."""
    campaigns: set[int] = set()
    for view in iter_submissions(session, visibility=PUBLIC):
        campaign_id = view.submission.campaign_id
        weight = 1
        if campaign_id is not None:
            if campaign_id in campaigns:
                continue
            campaigns.add(campaign_id)
            weight = max(campaign_references(session, campaign_id, PUBLIC, limit=0)[1], 1)
        yield view, weight


def _pages(session: Session, size: int) -> Iterator[list[tuple[SubmissionView, int]]]:
    page: list[tuple[SubmissionView, int]] = []
    for unit in _units(session):
        page.append(unit)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def _embed_all(store: Store, progress: Progress | None) -> tuple[int, int]:
    """Vectors for the comments that have none, or whose text changed, a batch a commit."""
    model, embedded, units = model_name(), 0, 0
    with store.reader() as reader:
        for page in _pages(reader, BATCH):
            ids = [view.submission.id or 0 for view, _ in page]
            stored = vectors_of(reader, ids)
            texts = {view.submission.id or 0: theme_text(view) for view, _ in page}
            missing = [
                sid
                for sid in ids
                if sid not in stored
                or stored[sid].text_sha != text_sha(texts[sid])
                or stored[sid].model != model
            ]
            if missing:
                vectors = embed([texts[sid] for sid in missing])
                rows = [
                    (sid, text_sha(texts[sid]), to_bytes(vector))
                    for sid, vector in zip(missing, vectors, strict=True)
                ]
                with store.session() as writer:
                    save_vectors(writer, model, rows)
                    writer.commit()
                embedded += len(missing)
            units += len(page)
            if progress:
                progress(len(page))
    return embedded, units


def _vector_chunks(
    store: Store, mean: NDArray[np.float64] | None = None
) -> Iterator[tuple[list[SubmissionView], list[int], NDArray[np.float32]]]:
    """Units with their vectors (centred on `mean`), in reference order, CHUNK at a time."""
    with store.reader() as session:
        for page in _pages(session, CHUNK):
            stored = vectors_of(session, [view.submission.id or 0 for view, _ in page])
            # A comment published since the vectors were computed waits for the next time.
            page = [(view, weight) for view, weight in page if view.submission.id in stored]
            if not page:
                continue
            matrix = np.stack(
                [from_bytes(stored[view.submission.id or 0].vector) for view, _ in page]
            )
            if mean is not None:
                centred = matrix - mean
                norms = np.linalg.norm(centred, axis=1, keepdims=True)
                matrix = np.asarray(centred / np.maximum(norms, 1e-12), dtype=np.float32)
            yield [view for view, _ in page], [weight for _, weight in page], matrix


def _mean(store: Store) -> NDArray[np.float64]:
    total, count = np.zeros(512), 0
    for _, _, matrix in _vector_chunks(store):
        total += matrix.sum(axis=0, dtype=np.float64)
        count += len(matrix)
    return total / max(count, 1)


def _fit(store: Store, mean: NDArray[np.float64]) -> tuple[Birch, NDArray[np.int64]]:
    """BIRCH over every vector, then the subclusters joined into themes. scikit-learn is
    imported here: it takes seconds, and every command (and a restarted daemon) waited for it."""
    from sklearn.cluster import AgglomerativeClustering, Birch

    radius = SUBCLUSTER_RADIUS
    while True:
        birch = Birch(threshold=radius, n_clusters=None)
        for _, _, matrix in _vector_chunks(store, mean):
            birch.partial_fit(matrix)
        centres = birch.subcluster_centers_
        if len(centres) <= MAX_SUBCLUSTERS:
            break
        radius += 0.05  # too varied for the agglomerative step: coarser subclusters
    if len(centres) == 1:
        return birch, np.zeros(1, dtype=np.int64)
    joined = AgglomerativeClustering(
        n_clusters=None, distance_threshold=THEME_DISTANCE, metric="cosine", linkage="average"
    ).fit_predict(centres)
    return birch, np.asarray(joined, dtype=np.int64)


@dataclass
class _Tally:
    units: int = 0
    size: int = 0
    first: int = 0
    total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(512))
    groups: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    unit_languages: Counter[str] = field(default_factory=Counter)
    ids: array[int] = field(default_factory=lambda: array("q"))
    weights: array[int] = field(default_factory=lambda: array("q"))
    similarity: array[float] = field(default_factory=lambda: array("f"))


def _group(store: Store) -> list[NewTheme]:
    mean = _mean(store)
    birch, joined = _fit(store, mean)
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for views, weights, matrix in _vector_chunks(store, mean):
        labels = joined[birch.predict(matrix)]
        for view, weight, label, vector in zip(views, weights, labels, matrix, strict=True):
            tally = tallies[int(label)]
            s = view.submission
            tally.first = tally.first or s.number
            tally.units += 1
            tally.size += weight
            tally.total += vector
            tally.groups[s.stakeholder_group.value] += weight
            tally.languages[s.language or "und"] += weight
            tally.unit_languages[s.language or "und"] += 1
    centroids = {
        label: t.total / max(float(np.linalg.norm(t.total)), 1e-12) for label, t in tallies.items()
    }
    words = ThemeWords()
    for views, weights, matrix in _vector_chunks(store, mean):
        labels = joined[birch.predict(matrix)]
        for view, weight, label, vector in zip(views, weights, labels, matrix, strict=True):
            tally = tallies[int(label)]
            tally.ids.append(view.submission.id or 0)
            tally.weights.append(weight)
            tally.similarity.append(float(vector @ centroids[int(label)]))
            s = view.submission
            names = " ".join(
                (s.sender_name, s.organisation, s.organisation_suggested or "", s.subject)
            )
            words.add(int(label), s.language or "und", theme_text(view), names)
    order = sorted(tallies, key=lambda k: (-tallies[k].size, -tallies[k].units, tallies[k].first))
    with store.reader() as session:
        return [_theme(session, label, tallies[label], words) for label in order]


def _theme(session: Session, label: int, tally: _Tally, words: ThemeWords) -> NewTheme:
    preferred = {code: n for n, code in enumerate(LANGUAGES)}
    language = min(
        tally.unit_languages,
        key=lambda k: (-tally.unit_languages[k], preferred.get(k, len(preferred)), k),
    )
    keywords = words.keywords(label, language)
    best = max(range(len(tally.ids)), key=lambda i: (tally.similarity[i], -i))
    central = session.get(Submission, tally.ids[best])
    excerpt, reference = "", ""
    if central is not None:
        view = find_submission(session, central.reference)
        if view is not None:
            excerpt = opening_paragraph(view.submission, view.attachments)[0][:EXCERPT_CHARS]
            reference = central.reference
    return NewTheme(
        label=label_of(keywords) or (excerpt[:60] if excerpt else reference),
        keywords=keywords,
        excerpt=excerpt,
        excerpt_reference=reference,
        size=tally.size,
        units=tally.units,
        groups=dict(tally.groups.most_common()),
        languages=dict(tally.languages.most_common()),
        members=list(zip(tally.ids, tally.weights, tally.similarity, strict=True)),
    )
