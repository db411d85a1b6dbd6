"""Per format: how many attachments yielded text, and the longest extraction seen."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from ingest.formats import kind_of
from store.models import Attachment, TextStatus


def format_report(session: Session) -> str:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    longest: dict[str, float] = defaultdict(float)
    for a in session.exec(select(Attachment)):
        kind = kind_of(a.sniffed_type, a.content_type, a.name) or "other"
        counts[kind]["files"] += 1
        counts[kind][a.text_status.value if a.text_status else "none"] += 1
        longest[kind] = max(longest[kind], a.extraction_seconds or 0.0)
    lines = ["  format   files  with text  statuses                          longest s"]
    for kind in sorted(counts):
        row = counts[kind]
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(row.items()) if k != "files")
        lines.append(
            f"  {kind:<8} {row['files']:>5}  {row[TextStatus.EXTRACTED.value]:>9}  "
            f"{statuses:<33} {longest[kind]:.2f}"
        )
    return "\n".join(lines)
