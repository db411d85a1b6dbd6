"""The archive: content-addressed, never changed, and never trusting a torn blob."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from store.archive import Archive, ArchiveCorrupt


def test_a_blob_is_stored_once_under_its_hash_and_read_back(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    data = b"From: a@example.org\r\n\r\nA comment.\r\n"
    digest = archive.put(data)
    archive.flush()
    assert digest == hashlib.sha256(data).hexdigest()
    assert archive.put(data) == digest
    assert archive.get(digest) == data
    assert list(archive) == [digest]
    assert not any((tmp_path / "archive" / "tmp").iterdir())


def test_streamed_bytes_are_stored_whole(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    chunks = [b"x" * 1000, b"y" * 5000, b"z"]
    digest, size = archive.put_stream(iter(chunks))
    assert size == 6001 and archive.get(digest) == b"".join(chunks)


def test_a_torn_blob_is_detected_and_written_again(tmp_path: Path) -> None:
    """A power loss before a flush can leave a name with the wrong bytes; since no row was
    committed, the message is fetched again, and putting it again must repair the blob."""
    archive = Archive(tmp_path / "archive")
    data = b"The comment as it arrived."
    digest = archive.put(data)
    archive.path(digest).write_bytes(b"\0" * len(data))  # what a torn write leaves
    with pytest.raises(ArchiveCorrupt):
        archive.get(digest)
    assert archive.put(data) == digest
    assert archive.get(digest) == data
    digest2, _ = archive.put_stream(iter([b"other"]))
    archive.path(digest2).write_bytes(b"")
    assert archive.put_stream(iter([b"other"]))[0] == digest2
    assert archive.get(digest2) == b"other"
