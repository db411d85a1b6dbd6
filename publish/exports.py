"""Open data: every published submission as JSON and CSV, its attachments in one zip, checksums.

Written a row at a time; every text is redacted as the pages are. The columns
are documented in the README and described by `data/submissions.schema.json`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path
from typing import IO, Any

from publish.layout import submission_path
from publish.output import BuildOutput
from publish.render import redacted as redact

COLUMNS = (
    "reference url received_at day on_time channel language stakeholder_group country "
    "name organisation anonymous subject text attachment_count attachment_files "
    "duplicate_of campaign_id"
).split()

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Published submissions",
    "description": "data/submissions.json: one object per published submission, "
    "in reference order. data/submissions.csv has the same columns, with attachments "
    "given as attachment_files (space-separated paths) and booleans as true/false.",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": [*COLUMNS, "attachments"],
        "properties": {
            "reference": {"type": "string", "description": "never changes"},
            "url": {"type": "string", "description": "its page, relative to the site's root"},
            "received_at": {"type": "string", "format": "date-time", "description": "UTC"},
            "day": {
                "type": "string",
                "format": "date",
                "description": "in the consultation's zone",
            },
            "on_time": {"type": "boolean"},
            "channel": {"enum": ["email", "form", "fax", "post"]},
            "language": {"type": ["string", "null"], "description": "ISO 639-1"},
            "stakeholder_group": {
                "enum": [
                    "governments",
                    "civil_society",
                    "intergovernmental",
                    "private_sector",
                    "technical_community",
                    "unclassified",
                ]
            },
            "country": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2"},
            "name": {"type": "string", "description": "empty when anonymous or not given"},
            "organisation": {"type": "string"},
            "anonymous": {"type": "boolean"},
            "subject": {"type": "string"},
            "text": {"type": "string"},
            "attachment_count": {"type": "integer", "minimum": 0},
            "attachment_files": {"type": "string"},
            "duplicate_of": {"type": ["string", "null"]},
            "campaign_id": {"type": ["integer", "null"]},
            "attachments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "path", "content_type", "size", "sha256", "text_status"],
                    "properties": {
                        "name": {"type": "string"},
                        "path": {
                            "type": ["string", "null"],
                            "description": "what the site serves of it, relative to the site's "
                            "root; null when nothing (a forwarded message, a withheld file)",
                        },
                        "policy": {
                            "enum": ["original", "stripped", "text", "withheld", "message"],
                            "description": "what is published of it ([site.attachments])",
                        },
                        "served_sha256": {
                            "type": ["string", "null"],
                            "description": "SHA-256 of the file at `path` (`sha256` is the "
                            "file as received)",
                        },
                        "served_size": {"type": ["integer", "null"], "minimum": 0},
                        "content_type": {"type": "string"},
                        "size": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "text_status": {"type": ["string", "null"]},
                        "text": {"type": "string"},
                    },
                },
            },
        },
    },
}

DATA_FILES = (
    "submissions.json",
    "submissions.csv",
    "submissions.schema.json",
    "attachments.zip",
)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class Exports:
    """The JSON and CSV files, written as submissions stream past."""

    def __init__(self, output: BuildOutput, default_language: str) -> None:
        self.output = output
        self.language = default_language
        self._json: IO[str] = output.path("data/submissions.json").open("w", encoding="utf-8")
        self._csv_file: IO[str] = output.path("data/submissions.csv").open(
            "w", encoding="utf-8", newline=""
        )
        self._csv = csv.writer(self._csv_file, lineterminator="\r\n")
        self._csv.writerow(COLUMNS)
        self._json.write("[")
        self._rows = 0
        self.attachments = hashlib.sha256()

    def add(self, page: dict[str, Any]) -> None:
        row = _row(page, self.language)
        self._json.write(("," if self._rows else "") + "\n" + json.dumps(row, ensure_ascii=False))
        self._csv.writerow(_csv_value(row[c]) for c in COLUMNS)
        self._rows += 1
        for file in page["files"]:
            if file.get("path"):
                served = file.get("served_sha256") or file["sha256"]
                self.attachments.update(f"{file['path']}\0{served}\n".encode())

    def finish(self) -> dict[str, str]:
        """Close the files, write the zip when its contents changed, and the checksums."""
        self._json.write("\n]\n" if self._rows else "]\n")
        self._json.close()
        self._csv_file.close()
        output = self.output
        output.write_text("data/submissions.schema.json", json.dumps(SCHEMA, indent=2) + "\n")
        for name in ("submissions.json", "submissions.csv", "submissions.schema.json"):
            output.settle(f"data/{name}")
        zip_digest = self.attachments.hexdigest()
        if output.previous_digest("attachments.zip") != zip_digest or not _reuse(
            output, "data/attachments.zip"
        ):
            _write_zip(output.public / "files", output.path("data/attachments.zip"))
            output.settle("data/attachments.zip")
        sums = "".join(
            f"{_sha256(output.public / 'data' / name)}  {name}\n"
            for name in DATA_FILES
            if (output.public / "data" / name).is_file()  # not one the privacy check withheld
        )
        output.write_text("data/SHA256SUMS", sums)
        output.settle("data/SHA256SUMS")
        return {"attachments.zip": zip_digest}


def _reuse(output: BuildOutput, name: str) -> bool:
    if output.previous_public is None or not (output.previous_public / name).is_file():
        return False
    target = output.path(name)
    target.hardlink_to(output.previous_public / name)
    output.reused += 1
    return True


def _row(page: dict[str, Any], language: str) -> dict[str, Any]:
    files = page["files"]
    row: dict[str, Any] = {
        "reference": page["reference"],
        "url": f"{language}/{submission_path(page['slug'])}".removesuffix("index.html"),
        "received_at": page["received_at"].isoformat().replace("+00:00", "Z"),
        "day": page["day"],
        "on_time": page["on_time"],
        "channel": page["channel"],
        "language": page["language"],
        "stakeholder_group": page["group"],
        "country": page["country"],
        "name": redact(page["name"]),
        "organisation": redact(page["organisation"]),
        "anonymous": page["anonymous"],
        "subject": redact(page["subject"]),
        "text": redact("".join(part["text"] for part in page["segments"])),
        "attachment_count": len(files),
        "attachment_files": " ".join(f["path"] for f in files if f.get("path")),
        "duplicate_of": page["duplicate_of"],
        "campaign_id": page["campaign_id"],
        "attachments": [
            {
                "name": redact(f["name"]),
                "path": f.get("path"),
                "policy": f.get("policy", "original"),
                "served_sha256": f.get("served_sha256") if f.get("path") else None,
                "served_size": f.get("served_size") if f.get("path") else None,
                "content_type": f["content_type"],
                "size": f["size"],
                "sha256": f["sha256"],
                "text_status": f["text_status"],
                "text": redact(f["text"]),
            }
            for f in files
        ],
    }
    return row


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_zip(files: Path, target: Path) -> None:
    """Entries in path order with a fixed date: the same attachments give the same bytes."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        if not files.is_dir():
            return
        for path in sorted(files.rglob("*")):
            if not path.is_file():
                continue
            info = zipfile.ZipInfo(path.relative_to(files).as_posix(), date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
