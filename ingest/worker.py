"""An extraction worker: `python -m ingest.worker CONFIG`; a task a line in, a result a line out.

Started and watched by ingest.extraction. It caps its own address space
(RLIMIT_AS) before reading any file, so a document that makes a library eat
memory ends in a MemoryError reported as a failure, not in the machine
swapping. Anything a reader raises becomes a `failed` result; after a
MemoryError the worker exits, and the pool starts a fresh one.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from ingest import containers, formats
from ingest.formats import Extracted
from ingest.forwarded import message_json
from ingest.settings import LimitSettings
from store.archive import Archive


def run_task(task: dict[str, Any], archive: Archive, limits: LimitSettings) -> Extracted:
    path = Path(task["path"])
    sniffed = formats.sniffed_file(path)
    sniffed_type = sniffed.content_type if sniffed else None
    kind = formats.kind_of(sniffed_type, task["content_type"], task["name"]) or task["kind"]
    limit = limits.max_text_chars
    charset = task.get("charset")
    if task.get("list_only") and kind in ("zip", "tnef", "msg", "eml"):
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
        return Extracted("unsupported", f"unsupported type: {sniffed_type or task['content_type']}")
    result = reader()
    result.sniffed_type = sniffed_type
    return result


def main() -> None:
    config = json.loads(sys.argv[1])
    limits = LimitSettings.model_validate(config["limits"])
    memory = limits.extraction_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    logging.disable(logging.CRITICAL)  # libraries' complaints about broken files are not ours
    warnings.simplefilter("ignore")
    sys.setrecursionlimit(5000)
    archive = Archive(Path(config["archive"]))
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        task = json.loads(line)
        started = time.monotonic()
        stop = False
        try:
            result = run_task(task, archive, limits)
        except MemoryError:
            result = Extracted(
                "failed",
                f"ran out of memory (extraction_memory_mb = {limits.extraction_memory_mb})",
            )
            stop = True
        except RecursionError:
            result = Extracted("failed", "the file nests too deeply to read (RecursionError)")
        except Exception as exc:
            result = Extracted("failed", f"{type(exc).__name__}: {str(exc)[:300]}")
        reply = {
            "status": result.status,
            "note": result.note,
            "text": result.text,
            "sniffed_type": result.sniffed_type,
            "children": [_child_dict(child) for child in result.children],
            "seconds": time.monotonic() - started,
            "message": message_json(result.message),
        }
        out.write(json.dumps(reply, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n")
        out.flush()
        if stop:
            return


def _child_dict(child: formats.Child) -> dict[str, Any]:
    return {
        "name": child.name,
        "content_type": child.content_type,
        "sha256": child.sha256,
        "size": child.size,
        "sniffed_type": child.sniffed_type,
    }


if __name__ == "__main__":
    main()
