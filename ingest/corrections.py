"""Corrections and additions: is a new comment a sender's later word on their earlier one?

Signs, in the UN's six languages: a reply to their own message or to our receipt of it, a
subject or opening like "corrected version", "revised submission", "addendum", "we would
like to add", or a file of the same name as one they sent before, with new content. Words
decide the kind (`replaces` or `adds`); a reply alone, with no such words, links nothing.
Only comments from the same sender are compared, found through an index on the address:
a page of new comments costs a query or two, made once for the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from sqlmodel import Session

from store import corrections

REPLACE_WORDS = (
    "corrected version", "corrected submission", "correction to our", "revised version",
    "revised submission", "revised contribution", "updated version", "updated submission",
    "new version", "replaces our", "replacement of our", "please disregard", "erratum",
    "corrigendum", "version corrigée", "version révisée", "nouvelle version", "remplace",
    "versión corregida", "versión revisada", "nueva versión", "sustituye", "reemplaza",
    "исправленн", "обновленн", "новая версия", "заменяет", "النسخة المصححة", "نسخة مصححة",
    "نسخة منقحة", "يحل محل", "更正", "修订", "修正版", "替换", "新版本",
)  # fmt: skip
ADD_WORDS = (
    "addendum", "would like to add", "wish to add", "we add", "one more point", "additional point",
    "additional comment", "further comment", "in addition to our", "supplement to our",
    "complément", "additif", "ajouter", "souhaitons ajouter", "adenda", "añadir", "agregar",
    "complemento", "дополнени", "добавить", "إضافة", "ملحق", "نود أن نضيف", "补充",
)  # fmt: skip
# The subject of a reply to an acknowledgement of receipt, in the six languages.
RECEIPT_SUBJECT = re.compile(
    r"^\s*(re|aw|tr|rv|ответ|رد|回复)\s*:.*(acknowledg|receipt|accusé de réception|"
    r"acuse de recibo|confirmación|подтвержд|إشعار|استلام|确认|回执)",
    re.IGNORECASE,
)
OPENING_CHARS = 600  # the words that say what a message is come first
_VERSION = re.compile(
    r"([\s_.-]*[(\[]?(v(ersion)?[\s_.-]?\d+|rev(ised|ision)?\d*|final|corrected|updated|"
    r"draft|corrig[ée]+|révisée|revisad[ao]|\(\d{1,2}|\d{4}-?\d{2}-?\d{2}|\d{8})[)\]]?)+$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Hint:
    """What a message says of itself: the kind its words give, and why."""

    kind: str | None  # "replaces", "adds", or None when no word says
    reason: str
    replies: bool  # it answers an earlier message (In-Reply-To, References, a receipt)


def read_hint(subject: str, opening: str, *, replies: bool) -> Hint | None:
    """None when nothing hints at a correction: no lookup is needed then."""
    text = f"{subject}\n{opening[:OPENING_CHARS]}".casefold()
    for word in REPLACE_WORDS:
        if word in text:
            return Hint("replaces", f"it says “{word}”", replies)
    for word in ADD_WORDS:
        if word in text:
            return Hint("adds", f"it says “{word}”", replies)
    if replies or RECEIPT_SUBJECT.search(subject):
        return Hint(None, "a reply", True)
    return None


def document_stem(name: str) -> str:
    """A file's name without its extension and version marks: "Position v2 (final).pdf" and
    "position.pdf" are one document."""
    stem = PurePosixPath(name.strip().casefold()).stem
    stem = _VERSION.sub("", stem)
    return " ".join(re.split(r"[\s_.-]+", stem)).strip()


@dataclass(frozen=True, slots=True)
class Later:
    """A new comment as link_corrections reads it (its sender key is its lower-cased address)."""

    id: int
    number: int
    sender_key: str | None
    hint: Hint | None  # read_hint of its subject and fresh text
    answers: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (name, sha256) of its own attachments, not nested
    has_attachments: bool


def link_corrections(
    session: Session, later: list[Later], receipt_of: dict[int, int], now: datetime
) -> None:
    """link_correction for a page of comments (in number order), with the page's lookups
    made once: the links they have, and their senders' earlier comments. `receipt_of` gives,
    for a comment that answers one of our receipts, the submission that receipt was for."""
    if not later:
        return
    standing = corrections.links_of_later(session, [item.id for item in later])
    looked = [
        item
        for item in later
        if item.sender_key and (item.hint is not None or item.has_attachments)
    ]
    by_sender = corrections.earlier_from_senders(
        session, sorted({item.sender_key for item in looked if item.sender_key})
    )
    decided: dict[int, tuple[int, str] | None] = {}  # this page's: later -> (earlier, kind)
    for item in sorted(later, key=lambda item: item.number):
        found = None
        if item in looked and item.sender_key:
            earlier = [
                e for number, e in by_sender.get(item.sender_key, []) if number < item.number
            ][: corrections.EARLIER_LOOKED_AT]
            if earlier:
                answered = receipt_of.get(item.id) if item.answers else None
                found = _match(item.hint, item.answers, answered, list(item.files), earlier)
        current = standing.get(item.id)
        if found is None:
            corrections.suggest(session, item.id, None, "", "", now, current=current)
            decided[item.id] = None
            continue
        target, kind, reason = found
        if target.id in decided:
            target_link = decided[target.id]
        else:
            link = corrections.link_of(session, target.id)  # only when a link is found: rare
            undone = link is None or link.state == "undone"
            target_link = None if undone or link is None else (link.earlier_id, link.kind)
        if target_link is not None and target_link[1] == "adds":
            target_id = target_link[0]  # an addition to an addition adds to the comment
        else:
            target_id = target.id
        corrections.suggest(session, item.id, target_id, kind, reason, now, current=current)
        decided[item.id] = (target_id, kind)


def _match(
    hint: Hint | None,
    answers: tuple[str, ...],
    receipt_of: int | None,
    files: list[tuple[str, str]],
    earlier: list[corrections.Earlier],
) -> tuple[corrections.Earlier, str, str] | None:
    """The earlier comment, the kind and the reason; None when nothing links them."""
    reasons = [hint.reason] if hint is not None and hint.kind else []
    target = None
    replied = {answer.strip("<>") for answer in answers}
    for candidate in earlier:
        if candidate.message_id and candidate.message_id.strip("<>") in replied:
            target = candidate
            reasons.append(f"a reply to the sender's message {candidate.reference}")
            break
        if receipt_of == candidate.id:
            target = candidate
            reasons.append(f"a reply to the receipt for {candidate.reference}")
            break
    kind = hint.kind if hint is not None else None
    for name, sha in files:
        stem = document_stem(name)
        for candidate in earlier if target is None else [target]:
            for old_name, old_sha in candidate.attachments:
                if stem and document_stem(old_name) == stem and old_sha != sha:
                    target = target or candidate
                    kind = kind or "replaces"
                    reasons.append(f"a new version of “{old_name}” ({candidate.reference})")
                    break
            if target is not None and kind is not None:
                break
    if kind is None:
        return None  # a reply that says nothing of correcting or adding is not linked
    if target is None:
        target = earlier[0]
        reasons.append(f"the sender's latest comment is {target.reference}")
    return target, kind, "; ".join(reasons)
