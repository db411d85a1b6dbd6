"""publish.ahead: submissions read and their files made on a thread, handed over in order;
an error there is raised to the build, and a build that stops early leaves no thread behind."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from publish.ahead import prepared
from publish.attachments import FilePublisher
from publish.output import BuildOutput
from publish.settings import AttachmentSettings
from store import ConsultationSettings, Store
from store.models import Attachment, Moderation, Submission
from tests.publish.sample import populate


def _publisher(
    store: Store, tmp_path: Path, kind: type[FilePublisher] = FilePublisher
) -> FilePublisher:
    (tmp_path / "build" / "public").mkdir(parents=True)
    (tmp_path / "build" / "manifest").mkdir()
    output = BuildOutput(tmp_path / "build" / "public", tmp_path / "build" / "manifest", None)
    return kind(store.archive, output, AttachmentSettings())


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "publish-ahead"]


def test_submissions_come_in_reference_order_with_their_files_made(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    files = _publisher(store, tmp_path)
    try:
        with prepared(store, consultation, files, depth=2) as items:
            got = list(items)
    finally:
        files.close()
    numbers = [item.number for item in got]
    assert numbers == sorted(numbers) and len(numbers) > 5
    assert [i.reference for i in got if i.withdrawn] != []
    assert all(i.page["withdrawn"] for i in got if i.withdrawn)
    served = [f for i in got if not i.withdrawn for f in i.page["files"] if f.get("path")]
    assert served, "no attachment was made on the thread"
    assert all((tmp_path / "build" / "public" / f["path"]).is_file() for f in served)
    with store.reader() as session:
        hidden = session.exec(
            select(Submission.reference).where(Submission.moderation == Moderation.HIDDEN)
        ).all()
    assert hidden and not set(hidden) & {i.reference for i in got}
    assert _threads() == []


class _FullDisk(FilePublisher):
    """The thread's file making meets a full disk on the third submission."""

    calls = 0

    def publish(
        self, key: Any, submission: Submission, rows: list[Attachment], files: list[Any]
    ) -> list[dict[str, Any]]:
        self.calls += 1
        if self.calls == 3:
            raise OSError(errno.ENOSPC, "No space left on device", "files/x")
        return super().publish(key, submission, rows, files)


def test_an_error_on_the_thread_is_raised_to_the_build_as_it_was(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    files = _publisher(store, tmp_path, _FullDisk)
    received = []
    try:
        with pytest.raises(OSError) as raised, prepared(store, consultation, files) as items:
            for item in items:
                received.append(item.number)
    finally:
        files.close()
    assert raised.value.errno == errno.ENOSPC
    assert len(received) >= 1  # what came before the error was handed over
    assert _threads() == []


def test_a_build_that_stops_early_stops_the_thread(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    files = _publisher(store, tmp_path)
    try:
        with pytest.raises(RuntimeError), prepared(store, consultation, files, depth=1) as items:
            next(items)
            raise RuntimeError("the renderer failed")
    finally:
        files.close()
    assert _threads() == []
