"""What the site publishes of each attachment, decided by its kind and the policy for it.

Each file has a kind (`kind_of`: pdf, office, legacy_office, image, text, archive,
audio_video, message, other) and a policy: `[site.attachments]` gives one per kind,
and the operator may override it for one submission (`mailroom files`, recorded in
its history). A forwarded message is never served: the page shows what it says.
Plain text and HTML are published as redacted text, never raw.

The file the site serves is made here: copied as sent, stripped of its metadata
(publish.stripping), or written as redacted text; then checked (publish.privacy)
before it is admitted. Stripping and checking read untrusted files, so they run in
the sandbox's worker. What came of each file (served, or withheld and why) is
recorded in the build's manifest with a digest of what decided it, so the next build
reuses it, and its files, unless the file, its policy or this code changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from publish.output import BuildOutput, Key, digest_of
from publish.privacy import CHECK_VERSION, Privacy, inspect_bytes
from publish.redact import redact
from publish.sandbox import Sandbox, SandboxFailure
from publish.settings import AttachmentSettings
from publish.stripping import CannotStrip
from store.archive import Archive
from store.models import Attachment, Submission

VERSION = "2"  # raise it when what a policy makes of a file changes: every file is made again
POLICIES = ("original", "stripped", "text", "withheld")
STRIPPABLE = ("pdf", "office", "image")
KINDS = (
    "pdf",
    "office",
    "legacy_office",
    "image",
    "text",
    "archive",
    "audio_video",
    "message",
    "other",
)
# Why a file is not published: the page says it in the reader's language (publish.labels).
POLICY, OPERATOR, PRIVACY, FAILED, NO_TEXT = "policy", "operator", "privacy", "failed", "no_text"

_BY_TYPE = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/msword": "legacy_office",
    "application/vnd.ms-excel": "legacy_office",
    "application/vnd.ms-powerpoint": "legacy_office",
    "application/rtf": "legacy_office",
    "text/rtf": "legacy_office",
    "application/xml": "text",
    "application/xhtml+xml": "text",
    "application/json": "text",
    "image/svg+xml": "text",
    "application/zip": "archive",
    "application/x-zip-compressed": "archive",
    "application/gzip": "archive",
    "application/x-gzip": "archive",
    "application/x-tar": "archive",
    "application/x-7z-compressed": "archive",
    "application/vnd.rar": "archive",
    "application/x-rar-compressed": "archive",
    "application/ms-tnef": "archive",
    "application/vnd.ms-tnef": "archive",
    "message/rfc822": "message",
    "message/global": "message",
    "application/vnd.ms-outlook": "message",
}
_PREFIXES = (
    ("application/vnd.openxmlformats-officedocument.", "office"),
    ("application/vnd.oasis.opendocument.", "office"),
    ("image/", "image"),
    ("text/", "text"),
    ("audio/", "audio_video"),
    ("video/", "audio_video"),
)
_BY_EXTENSION = {
    "pdf": "pdf",
    **dict.fromkeys("docx xlsx pptx odt ods odp ott".split(), "office"),
    **dict.fromkeys("doc xls ppt rtf".split(), "legacy_office"),
    **dict.fromkeys("jpg jpeg png gif webp tif tiff bmp".split(), "image"),
    **dict.fromkeys("txt text csv tsv md htm html xml json vcf ics svg".split(), "text"),
    **dict.fromkeys("zip gz tgz tar 7z rar dat tnef".split(), "archive"),
    **dict.fromkeys("mp3 wav ogg oga m4a flac mp4 m4v mov avi webm".split(), "audio_video"),
    **dict.fromkeys("eml msg".split(), "message"),
}
_IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp")
_VAGUE = (None, "", "text/plain", "application/x-ole-storage", "application/octet-stream")


def kind_of(content_type: str, sniffed_type: str | None, name: str) -> str:
    """By what the bytes are, else by what the sender said, else by the name's extension."""
    for value in (sniffed_type, content_type):
        if value in _VAGUE:
            continue
        kind = _type_kind(str(value))
        if kind is not None:
            return kind
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    return "text" if sniffed_type == "text/plain" else "other"


