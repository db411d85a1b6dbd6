"""Simple rules on a submission's text and sender: spam, machines, and replies to a receipt.

Pure functions: the text and the facts in, a reason (or a kind of request) out.
"""

from __future__ import annotations

import json
import re

from ingest.rule_settings import ModerationSettings

AUTOMATIC_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "postmaster", "mail-daemon", "bounce", "bounces", "daemon"}
)
NO_REPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?[-+].*)$", re.IGNORECASE)
_LINK = re.compile(r"https?://", re.IGNORECASE)
# What a sender writes back to ask for withdrawal or anonymity, in the UN's six languages.
WITHDRAW_WORDS = ("withdraw", "retirer", "retirez", "retirar", "отозвать", "отзываю", "سحب", "撤回")
ANONYMOUS_WORDS = (
    "anonymous", "anonymously", "anonyme", "anonymement", "anónimo", "anónima", "anónimamente",
    "anonimo", "анонимно", "анонимный", "مجهول", "دون ذكر الاسم", "匿名",
)  # fmt: skip
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original message|message d'origine|mensaje original)|"
    r"(on|le|el|am) .{0,200}(wrote|a écrit|escribió|schrieb)\s*:)",
    re.IGNORECASE,
)


def spam_by_rules(subject: str, body: str, settings: ModerationSettings) -> str | None:
    """The first simple rule the text breaks, as a reason for the operator, or None."""
    text = f"{subject}\n{body}"
    for pattern in settings.spam_patterns:
        if re.search(pattern, text):
            return f"matches spam pattern {pattern!r} ([moderation] spam_patterns)"
    links = len(_LINK.findall(text))
    if links > settings.max_links:
        return f"{links} links ([moderation] max_links = {settings.max_links})"
    return None


def machine_sender(address: str) -> bool:
    """mailer-daemon, postmaster and the like: bounces and notices, never a person."""
    local = address.partition("@")[0].lower()
    return local in AUTOMATIC_LOCAL_PARTS


def no_reply_sender(address: str) -> bool:
    local = address.partition("@")[0]
    return bool(NO_REPLY.match(local)) or machine_sender(address)


def fresh_text(body: str, segments: str | None = None) -> str:
    """The text the sender wrote now: quoted replies and what follows a quote header left out.

    Uses the parser's segments (kind "text") when it marked them, else the usual quote marks.
    """
    if segments:
        try:
            marked = json.loads(segments)
            parts = [
                body[int(s["start"]) : int(s["end"])]
                for s in marked
                if isinstance(s, dict) and s.get("kind") == "text"
            ]
            if parts:
                return "\n".join(parts)
        except (ValueError, KeyError, TypeError):
            pass
    kept = []
    for line in body.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        kept.append(line)
    return "\n".join(kept)


def request_kind(text: str) -> str:
    """What a reply to our receipt asks for: withdraw, anonymous, or other."""
    folded = text.casefold()
    if any(word in folded for word in WITHDRAW_WORDS):
        return "withdraw"
    if any(word in folded for word in ANONYMOUS_WORDS):
        return "anonymous"
    return "other"
