"""Duplicates and campaigns, decided for one submission: what text it is, whether its sender
sent it before, and which campaign (if any) it joins.

The campaign search itself is in the store (persistent LSH buckets, store.campaigns); the
fingerprint in ingest.similarity. This module puts them together for intake.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from ingest.rule_settings import CampaignSettings
from ingest.screening import fresh_text
from ingest.similarity import content_words, core_text, fingerprint, similarity
from store import campaigns
from store.models import Attachment, Submission


@dataclass(frozen=True, slots=True)
class Placement:
    joined: bool  # it joined a campaign (rather than leading, or being too short to judge)
    compared: int  # signatures compared: bounded by store.campaigns.MAX_CANDIDATES


def content(
    submission: Submission, attachments: list[Attachment], *, core: bool = False
) -> tuple[list[str], list[str]]:
    """The words of the comment (its own text and its attachments' text), and the hashes of
    attachments whose text could not be read. With `core`, greeting and signature left out."""
    text = fresh_text(submission.body_text, submission.body_segments)
    if core:
        text = core_text(text)
    readable = [a.text for a in attachments if a.text]
    unreadable = sorted(a.sha256 for a in attachments if not a.text)
    return content_words(text, readable), unreadable


def duplicate_key(submission: Submission, attachments: list[Attachment]) -> str | None:
    """Sender and content in one hash: the same comment from the same sender twice."""
    who = submission.sender_address.lower().strip()
    if not who:
        who = f"{submission.sender_name}|{submission.organisation}".casefold().strip("|")
    words, unreadable = content(submission, attachments)
    if not who or not (words or unreadable):
        return None
    hashes = sorted(a.sha256 for a in attachments)
    material = "\0".join([who, " ".join(words), *unreadable, *hashes])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def place(
    session: Session,
    submission: Submission,
    attachments: list[Attachment],
    settings: CampaignSettings,
    now: datetime,
) -> Placement:
    """Join the campaign of a text this one resembles, or become a text others are compared to."""
    assert submission.id is not None
    words, unreadable = content(submission, attachments, core=True)
    print_ = fingerprint(words, unreadable, min_words=settings.min_words)
    if print_ is None:
        return Placement(False, 0)
    needed = 1.0 if print_.exact else settings.threshold
    compared = 0
    for candidate in campaigns.candidates(session, print_.buckets, submission.id):
        compared += 1
        if similarity(candidate.signature, print_.signature) >= needed:
            campaigns.join(session, submission.id, candidate.leader_id, now)
            return Placement(True, compared)
    campaigns.lead(session, submission.id, print_.signature, print_.buckets)
    return Placement(False, compared)
