"""The search index: Pagefind, run offline from its PyPI wheel, over submissions and attachments.

One small page per published submission, in the submission's own language, so
Pagefind stems it (English, French, Russian, Spanish, Arabic) or segments it
(Chinese) as that language needs; the search page queries every language's
index. The pages are written to a scratch folder as the build streams, and
Pagefind runs only when they changed; its output is deterministic, and files
that came out the same are linked from the previous build.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from html import escape
from pathlib import Path
from typing import Any

from publish.output import BuildOutput
from publish.render import redacted as redact

FOLDER = "pagefind"


class SearchRecords:
    """What Pagefind will index: one small HTML page per submission, in a scratch folder."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="mailroom-search-")
        self.root = Path(self._folder.name)
        self.digest = hashlib.sha256()
        self.count = 0

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
        # The page's address in the index is its path here: /submissions/<reference>.html.
        path = self.root / "pages" / "submissions" / f"{page['slug']}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = html.encode("utf-8")
        path.write_bytes(data)
        self.digest.update(page["slug"].encode() + b"\0" + data)
        self.count += 1

    def finish(self, output: BuildOutput) -> str:
        """Write the index into `pagefind/` (or reuse the previous one); returns its digest."""
        digest = self.digest.hexdigest()
        try:
            if output.previous_digest(FOLDER) == digest and output.link_tree(FOLDER):
                return digest
            if self.count == 0:
                _empty_index(output.public / FOLDER)
            else:
                _index(self.root / "pages", output.public / FOLDER)
                _sort_entry(output.public / FOLDER / "pagefind-entry.json")
            output.settle_tree(FOLDER)
            return digest
        finally:
            self._folder.cleanup()


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


def _empty_index(target: Path) -> None:
    """Nothing public yet (pre-moderation, say): Pagefind refuses an empty site, and the search
    page needs only an entry that lists no languages to answer that nothing matches."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "pagefind-entry.json").write_text('{"languages":{}}', encoding="utf-8")


def _sort_entry(path: Path) -> None:
    """Pagefind lists its languages in hash-map order; sorted, the same records give the same
    bytes (the search script looks languages up by name, so their order means nothing)."""
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