def _type_kind(value: str) -> str | None:
    value = value.lower()
    if value in _BY_TYPE:
        return _BY_TYPE[value]
    for prefix, kind in _PREFIXES:
        if value.startswith(prefix):
            return kind if kind != "image" or value in _IMAGES else "other"
    return None


def allowed(kind: str) -> tuple[str, ...]:
    """The policies that can apply to a kind: only some can be stripped; text is never raw."""
    if kind == "message":
        return ()
    if kind == "text":
        return ("text", "withheld")
    return POLICIES if kind in STRIPPABLE else ("original", "text", "withheld")


def overrides_of(submission: Submission) -> dict[str, str]:
    """The operator's policies for this submission's files: {"all" or "<position>": policy}."""
    try:
        value = json.loads(submission.file_policy) if submission.file_policy else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def policy_of(kind: str, settings: AttachmentSettings, override: str | None) -> tuple[str, bool]:
    """The policy that applies, and whether it is the operator's."""
    if kind == "message":
        return "message", False
    if override in allowed(kind):
        return str(override), True
    return str(getattr(settings, kind)), False


def served_path(policy: str, file: dict[str, Any]) -> str:
    """Where the file is served: its usual path, or for text the same name ending in .txt."""
    path = str(file["path"])
    if policy != "text":
        return path
    path = path.removesuffix(".download")
    return path if path.endswith(".txt") else path + ".txt"


