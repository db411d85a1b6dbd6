"""What the consultation's rules can say about one comment from the comment alone.

Pure: the comment's fields, its files' text and its header facts in, findings out; no
database. Intake runs it in the worker process that parsed the message, so the daemon
is left to look things up and write them (ingest.classification: duplicates, campaigns,
replies to receipts, moderation, receipts); `mailroom classify` runs it in the daemon
on the stored records. The same record gives the same findings either way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict

from ingest.corrections import Hint, read_hint
from ingest.countries import country_code, country_from_domain
from ingest.forms import FormRecord
from ingest.groups import suggest_group
from ingest.headers import HeaderFacts
from ingest.rule_settings import (
    CampaignSettings,
    FormSettings,
    GroupRule,
    GroupSettings,
    IntakeRules,
    ModerationSettings,
)
from ingest.screening import fresh_text, machine_sender, request_kind, spam_by_rules
from ingest.signatures import read_sender
from ingest.similarity import Fingerprint, content_words, core_text, fingerprint, words_of
from store.classification import FormContent
from store.models import Channel, StakeholderGroup

CONTEXT_CHARS = 2000  # of each attachment's text: where an acronym may be written out


class AssessmentRules(BaseModel):
    """The part of IntakeRules a worker process needs (it travels to it as JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    moderation: ModerationSettings = ModerationSettings()
    groups: GroupSettings = GroupSettings()
    group_rules: tuple[GroupRule, ...] = ()
    campaigns: CampaignSettings = CampaignSettings()
    form: FormSettings = FormSettings()

    @classmethod
    def of(cls, rules: IntakeRules) -> AssessmentRules:
        return cls(
            moderation=rules.moderation,
            groups=rules.groups,
            group_rules=rules.group_rules,
            campaigns=rules.campaigns,
            form=rules.form,
        )


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment as the rules read it: its record's fields and its files' text."""

    subject: str
    sender_name: str
    sender_address: str
    organisation: str
    body_text: str
    body_segments: str | None  # the JSON stored with the record
    channel: Channel
    by_mail: bool
    attachments: tuple[tuple[str | None, str], ...] = ()  # (text, sha256), in position order
    files: tuple[tuple[str, str], ...] = ()  # (name, sha256) of the files it came with, not nested


@dataclass(frozen=True, slots=True)
class Assessment:
    facts: HeaderFacts
    form: FormContent | None  # a form's fields, which replace what its mailer's envelope said
    group: StakeholderGroup | None
    group_rule: str | None
    country: str | None
    country_source: str | None
    country_reason: str | None  # the words the country was read from, when the letter gave it
    organisation_suggested: str | None  # read from the signature or the letter
    organisation_reason: str | None
    spam: str | None
    automatic: str | None
    holds: tuple[str, ...]  # before the ones only the database can tell (replies, clocks)
    duplicate_key: str | None
    fingerprint: Fingerprint | None
    request_kind: str | None  # what it asks, should it answer one of our receipts
    reply_adds: bool  # a reply to our receipt that corrects or adds: linked, not a request
    correction_hint: Hint | None  # what it says of itself (ingest.corrections)
    files: tuple[tuple[str, str], ...]
    has_attachments: bool


def assess(
    comment: Comment,
    facts: HeaderFacts,
    rules: AssessmentRules,
    *,
    form: FormRecord | None = None,
    entry_group: str = "",
    entry_country: str = "",
) -> Assessment:
    """`form` is the form's record when the mail came from the online form; `entry_*` are
    what an operator keyed in for a comment that came another way."""
    form_group, form_country = entry_group, entry_country
    applied: FormContent | None = None
    if form is not None:
        applied = FormContent(
            sender_name=form.name,
            sender_address=form.email,
            organisation=form.organisation,
            subject=form.subject,
            body_text=form.comment,
        )
        comment = replace(
            comment,
            sender_name=form.name or comment.sender_name,
            sender_address=form.email or comment.sender_address,
            organisation=form.organisation or comment.organisation,
            subject=form.subject or comment.subject,
            body_text=form.comment or comment.body_text,
            channel=Channel.FORM,
        )
        form_group, form_country = form.group, form.country
        # The form's mailer is a machine by design: its envelope says nothing of the person
        # who filled in the form, who is the sender from here on.
        facts = replace(facts, automatic=None, return_path=None, suppress_replies=False)

    sender = comment.sender_address
    suggestion = suggest_group(
        sender_address=sender,
        subject=comment.subject,
        form_group=form_group,
        rules=rules.group_rules,
        builtin=rules.groups.builtin,
    )
    country, source, why = None, None, None
    domain = sender.rpartition("@")[2]
    fresh = fresh_text(comment.body_text, comment.body_segments)
    letter = read_sender(
        fresh,
        marked_signature(comment.body_text, comment.body_segments),
        sender_name=comment.sender_name,
        context="\n".join((text or "")[:CONTEXT_CHARS] for text, _ in comment.attachments[:3]),
    )
    if suggestion is not None and suggestion.country:
        country, source = suggestion.country, "group rule"
    elif domain and (code := country_from_domain(domain)):
        country, source = code, "domain"
    elif letter.country is not None:
        country, source, why = letter.country.value, letter.country.source, letter.country.reason
    if form_country and (code := country_code(form_country)):
        country, source = code, "form"

    holds: list[str] = []
    spam = facts.spam or spam_by_rules(comment.subject, comment.body_text, rules.moderation)
    if spam:
        holds.append(spam)
    if facts.auth.get("dmarc") == "fail" and rules.moderation.hold_dmarc_fail:
        holds.append("DMARC fail: the sender's domain did not vouch for this message")
    automatic = automatic_reason(sender, facts)
    if automatic:
        holds.append(f"an automatic message ({automatic}), not a comment")
    asks = request_kind(fresh) if facts.answers else None
    hint = read_hint(comment.subject, fresh, replies=True) if facts.answers else None
    attached = _attached_words(comment)  # a long document's words, read once for both keys
    words, unreadable = _content(comment, attached, core=True)
    return Assessment(
        facts=facts,
        form=applied,
        group=suggestion.group if suggestion else None,
        group_rule=suggestion.rule if suggestion else None,
        country=country,
        country_source=source,
        country_reason=why,
        organisation_suggested=letter.organisation.value if letter.organisation else None,
        organisation_reason=letter.organisation.reason if letter.organisation else None,
        spam=spam,
        automatic=automatic,
        holds=tuple(holds),
        duplicate_key=duplicate_key(comment, attached),
        fingerprint=fingerprint(words, unreadable, min_words=rules.campaigns.min_words),
        request_kind=asks,
        reply_adds=asks == "other" and hint is not None and hint.kind is not None,
        correction_hint=read_hint(comment.subject, fresh.lstrip(), replies=bool(facts.answers)),
        files=comment.files,
        has_attachments=bool(comment.attachments),
    )


def automatic_reason(sender: str, facts: HeaderFacts) -> str | None:
    """Why a message looks automatic (a bounce, an auto-reply, a machine's address), or None."""
    if facts.automatic and facts.automatic.startswith("Auto-Submitted"):
        return facts.automatic
    if facts.return_path == "":
        return "null Return-Path"
    if machine_sender(sender):
        return f"from {sender.partition('@')[0]}"
    return None


def marked_signature(body: str, segments: str | None) -> str:
    """The signature the parser marked, or "" (ingest.signatures then finds the block)."""
    if segments:
        try:
            parts = [
                body[int(s["start"]) : int(s["end"])]
                for s in json.loads(segments)
                if isinstance(s, dict) and s.get("kind") == "signature"
            ]
            return "\n".join(parts)
        except (ValueError, KeyError, TypeError):
            pass
    return ""


def duplicate_key(comment: Comment, attached: list[str] | None = None) -> str | None:
    """Sender and content in one hash: the same comment from the same sender twice.
    `attached`: the words of its attachments' text, when already read (_attached_words)."""
    who = comment.sender_address.lower().strip()
    if not who:
        who = f"{comment.sender_name}|{comment.organisation}".casefold().strip("|")
    if attached is None:
        attached = _attached_words(comment)
    words, unreadable = _content(comment, attached)
    if not who or not (words or unreadable):
        return None
    hashes = sorted(sha for _, sha in comment.attachments)
    material = "\0".join([who, " ".join(words), *unreadable, *hashes])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _content(
    comment: Comment, attached: list[str], *, core: bool = False
) -> tuple[list[str], list[str]]:
    """The words of the comment (its own text, then `attached`: its attachments' words), and
    the hashes of attachments whose text could not be read. With `core`, greeting and
    signature left out."""
    text = fresh_text(comment.body_text, comment.body_segments)
    if core:
        text = core_text(text)
    unreadable = sorted(sha for text, sha in comment.attachments if not text)
    return [*words_of(text), *attached], unreadable


def _attached_words(comment: Comment) -> list[str]:
    return content_words("", [text for text, _ in comment.attachments if text])
