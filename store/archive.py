"""Raw bytes by SHA-256: written once, made durable, never changed.

The archive is the truth (DESIGN invariant 3): every record can be rebuilt from
it. A blob is durable before the database row that names it is committed: it is
written to a temp file and renamed into place, and `flush()` (one syncfs of the
archive's filesystem) runs before that commit. One flush per batch replaces two
or three fsyncs per blob, which cost most of intake's time on a busy disk, and it
covers blobs the extraction workers wrote too. A blob already in place is
trusted only after its bytes are checked, so one torn by a power loss before a
flush is written again, never recorded. A write that fails (the disk is full)
leaves no temp file behind and raises ArchiveUnwritable: the message waits, it is
not the message's fault.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

HEAD = 65536  # what `head` reads: enough for a message's header block


class ArchiveCorrupt(Exception):
    """A blob's bytes no longer match its name."""


class ArchiveUnwritable(Exception):
    """The archive cannot take more bytes now (its disk is full, read-only, failing): nothing
    was stored, and the same write succeeds once the operator has fixed the disk."""


def unwritable(root: Path, exc: OSError) -> ArchiveUnwritable:
    """The operator's words for a failed archive write: which folder, and what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ArchiveUnwritable(
            f"the archive's disk is full: {root}; free space and it goes on "
            "(nothing is lost: the mail stays on the server and is read again)"
        )
    return ArchiveUnwritable(
        f"cannot write to the archive {root}: {exc.strerror or exc}; fix the disk and it goes on"
    )


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
        """Store `data` and return its SHA-256; durable once `flush()` has run."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if self._intact(target, digest):
            return digest
        tmp = self._tmp / f"{digest}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        try:
            self._ensure_dir(self._tmp)
            self._ensure_dir(target.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            finally:
                os.close(fd)
            tmp.replace(target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)  # a half-written temp file would only fill the disk
            raise unwritable(self.root, exc) from exc
        return digest

    def flush(self) -> None:
        """Make every blob written so far durable, by this process or another: call it before
        committing rows that name them."""
        try:
            _sync_filesystem(self.root)
        except OSError as exc:
            raise unwritable(self.root, exc) from exc

    def _intact(self, target: Path, digest: str) -> bool:
        """A blob already in place whose bytes still hash to its name."""
        try:
            with target.open("rb") as handle:
                return hashlib.file_digest(handle, "sha256").hexdigest() == digest
        except FileNotFoundError:
            return False

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store bytes that arrive in chunks (a big attachment being decoded) without ever
        holding them whole; returns (SHA-256, size). An exception from `chunks` stores nothing."""
        tmp = self._tmp / f"stream.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        digest = hashlib.sha256()
        size = 0
        try:
            try:
                self._ensure_dir(self._tmp)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            except OSError as exc:
                raise unwritable(self.root, exc) from exc
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    view = memoryview(chunk)
                    while view:
                        try:
                            written = os.write(fd, view)
                        except OSError as exc:
                            raise unwritable(self.root, exc) from exc
                        view = view[written:]
            finally:
                os.close(fd)
            target = self.path(digest.hexdigest())
            if self._intact(target, digest.hexdigest()):
                return digest.hexdigest(), size
            try:
                self._ensure_dir(target.parent)
                tmp.replace(target)
            except OSError as exc:
                raise unwritable(self.root, exc) from exc
            return digest.hexdigest(), size
        finally:
            tmp.unlink(missing_ok=True)

    def get(self, sha256: str, *, verify: bool = True) -> bytes:
        data = self.path(sha256).read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != sha256:
            raise ArchiveCorrupt(f"archive blob {self.path(sha256)} does not match its SHA-256")
        return data

    def head(self, sha256: str, size: int = HEAD) -> bytes:
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
        """Create `directory` (made durable with the blobs, by the next flush)."""
        if directory in self._known_dirs:
            return
        directory.mkdir(parents=True, exist_ok=True)
        self._known_dirs.add(directory)


def _sync_filesystem(path: Path) -> None:
    """syncfs(2) on Linux: every dirty page and inode of that filesystem reaches the disk before
    it returns. Elsewhere, sync(2), which is wider but no less safe."""
    path.mkdir(parents=True, exist_ok=True)
    syncfs = getattr(_LIBC, "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"syncfs failed on {path}: {os.strerror(error)}")
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
