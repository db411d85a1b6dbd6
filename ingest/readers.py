"""One stored file's text, by what the file really is: the reader for its kind, chosen here.

Runs in a worker process (ingest.worker); the readers themselves are in ingest.formats
(documents) and ingest.containers (files that hold files).
"""

from __future__ import annotations

from pathlib import Path

from ingest import containers, formats
from ingest.formats import Extracted
from ingest.settings import LimitSettings
from store.archive import Archive


def read_file(
    path: Path,
    *,
    kind: str,
    name: str,
    content_type: str,
    charset: str | None,
    list_only: bool,
    archive: Archive,
    limits: LimitSettings,
) -> Extracted:
    """A file's text (and the files it holds); `kind` is the guess made before its bytes were
    looked at whole, which a confident look at them overrides."""
    sniffed = formats.sniffed_file(path)
    sniffed_type = sniffed.content_type if sniffed else None
    kind = formats.kind_of(sniffed_type, content_type, name) or kind
    limit = limits.max_text_chars
    if list_only and kind in ("zip", "tnef", "msg", "eml"):
        return Extracted("unsupported", "archive nested too deep (max_archive_depth): not opened")
    readers = {
        "pdf": lambda: formats.extract_pdf(path, limit),
        "docx": lambda: formats.extract_docx(path, limit),
        "odf": lambda: formats.extract_odf(path, limit),
        "doc": lambda: formats.extract_doc(path, limit),
        "rtf": lambda: formats.extract_rtf(path, limit),
        "text": lambda: formats.extract_text(path, limit, charset),
        "html": lambda: formats.extract_html(path, limit, charset),
        "zip": lambda: containers.extract_zip(path, archive, limits),
        "tnef": lambda: containers.extract_tnef(path, archive, limits),
        "msg": lambda: containers.extract_msg(path, archive, limits),
        "eml": lambda: containers.extract_eml(path, archive, limits),
    }
    reader = readers.get(kind)
    if reader is None:
        return Extracted("unsupported", f"unsupported type: {sniffed_type or content_type}")
    result = reader()
    result.sniffed_type = sniffed_type
    return result
