"""Submissions read, and their files made, on a thread ahead of the pages that show them.

Making a submission's files is mostly waiting for the sandbox's worker (stripping,
checking: publish.sandbox), a third of a full publish. On a thread, that waiting
happens while this process renders the submissions before it, so the worker's core
and this one are busy together. The thread hands over plain data, never a database
row, and stays at most `depth` submissions ahead: memory stays flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from publish.attachments import FilePublisher
from publish.due import PUBLISHABLE, is_published
from publish.pages import submission_page, withdrawn_page
from store.db import Store
from store.models import Moderation
from store.queries import SubmissionView, iter_submissions
from store.settings import ConsultationSettings

DEPTH = 64  # submissions made ahead of the one being rendered


@dataclass(frozen=True)
class Prepared:
    """One submission, as its pages need it: a withdrawn one's page, or the full page with
    its files made."""

    id: int | None
    number: int
    reference: str
    campaign_id: int | None
    page: dict[str, Any]
    withdrawn: bool


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


@contextmanager
def prepared(
    store: Store,
    consultation: ConsultationSettings,
    files: FilePublisher,
    *,
    depth: int = DEPTH,
) -> Iterator[Iterator[Prepared]]:
    """The published and withdrawn submissions in reference order, made on a thread. On
    leaving, the thread is stopped and joined (before `files` may be closed); an error on
    the thread is raised here, as it was raised there."""
    handover: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    worker = threading.Thread(
        target=_make_all,
        args=(store, consultation, files, handover, stop),
        name="publish-ahead",
        daemon=True,
    )
    worker.start()
    try:
        yield _received(handover, worker)
    finally:
        stop.set()
        while worker.is_alive():  # unblock a thread waiting for room, then wait for it
            with suppress(queue.Empty):
                handover.get(timeout=0.1)
        worker.join()


def _received(handover: queue.Queue[object], worker: threading.Thread) -> Iterator[Prepared]:
    while True:
        try:
            item = handover.get(timeout=1)
        except queue.Empty:
            if worker.is_alive():
                continue
            try:  # it may have handed its last item over just before it ended
                item = handover.get_nowait()
            except queue.Empty:
                raise RuntimeError("the thread making the files stopped without a word") from None
        if item is _DONE:
            return
        if isinstance(item, _Failed):
            raise item.error
        assert isinstance(item, Prepared)
        yield item


def _make_all(
    store: Store,
    consultation: ConsultationSettings,
    files: FilePublisher,
    handover: queue.Queue[object],
    stop: threading.Event,
) -> None:
    try:
        with store.reader() as session:
            for view in iter_submissions(session, statuses=PUBLISHABLE):
                item = _prepare(view, consultation, files)
                if item is not None and not _hand(handover, item, stop):
                    return
        _hand(handover, _DONE, stop)
    except BaseException as exc:  # raised again on the rendering side
        _hand(handover, _Failed(exc), stop)


def _prepare(
    view: SubmissionView, consultation: ConsultationSettings, files: FilePublisher
) -> Prepared | None:
    submission = view.submission
    facts = (submission.id, submission.number, submission.reference, submission.campaign_id)
    if submission.moderation == Moderation.WITHDRAWN:
        return Prepared(*facts, page=withdrawn_page(submission), withdrawn=True)
    if not is_published(submission):
        return None
    page = submission_page(view, consultation)
    page["files"] = files.publish([submission.number], submission, view.attachments, page["files"])
    return Prepared(*facts, page=page, withdrawn=False)


def _hand(handover: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put `item` in the queue unless the renderer has stopped; whether it was put."""
    while not stop.is_set():
        try:
            handover.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
