"""What the rules read from a message's raw header block: authentication results, spam
marks, signs of an automatic message, the thread it answers, its top Received time.

Pure: bytes in, facts out. Parsing proper (ingest.parse) is another module's work;
this one reads only the header lines the consultation's rules need.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

import authres

from ingest.sources.base import header_block, top_received_time

log = logging.getLogger(__name__)

AUTH_METHODS = ("spf", "dkim", "dmarc", "arc")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_AUTH_FALLBACK = re.compile(r"(?:^|;)\s*(spf|dkim|dmarc|arc)\s*=\s*([a-z]+)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    received_header_at: datetime | None = None
    auth: dict[str, str] = field(default_factory=dict)
    spam: str | None = None
    automatic: str | None = None
    return_path: str | None = None  # "" for the null path <>
    answers: tuple[str, ...] = ()  # Message-IDs from In-Reply-To and References
    references: str = ""
    content_language: str | None = None
    suppress_replies: bool = False  # X-Auto-Response-Suppress asks for no automatic reply


def read_header_facts(data: bytes, authserv_id: str = "") -> HeaderFacts:
    """The facts, from a raw message's header block alone (a re-run of the rules reads the
    archive's copy); a header that cannot be read counts as absent."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(header_block(data))
    except Exception:  # a hostile header block is simply one without facts
        log.debug("header block unreadable", exc_info=True)
        return HeaderFacts()
    return header_facts(
        [(name, str(value)) for name, value in headers.raw_items()],
        top_received_time(data),
        authserv_id,
    )


def header_facts(
    fields: Sequence[tuple[str, str]], received_at: datetime | None, authserv_id: str = ""
) -> HeaderFacts:
    """The facts from header fields already parsed (intake's parse gives them), and the time
    in the top Received header (ingest.sources.base.top_received_time)."""
    headers = Message()
    for name, value in fields:
        headers[name] = value
    try:
        return HeaderFacts(
            received_header_at=received_at,
            auth=_authentication(headers, authserv_id),
            spam=_spam(headers),
            automatic=_automatic(headers),
            return_path=_return_path(headers),
            answers=_answers(headers),
            references=_one_line(_get(headers, "references"))[:2000],
            content_language=_language(headers),
            suppress_replies=_suppressed(headers),
        )
    except Exception:  # a hostile header is simply one without facts
        log.debug("header fields unreadable", exc_info=True)
        return HeaderFacts(received_header_at=received_at)


def _get(headers: Message, name: str) -> str:
    value = headers.get(name)
    return str(value) if value is not None else ""


def _all(headers: Message, name: str) -> list[str]:
    return [str(v) for v in headers.get_all(name, [])]


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _authentication(headers: Message, authserv_id: str) -> dict[str, str]:
    """Results from the topmost Authentication-Results our own server wrote.

    Lower headers may come from the sender and prove nothing. With `authserv_id`
    set, only headers naming that server count.
    """
    for value in _all(headers, "authentication-results"):
        line = _one_line(value)
        server = line.split(";", 1)[0].strip().split()[0] if line.strip() else ""
        if authserv_id and server.lower() != authserv_id.lower():
            continue
        results = _parse_results(line)
        results["authserv_id"] = server
        return results
    return {}


def _parse_results(line: str) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    try:
        parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {line}")
        for result in parsed.results:
            found.setdefault(str(result.method).lower(), []).append(str(result.result).lower())
    except Exception:  # authres is strict; fall back to the plain `method=result` pairs
        for method, result in _AUTH_FALLBACK.findall(_COMMENT.sub("", line)):
            found.setdefault(method.lower(), []).append(result.lower())
    results: dict[str, str] = {}
    for method in AUTH_METHODS:
        values = found.get(method)
        if values:
            # One good DKIM signature is enough; for the rest the first result is the verdict.
            results[method] = "pass" if method == "dkim" and "pass" in values else values[0]
    return results


def _spam(headers: Message) -> str | None:
    flag = _one_line(_get(headers, "x-spam-flag"))
    if flag.upper().startswith("YES"):
        return f"marked as spam upstream (X-Spam-Flag: {flag[:40]})"
    status = _one_line(_get(headers, "x-spam-status"))
    if status.lower().startswith("yes"):
        return f"marked as spam upstream (X-Spam-Status: {status[:60]})"
    return None


def _automatic(headers: Message) -> str | None:
    """Why this looks like mail a machine sent (RFC 3834 section 2), or None."""
    auto = _one_line(_get(headers, "auto-submitted")).lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = _one_line(_get(headers, "precedence")).lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    if headers.get("list-id") is not None:
        return "List-Id: mail from a mailing list"
    if headers.get("x-autoreply") is not None or headers.get("x-autorespond") is not None:
        return "X-Autoreply: an automatic reply"
    return None


def _return_path(headers: Message) -> str | None:
    value = _get(headers, "return-path").strip()
    if not value:
        return None
    addresses = getaddresses([value])
    return addresses[0][1] if addresses else ""


def _answers(headers: Message) -> tuple[str, ...]:
    ids: list[str] = []
    for name in ("in-reply-to", "references"):
        for found in _MESSAGE_ID.findall(_get(headers, name)):
            if found not in ids:
                ids.append(found[:500])
    return tuple(ids[:50])


def _language(headers: Message) -> str | None:
    value = _one_line(_get(headers, "content-language"))
    primary = value.split(",")[0].strip().split("-")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def _suppressed(headers: Message) -> bool:
    value = _get(headers, "x-auto-response-suppress").lower()
    return any(word in value for word in ("all", "autoreply", "oof"))
