"""Raw bytes by SHA-256: written once, fsync'd, never changed.

The archive is the truth (DESIGN invariant 3): every record can be rebuilt from
it. A blob is durable before the database row that names it is committed:
temp file, fsync, rename, fsync of the directory.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path


class ArchiveCorrupt(Exception):
    """A blob's bytes no longer match its name."""


class Archive:
    """A content-addressed folder: `sha256/ab/cd/<hex>`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._blobs = root / "sha256"
        self._tmp = root / "tmp"
        self._known_dirs: set[Path] = set()

    def path(self, sha256: str) -> Path:
        return self._blobs / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` durably and return its SHA-256; storing it again costs a stat."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        self._ensure_dir(self._tmp)
        self._ensure_dir(target.parent)
        tmp = self._tmp / f"{digest}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(target)
        _fsync_dir(target.parent)
        return digest

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store bytes that arrive in chunks (a big attachment being decoded) without ever
        holding them whole; returns (SHA-256, size). An exception from `chunks` stores nothing."""
        self._ensure_dir(self._tmp)
        tmp = self._tmp / f"stream.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        digest = hashlib.sha256()
        size = 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        try:
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    view = memoryview(chunk)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            target = self.path(digest.hexdigest())
            if target.exists():
                return digest.hexdigest(), size
            self._ensure_dir(target.parent)
            tmp.replace(target)
            _fsync_dir(target.parent)
            return digest.hexdigest(), size
        finally:
            tmp.unlink(missing_ok=True)

    def get(self, sha256: str, *, verify: bool = True) -> bytes:
        data = self.path(sha256).read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != sha256:
            raise ArchiveCorrupt(f"archive blob {self.path(sha256)} does not match its SHA-256")
        return data

    def head(self, sha256: str, size: int = 65536) -> bytes:
        """The first `size` bytes of a blob, unverified: enough for a message's header block."""
        with self.path(sha256).open("rb") as handle:
            return handle.read(size)

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def __iter__(self) -> Iterator[str]:
        """Every stored digest, streamed from the directory tree."""
        if not self._blobs.is_dir():
            return
        for first in sorted(self._blobs.iterdir()):
            for second in sorted(first.iterdir()):
                for blob in sorted(second.iterdir()):
                    yield blob.name

    def _ensure_dir(self, directory: Path) -> None:
        """Create `directory` and make each new level durable in its parent."""
        if directory in self._known_dirs:
            return
        missing: list[Path] = []
        probe = directory
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        for new in reversed(missing):
            try:
                new.mkdir()
            except FileExistsError:
                continue  # another daemon made it first
            _fsync_dir(new.parent)
        self._known_dirs.add(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
