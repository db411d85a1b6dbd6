"""The search index: Pagefind, run offline from its PyPI wheel, over submissions and attachments.

One small page per published submission, in the submission's own language, so
Pagefind stems it (English, French, Russian, Spanish, Arabic) or segments it
(Chinese) as that language needs; the search page queries every language's
index. One shard's pages are held as the build streams; only a changed shard's
are written to a scratch folder, and Pagefind indexes it there and then, two
shards at a time, on the other core while the build renders on.

Pagefind holds everything it indexes in memory (about 60 MB plus 0.15 MB a
submission, measured here), so the index is cut into shards of SHARD_SIZE
submissions by number, one Pagefind bundle each (`pagefind/00000/`, ...), listed
in `pagefind/shards.json`; the search page merges them (Pagefind's mergeIndex).
Memory stays flat however many comments there are, and a shard runs again only
when its pages changed: new comments touch the last shard alone. Pagefind's
output is deterministic, and files that came out the same are linked from the
previous build.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import IO, Any

from publish.output import BuildOutput
from publish.render import redacted as redact

FOLDER = "pagefind"
SHARDS = f"{FOLDER}/shards.json"
SHARD_SIZE = 2000  # submissions per Pagefind bundle: about 360 MB at most while indexing
SPOOL_BYTES = 32 << 20  # a shard's pages held in memory up to this, then spooled to disk


class SearchRecords:
    """What Pagefind will index: one small HTML page per submission. Submissions come in
    number order, so one shard's pages are held at a time (spooled to disk past SPOOL_BYTES):
    an unchanged shard's index is linked from the previous build, a changed one's pages go to
    a scratch folder for Pagefind."""

    def __init__(self, output: BuildOutput) -> None:
        self.output = output
        self._folder = tempfile.TemporaryDirectory(prefix="mailroom-search-")
        self.root = Path(self._folder.name)
        self._digests: dict[str, str] = {}  # shard folder name -> hash of its pages
        self._changed: set[str] = set()  # shards whose pages are in the scratch folder
        # Pagefind works mostly on one core: two shards at a time use both.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pagefind")
        self._jobs: list[Future[None]] = []
        self._shard: str | None = None
        self._pages = _spool()  # this shard's pages, framed: slug, length, bytes
        self._hash = hashlib.sha256()

    def add(self, page: dict[str, Any]) -> None:
        parts = [page["subject"], page["name"], page["organisation"]]
        parts += [part["text"] for part in page["segments"]]
        for file in page["files"]:
            parts += [file["name"], file["text"]]
        language = f' lang="{escape(page["language"])}"' if page["language"] else ""
        title = escape(redact(f"{page['reference']} {page['subject']}".strip()))
        text = "".join(f"<p>{escape(redact(part))}</p>\n" for part in parts if part)
        html = (
            f'<!doctype html>\n<html{language}><head><meta charset="utf-8"><title>{title}'
            f'</title></head>\n<body><h1 data-pagefind-meta="title">{title}</h1>\n'
            f'<p data-pagefind-meta="reference">{escape(page["reference"])}</p>\n{text}'
            "</body></html>\n"
        )
        shard = f"{(page['number'] - 1) // SHARD_SIZE:05d}"
        if shard != self._shard:
            self._end_shard()
            self._shard = shard
        data = html.encode("utf-8")
        self._pages.write(f"{page['slug']}\t{len(data)}\n".encode() + data)
        self._hash.update(page["slug"].encode() + b"\0" + data)

    def _end_shard(self) -> None:
        if self._shard is None:
            return
        digest = self._digests[self._shard] = self._hash.hexdigest()
        folder = f"{FOLDER}/{self._shard}"
        if self.output.previous_digest(folder) != digest or not self.output.link_tree(folder):
            # The page's address in the index is its path here: /submissions/<reference>.html.
            pages = self.root / self._shard / "submissions"
            pages.mkdir(parents=True)
            self._pages.seek(0)
            while head := self._pages.readline():
                slug, length = head.decode().rstrip("\n").split("\t")
                (pages / f"{slug}.html").write_bytes(self._pages.read(int(length)))
            self._changed.add(self._shard)
            target = self.output.public / FOLDER / self._shard
            self._jobs.append(self._pool.submit(_index, self.root / self._shard, target))
        self._pages.close()
        self._shard, self._pages, self._hash = None, _spool(), hashlib.sha256()

    def finish(self) -> dict[str, str]:
        """Write each shard's index into `pagefind/<shard>/` (or reuse the previous build's) and
        the list of shards; returns each shard's digest, for the next build to compare."""
        output = self.output
        digests: dict[str, str] = {}
        shards: list[dict[str, Any]] = []
        try:
            self._end_shard()
            for job in self._jobs:  # the changed shards; the others were linked
                job.result()
            for shard in sorted(self._digests):
                folder = f"{FOLDER}/{shard}"
                digests[folder] = self._digests[shard]
                if shard in self._changed:
                    _sort_entry(output.public / folder / "pagefind-entry.json")
                    output.settle_tree(folder)
                entry = json.loads((output.public / folder / "pagefind-entry.json").read_bytes())
                shards.append({"folder": shard, "languages": sorted(entry["languages"])})
            output.write_text(SHARDS, json.dumps({"shards": shards}, separators=(",", ":")))
            output.settle(SHARDS)
            return digests
        finally:
            self.close()

    def close(self) -> None:
        """Wait for Pagefind (a build that failed must not be written into as it is deleted),
        then delete the scratch pages."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pages.close()
        self._folder.cleanup()


def _spool() -> IO[bytes]:
    """A shard's pages: in memory while they are small, on disk past SPOOL_BYTES (a shard
    of comments with long attachments), so memory stays flat."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


class SearchIndexFailed(Exception):
    """Pagefind could not build the index; the message says what it said."""


def _index(pages: Path, target: Path) -> None:
    """Pagefind's command, from its wheel (its Python client waits 0.1 s per record)."""
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise SearchIndexFailed(
            "pagefind's binary is missing: install Mailroom with its dependencies "
            "(pip install 'pagefind[extended]')"
        )
    run = subprocess.run(
        [str(executable), "--site", str(pages), "--output-path", str(target), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0 or not (target / "pagefind-entry.json").is_file():
        raise SearchIndexFailed(
            f"pagefind could not index the site (exit {run.returncode}): "
            f"{(run.stderr or run.stdout).strip()[-2000:]}"
        )
    # Our search page is its own interface (static/search.js): Pagefind's ready-made ones are
    # not served, and they carry their translators' email addresses.
    for unused in target.glob("pagefind-*ui.*"):
        unused.unlink()


def _sort_entry(path: Path) -> None:
    """Pagefind lists its languages in hash-map order; sorted, the same records give the same
    bytes (the search script looks languages up by name, so their order means nothing)."""
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
