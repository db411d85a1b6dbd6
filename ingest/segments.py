"""Which part of a comment's text is the comment, a quoted earlier message, or a signature.

The full text is always kept; segments only mark ranges of it, so the site can
fold a quoted reply or a signature. quotequail finds where a reply's quotation
starts (">" lines, "On … wrote:" in several languages, Outlook's "Original
Message" block); a forward is not folded, since a forwarded comment is the
comment. A signature is what follows the RFC 3676 delimiter "-- " (at most
MAX_SIGNATURE_LINES lines; a longer tail is text, not a signature).
"""

from __future__ import annotations

import re
from typing import TypedDict

import quotequail

MAX_SIGNATURE_LINES = 15
# A reply's attribution ("On … wrote:") is looked for in the first lines only; further down, a
# long comment is all text. quotequail's own limit would instead fold everything past it.
MAX_QUOTE_SCAN_LINES = 1000
# Every pattern quotequail knows ends its line with one of these, on the line or the one after
# (an attribution may wrap): only the lines around such a line can start a quote. Trying the
# others cost a fifth of intake.
_ENDINGS = (":", "-", "_", ">")
_FORWARD = re.compile(
    r"(forwarded message|message transféré|mensaje reenviado|пересылаемое сообщение|"
    r"الرسالة المعاد توجيهها|转发的邮件|begin forwarded message)",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(r"(:\s*$|^-{2,}.*-{2,}\s*$|^_{5,}\s*$)")
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)


class Segment(TypedDict):
    kind: str  # "text", "quote" or "signature"
    start: int
    end: int


def mark_segments(text: str) -> list[Segment]:
    """Ranges over `text` that cover all of it, in order; one "text" range when nothing folds."""
    if not text:
        return []
    quote_start = _quote_start(text)
    own = text[:quote_start]
    signature_start = _signature_start(own)
    segments: list[Segment] = []
    end_of_text = signature_start if signature_start is not None else quote_start
    if not own[:end_of_text].strip():
        return [Segment(kind="text", start=0, end=len(text))]  # nothing of its own: fold nothing
    segments.append(Segment(kind="text", start=0, end=end_of_text))
    if signature_start is not None:
        segments.append(Segment(kind="signature", start=signature_start, end=quote_start))
    if quote_start < len(text):
        segments.append(Segment(kind="quote", start=quote_start, end=len(text)))
    return segments


def _quote_start(text: str) -> int:
    """Where the quoted earlier message begins (its attribution line included), or len(text)."""
    lines = text.split("\n")
    attribution = _attribution_end(lines)
    if attribution is None:
        return len(text)
    reply = "\n".join(lines[: attribution + 1]).rstrip()
    quoted = "\n".join(lines[attribution + 1 :]).strip()
    last = reply.rsplit("\n", 1)[-1].strip()
    if _FORWARD.search(last):
        return len(text)
    after_reply = text.find(reply[-200:]) + len(reply[-200:]) if reply else 0
    start = text.find(quoted[:200], max(after_reply, 0))
    if start < 0:
        return len(text)
    if _ATTRIBUTION.search(last) and last:
        line_start = text.rfind(last, 0, start)
        if line_start >= 0:
            return line_start
    return start


def _attribution_end(lines: list[str]) -> int | None:
    """The line where a reply's attribution ends, as quotequail finds it, or None.

    quotequail tries every pattern on every line, and a pattern spans a line and
    the next; only the lines around one that ends like a pattern are given to it.
    """
    scan = lines[:MAX_QUOTE_SCAN_LINES]
    tried = -1
    for candidate, line in enumerate(scan):
        if not line.rstrip().endswith(_ENDINGS):
            continue
        for start in (candidate - 1, candidate):
            if start <= tried or start < 0:
                continue
            tried = start
            try:
                parts: list[tuple[bool, str]] = quotequail.quote(
                    "\n".join(scan[start : start + 2]), limit=None
                )
            except Exception:  # a library hiccup must not cost the comment
                return None
            if len(parts) == 2:
                return start + parts[0][1].count("\n")
    return None


def _signature_start(text: str) -> int | None:
    """Where an RFC 3676 signature starts in the comment's own text, if it has a short one."""
    matches = list(_SIGNATURE.finditer(text))
    if not matches:
        return None
    start = matches[-1].start()
    if text[start:].count("\n") > MAX_SIGNATURE_LINES:
        return None
    return start