class FilePublisher:
    """A build's attachments: what each submission's files become, reused when unchanged."""

    def __init__(self, archive: Archive, output: BuildOutput, settings: AttachmentSettings) -> None:
        self.archive = archive
        self.output = output
        self.settings = settings
        self.privacy: Privacy = output.privacy
        self.sandbox = Sandbox(settings.seconds, settings.memory_mb)

    def close(self) -> None:
        self.sandbox.close()

    def publish(
        self, key: Key, submission: Submission, rows: list[Attachment], files: list[Any]
    ) -> list[dict[str, Any]]:
        """The submission's files as its page shows them: each with its kind and policy, and
        what the site serves of it (`path`), or why nothing (`withheld`)."""
        plans = self._plans(submission, rows, files)
        digest = digest_of([plan["digest"] for plan in plans])
        ledger = self.output.ledger("attachments")
        before = ledger.previous(key)
        earlier = {o.get("digest"): o for o in _decoded(before[1] if before else [])}
        outcomes: list[dict[str, Any]] = []
        changed = before is None or before[0] != digest
        made = changed or any(plan["digest"] not in earlier for plan in plans)
        if made:  # each file as the previous build made it, if it did; the others made now
            outcomes = [self._reuse(plan, earlier) or self._make(plan) for plan in plans]
        else:
            outcomes = [earlier[plan["digest"]] for plan in plans]
        ledger.record(key, digest, [json.dumps(o, sort_keys=True) for o in outcomes])

        def render() -> None:  # the previous build's files are gone: make them again
            if not made:
                for plan in plans:
                    self._make(plan)

        served = [str(o["path"]) for o in outcomes if o.get("path")]
        self.output.unit("files", key, digest, served, render)
        for plan, outcome in zip(plans, outcomes, strict=True):
            self._report(plan, outcome)
            plan.update(outcome)
        return plans

    def _plans(
        self, submission: Submission, rows: list[Attachment], files: list[Any]
    ) -> list[dict[str, Any]]:
        overrides = overrides_of(submission)
        by_position = {row.position: row for row in rows}
        plans = []
        for file in files:
            row = by_position.get(file["position"])
            plan = dict(file)
            if row is not None and row.message_text is not None:
                kind = "message"
                plan["message"] = {
                    "name": row.message_sender_name or "",
                    "date": row.message_date,
                    "subject": row.message_subject or "",
                }
                plan["text"] = row.message_text
            elif row is not None:
                kind = kind_of(row.content_type, row.sniffed_type, row.name)
            else:
                kind = kind_of(file["content_type"], None, file["name"])
            if kind == "message":
                plan.setdefault("message", None)  # recorded before issue 13: its text as read
            override = overrides.get(str(file["position"])) or overrides.get("all")
            policy, by_operator = policy_of(kind, self.settings, override)
            plan.update(kind=kind, policy=policy, operator=by_operator)
            if policy == "withheld":
                plan["text"] = ""  # nothing of a withheld file, not even its text
            plan["digest"] = digest_of(
                VERSION,
                CHECK_VERSION,
                [plan[k] for k in ("position", "path", "sha256", "kind", "policy", "operator")],
                _text_digest(plan["text"]) if policy == "text" else None,
            )
            plans.append(plan)
        return plans

    def _reuse(self, plan: dict[str, Any], earlier: dict[Any, Any]) -> dict[str, Any] | None:
        """The previous build's outcome for this very file and policy, its file linked."""
        outcome = earlier.get(plan["digest"])
        previous = self.output.previous_public
        if outcome is None or previous is None:
            return None
        name = outcome.get("path")
        if name:
            if not (previous / name).is_file():
                return None
            os.link(previous / name, self.output.path(name))
            self.privacy.checked(name)
        return dict(outcome)

    def _make(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Write what the site serves of one file, checked; or say why nothing."""
        return {"digest": plan["digest"], **self._made(plan)}

    def _made(self, plan: dict[str, Any]) -> dict[str, Any]:
        policy = plan["policy"]
        if policy == "message":
            return {"path": None, "withheld": None}
        if policy == "withheld":
            return _withheld(OPERATOR if plan["operator"] else POLICY)
        name = served_path(policy, plan)
        target = self.output.path(name)
        if policy == "text":
            text = str(plan["text"] or "")
            if not text.strip():
                return _withheld(NO_TEXT)
            data = (redact(text).strip("\n") + "\n").encode("utf-8")
            finding = inspect_bytes(data, "its text")
            if finding is not None:
                return _withheld(PRIVACY, str(finding))
            target.write_bytes(data)
        else:
            source = self.archive.path(plan["sha256"])
            try:
                found = self.sandbox.prepare(plan["kind"], policy, source, target)
            except (CannotStrip, SandboxFailure, OSError) as exc:
                target.unlink(missing_ok=True)
                return _withheld(FAILED, str(exc) or type(exc).__name__)
            if found is not None:
                target.unlink(missing_ok=True)
                return _withheld(PRIVACY, found)
            data = target.read_bytes()
        self.privacy.checked(name)
        return {
            "path": name,
            "served_size": len(data),
            "served_sha256": hashlib.sha256(data).hexdigest(),
            "served_type": "text/plain" if policy == "text" else plan["content_type"],
            "withheld": None,
        }

    def _report(self, plan: dict[str, Any], outcome: dict[str, Any]) -> None:
        reason = outcome.get("withheld")
        if reason == PRIVACY:
            self.privacy.withhold(served_path(plan["policy"], plan), f"holds {outcome['detail']}")
        elif reason == FAILED:
            why = f"its metadata could not be removed: {outcome['detail']}"
            self.privacy.withhold(served_path(plan["policy"], plan), why)
        elif reason is not None:
            self.privacy.by_policy[f"{plan['kind']}: {reason}"] += 1


def _withheld(reason: str, detail: str | None = None) -> dict[str, Any]:
    return {"path": None, "withheld": reason, "detail": detail}


def _text_digest(text: Any) -> str:
    return hashlib.sha256(str(text or "").encode("utf-8", "surrogatepass")).hexdigest()


def _decoded(lines: list[str]) -> list[dict[str, Any]]:
    try:
        outcomes = [json.loads(line) for line in lines]
    except ValueError:
        return []
    return [o for o in outcomes if isinstance(o, dict)]
