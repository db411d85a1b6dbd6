"""Check a generated mailbox against its manifest with the standard library's parser.

    python -m bench.check bench/out/corpus [--limit 2000] [--documents 200]

Every Subject and sender name must decode to what the generator meant, with no MIME defect,
and the attachments must be there; with --documents, that many PDF and DOCX attachments are
opened with pypdf and python-docx.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from bench.message import MAX_SIZE, MIN_SIZE


def check(corpus: Path, limit: int | None, documents: int) -> list[str]:
    problems: list[str] = []
    opened = 0
    new = corpus / "Maildir" / "new"
    with (corpus / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for number, line in enumerate(manifest):
            if limit is not None and number >= limit:
                break
            row = json.loads(line)
            data = (new / row["file"]).read_bytes()
            where = f"message {row['index']} ({row['file']})"
            if not MIN_SIZE <= len(data) <= MAX_SIZE:
                problems.append(f"{where}: {len(data)} bytes")
            message = message_from_bytes(data, policy=policy.default)
            assert isinstance(message, EmailMessage)
            if message["subject"] != row["subject"]:
                problems.append(f"{where}: subject {message['subject']!r} != {row['subject']!r}")
            name = message["from"].addresses[0].display_name
            if name != row["from_name"]:
                problems.append(f"{where}: sender {name!r} != {row['from_name']!r}")
            files = [
                p for p in message.iter_attachments() if p.get_content_type() != "message/rfc822"
            ]
            if len(files) != len(row["attachments"]):
                problems.append(f"{where}: {len(files)} attachments, meant {row['attachments']}")
            for part in message.walk():
                if part.defects:
                    problems.append(f"{where}: defects {part.defects}")
                if not part.is_multipart() and part.get_content_maintype() == "text":
                    part.get_content()  # decodes in the declared charset or raises
            for part in files:
                if opened >= documents or part.get_content_subtype() not in (
                    "pdf",
                    "vnd.openxmlformats-officedocument.wordprocessingml.document",
                ):
                    continue
                if not part.get_filename():
                    problems.append(f"{where}: an attachment without a file name")
                opened += 1
                problems.extend(f"{where}: {p}" for p in _open_document(part))
    return problems


def _open_document(part: EmailMessage) -> list[str]:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    try:
        if part.get_content_subtype() == "pdf":
            import pypdf

            text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        else:
            import docx

            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    except Exception as exc:
        return [f"{part.get_filename()}: {type(exc).__name__}: {exc}"]
    return [] if text.strip() else [f"{part.get_filename()}: no text"]


def main(argv: list[str] | None = None) -> int:
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.check", description=summary)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="check only the first N messages")
    parser.add_argument("--documents", type=int, default=200, help="PDF/DOCX files to open")
    args = parser.parse_args(argv)
    problems = check(args.corpus, args.limit, args.documents)
    for problem in problems[:50]:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
