"""Writing a build: render what changed, hard-link what did not from the build before.

A page's inputs are hashed into a digest; the manifest, kept beside the build,
records for each unit (one submission's pages, one listing page in every
language, ...) its digest and the files it made. Units come in a fixed order,
so the previous manifest is read alongside, one line at a time: memory stays
flat however large the site. A file whose unit did not change is hard-linked
from the previous build: same bytes, same inode, same modification time, so
static hosts and caches skip it. Files made from everything (feeds, exports,
the search index) are written, then linked back to the previous file when their
bytes came out the same.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from publish.privacy import Privacy, trusts

Key = list[Any]


def digest_of(*parts: Any) -> str:
    """A stable digest of JSON-able data (datetimes as ISO 8601)."""
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot digest {type(value).__name__}")


class Ledger:
    """One stream of the manifest: units in ascending key order, read and written in step."""

    def __init__(self, previous: Path | None, current: Path) -> None:
        self._old: Iterator[list[Any]] = _lines(previous)
        self._pending: list[Any] | None = next(self._old, None)
        self._out: IO[str] = current.open("w", encoding="utf-8")
        self._last: Key | None = None

    def previous(self, key: Key) -> tuple[str, list[str]] | None:
        """The digest and files the previous build recorded for `key`, if any."""
        if self._last is not None and key <= self._last:
            raise ValueError(f"manifest keys out of order: {key!r} after {self._last!r}")
        while self._pending is not None and self._pending[0] < key:
            self._pending = next(self._old, None)
        if self._pending is not None and self._pending[0] == key:
            return self._pending[1], self._pending[2]
        return None

    def record(self, key: Key, digest: str, files: list[str]) -> None:
        self._last = key
        self._out.write(json.dumps([key, digest, files], ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._out.close()


def _lines(path: Path | None) -> Iterator[list[Any]]:
    if path is None or not path.is_file():
        return
    with path.open(encoding="utf-8") as source:
        for line in source:
            yield json.loads(line)


class BuildOutput:
    """The folder a build writes into, the previous build it may reuse, and what it did."""

    def __init__(self, public: Path, manifest: Path, previous: Path | None) -> None:
        if previous is not None and not trusts(previous / "manifest"):
            previous = None  # its files were not checked as this build checks: make them all
        self.privacy = Privacy()  # every file written anew passes it (_wrote)
        self.public = public
        self.manifest = manifest
        self.previous_public = previous / "public" if previous else None
        self.previous_manifest = previous / "manifest" if previous else None
        self.ledgers: dict[str, Ledger] = {}
        self.rendered = 0
        self.reused = 0
        # The attachments' thread (publish.ahead) writes its own streams of the manifest and
        # files of its own, but counts and lists what it wrote alongside the renderer.
        self._tally = threading.Lock()
        # Every path written anew, one a line: for the operator's curiosity and the tests.
        self._written: IO[str] = (manifest / "written.txt").open("w", encoding="utf-8")
        self._folders: set[Path] = set()  # folders known to exist (bounded: cleared when large)

    def _folder(self, path: Path) -> None:
        folder = path.parent
        if folder not in self._folders:
            if len(self._folders) > 10_000:
                self._folders.clear()
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def ledger(self, name: str) -> Ledger:
        if name not in self.ledgers:
            old = self.previous_manifest / f"{name}.jsonl" if self.previous_manifest else None
            self.ledgers[name] = Ledger(old, self.manifest / f"{name}.jsonl")
        return self.ledgers[name]

    def unit(
        self, stream: str, key: Key, digest: str, files: list[str], render: Callable[[], None]
    ) -> bool:
        """Link the unit's files from the previous build if its digest is unchanged, else render.

        `render` must write exactly `files`. Returns whether it rendered.
        """
        ledger = self.ledger(stream)
        before = ledger.previous(key)
        ledger.record(key, digest, files)
        if before == (digest, files) and self._link_all(files):
            return False
        render()
        for name in files:
            self._wrote(name)
        return True

    def _wrote(self, name: str) -> None:
        if not self.privacy.admit(self.public, name):
            return  # deleted before the swap: never served, and reported
        with self._tally:
            self.rendered += 1
            self._written.write(name + "\n")

    def _link_all(self, files: list[str]) -> bool:
        if self.previous_public is None:
            return False
        sources = [self.previous_public / f for f in files]
        if not all(s.is_file() for s in sources):
            return False
        for source, name in zip(sources, files, strict=True):
            target = self.public / name
            self._folder(target)
            os.link(source, target)
        with self._tally:
            self.reused += len(files)
        return True

    def write_text(self, name: str, text: str) -> None:
        path = self.public / name
        self._folder(path)
        path.write_bytes(text.encode("utf-8"))

    def path(self, name: str) -> Path:
        path = self.public / name
        self._folder(path)
        return path

    def settle(self, name: str) -> None:
        """A file already written: if the previous build has the same bytes, keep that one."""
        if self.previous_public is not None:
            old = self.previous_public / name
            new = self.public / name
            if old.is_file() and filecmp.cmp(old, new, shallow=False):
                new.unlink()
                os.link(old, new)
                with self._tally:
                    self.reused += 1
                return
        self._wrote(name)

    def settle_tree(self, folder: str) -> None:
        for path in sorted((self.public / folder).rglob("*")):
            if path.is_file():
                self.settle(path.relative_to(self.public).as_posix())

    def link_tree(self, folder: str) -> bool:
        """Reuse a whole folder of the previous build (e.g. an unchanged search index)."""
        if self.previous_public is None or not (self.previous_public / folder).is_dir():
            return False
        for source in sorted((self.previous_public / folder).rglob("*")):
            if source.is_file():
                name = source.relative_to(self.previous_public).as_posix()
                target = self.public / name
                self._folder(target)
                os.link(source, target)
                with self._tally:
                    self.reused += 1
        return True

    def previous_digest(self, name: str) -> str | None:
        """A single digest recorded by the previous build (search index, attachments zip)."""
        if self.previous_manifest is None:
            return None
        path = self.previous_manifest / "singles.json"
        if not path.is_file():
            return None
        value = json.loads(path.read_text(encoding="utf-8")).get(name)
        return value if isinstance(value, str) else None

    def close(self, singles: dict[str, str]) -> None:
        for ledger in self.ledgers.values():
            ledger.close()
        self._written.close()
        self.privacy.save(self.manifest)
        (self.manifest / "singles.json").write_text(
            json.dumps(singles, sort_keys=True, indent=1), encoding="utf-8"
        )
