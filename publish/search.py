"""The search index: Pagefind, run offline from its PyPI wheel, over submissions and attachments.

One record per published submission, in the submission's own language, so
Pagefind stems it (English, French, Russian, Spanish, Arabic) or segments it
(Chinese) as that language needs; the search page queries every language's
index. Records are gathered in a file as the build streams, and Pagefind runs
only when they changed; its output is deterministic, and files that came out
the same are linked from the previous build.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from publish.output import BuildOutput
from publish.redact import redact

FOLDER = "pagefind"


class SearchRecords:
    """What Pagefind will index, one JSON line per submission."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="mailroom-search-")
        self.path = Path(self._folder.name) / "records.jsonl"
        self._out: IO[str] = self.path.open("w", encoding="utf-8")
        self.digest = hashlib.sha256()

    def add(self, page: dict[str, Any]) -> None:
        parts = [page["reference"], page["subject"], page["name"], page["organisation"]]
        parts += [part["text"] for part in page["segments"]]
        for file in page["files"]:
            parts += [file["name"], file["text"]]
        record = {
            "url": f"/submissions/{page['slug']}/",
            "content": redact("\n".join(p for p in parts if p)),
            "language": page["language"] or "unknown",
            "meta": {
                "title": redact(f"{page['reference']} {page['subject']}".strip()),
                "reference": page["reference"],
            },
        }
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        self._out.write(line)
        self.digest.update(line.encode())

    def finish(self, output: BuildOutput) -> str:
        """Write the index into `pagefind/` (or reuse the previous one); returns its digest."""
        self._out.close()
        digest = self.digest.hexdigest()
        try:
            if output.previous_digest(FOLDER) == digest and output.link_tree(FOLDER):
                return digest
            _run_outside_any_loop(self.path, output.public / FOLDER)
            _sort_entry(output.public / FOLDER / "pagefind-entry.json")
            output.settle_tree(FOLDER)
            return digest
        finally:
            self._folder.cleanup()


def _run_outside_any_loop(records: Path, target: Path) -> None:
    """Pagefind's client is asyncio; build_site may itself be called from a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_index(records, target))
        return
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, _index(records, target)).result()


def _sort_entry(path: Path) -> None:
    """Pagefind lists its languages in hash-map order; sorted, the same records give the same
    bytes (the search script looks languages up by name, so their order means nothing)."""
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class SearchIndexFailed(Exception):
    """Pagefind could not build the index; the message says what it said."""


async def _index(records: Path, target: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(target), write_playground=False)
    try:
        async with PagefindIndex(config=config) as index:
            with records.open(encoding="utf-8") as source:
                for line in source:
                    record = json.loads(line)
                    await index.add_custom_record(
                        url=record["url"],
                        content=record["content"],
                        language=record["language"],
                        meta=record["meta"],
                    )
    except Exception as exc:  # pagefind raises its own and plain errors alike
        raise SearchIndexFailed(f"pagefind could not index the site: {exc}") from exc
