"""The consultation's rules, applied to every parsed submission: a step after parsing.

For each submission not judged yet: the header facts (authentication, spam marks,
automatic mail, the top Received time), a form's fields, the stakeholder group and
country suggestions, duplicates and campaigns, on time or late, the moderation state
the rules give it, and whether a receipt is due. A page is judged in one transaction;
receipts are sent only after it commits (`apply_rules`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session

from ingest.corrections import link_correction, read_hint
from ingest.countries import country_code, country_from_domain
from ingest.duplicates import duplicate_key, place
from ingest.entries import read_entry
from ingest.errors import UnparseableMessage
from ingest.forms import FormRecord, fields_from_mail, is_form_mail
from ingest.groups import suggest_group
from ingest.headers import HeaderFacts, read_header_facts
from ingest.parse import parse_message
from ingest.receipts import ReceiptReport, decide_receipt, send_due_receipts
from ingest.rule_settings import IntakeRules
from ingest.screening import fresh_text, machine_sender, request_kind, spam_by_rules
from ingest.signatures import SenderFindings, read_sender
from store import campaigns
from store.archive import Archive, ArchiveCorrupt
from store.classification import (
    Classification,
    FormContent,
    apply_form,
    apply_rules_state,
    attachments_by_submission,
    attachments_of,
    awaiting_rules,
    claim_for_rules,
    save_classification,
)
from store.db import Store
from store.models import Attachment, Channel, Moderation, ReceivedVia, Submission
from store.receipts import answered_receipt, create_receipt, receipt_for, recent_receipts
from store.rules import clocks_disagree, derive_moderation, is_on_time

log = logging.getLogger(__name__)

PAGE = 200
CONTEXT_CHARS = 2000  # of each attachment's text: where an acronym may be written out
BY_OPERATOR = (ReceivedVia.OPERATOR, ReceivedVia.FORM_RECORD)

Progress = Callable[[int], None]


@dataclass
class RulesReport:
    judged: int = 0
    held: int = 0
    duplicates: int = 0
    campaign_members: int = 0
    comparisons: int = 0  # signatures compared: the work campaign detection did
    most_comparisons: int = 0  # for any one submission: bounded, whatever the total
    receipts_due: int = 0
    receipts_suppressed: int = 0
    receipts: ReceiptReport = field(default_factory=ReceiptReport)


def apply_rules(
    store: Store,
    rules: IntakeRules,
    now: datetime,
    *,
    redo: bool = False,
    progress: Progress | None = None,
) -> RulesReport:
    """Judge what waits, commit, then send the receipts that are due (new and retried)."""
    report = classify_pending(store, rules, now, redo=redo, progress=progress)
    report.receipts = send_due_receipts(store, rules, now)
    return report


def classify_pending(
    store: Store,
    rules: IntakeRules,
    now: datetime,
    *,
    redo: bool = False,
    progress: Progress | None = None,
) -> RulesReport:
    """Judge every parsed submission not judged yet (with `redo`, all of them), a page a commit.

    A re-run keeps what an operator decided: a confirmed group, a country they typed,
    their moderation decisions, a receipt already decided.
    """
    report = RulesReport()
    after = 0
    while True:
        with store.reader() as session:
            ids = awaiting_rules(session, after_id=after, limit=PAGE, redo=redo)
        if not ids:
            return report
        after = ids[-1]
        with store.session() as session:
            claimed = claim_for_rules(session, ids, redo=redo)
            attached = attachments_by_submission(session, [s.id for s in claimed if s.id])
            for submission in claimed:
                assert submission.id is not None
                files = attached[submission.id]
                _judge(session, store.archive, submission, files, rules, now, report)
            session.commit()
        if progress:
            progress(len(ids))


def reclassify(store: Store, rules: IntakeRules, ids: list[int], now: datetime) -> RulesReport:
    """Run the rules again on these submissions now (after an operator's ruling, say)."""
    report = RulesReport()
    with store.session() as session:
        for submission in claim_for_rules(session, ids, redo=True):
            assert submission.id is not None
            attachments = attachments_of(session, submission.id)
            _judge(session, store.archive, submission, attachments, rules, now, report)
        session.commit()
    return report


def _judge(
    session: Session,
    archive: Archive,
    submission: Submission,
    attachments: list[Attachment],
    rules: IntakeRules,
    now: datetime,
    report: RulesReport,
) -> None:
    assert submission.id is not None
    first_time = submission.classified_at is None
    by_mail = submission.received_via not in BY_OPERATOR
    facts = HeaderFacts()
    if by_mail:
        try:
            facts = read_header_facts(archive.head(submission.sha256), rules.moderation.authserv_id)
        except OSError as exc:
            log.warning("%s: raw message unreadable for the rules: %s", submission.reference, exc)

    form_group = form_country = ""
    if not by_mail and submission.channel == Channel.FORM:
        entry = _entry(archive, submission)
        form_group, form_country = str(entry.get("group") or ""), str(entry.get("country") or "")
    record = _form_record(archive, submission, rules) if by_mail else None
    if record is not None:
        apply_form(
            session,
            submission,
            FormContent(
                sender_name=record.name,
                sender_address=record.email,
                organisation=record.organisation,
                subject=record.subject,
                body_text=record.comment,
            ),
        )
        form_group, form_country = record.group, record.country
        # The form's mailer is a machine by design: its envelope says nothing of the person
        # who filled in the form, who is the sender from here on.
        facts = replace(facts, automatic=None, return_path=None, suppress_replies=False)

    found = _classification(session, submission, attachments, facts, rules, form_group)
    if form_country and (code := country_code(form_country)):
        found = _with_country(found, code, "form")
    save_classification(session, submission, found, now)
    if found.duplicate_of_id is None and found.request_for_id is None:
        link_correction(session, submission, attachments, facts.answers, now)
    report.judged += 1
    if found.duplicate_of_id is not None:
        report.duplicates += 1
    elif first_time or not campaigns.is_placed(session, submission.id):
        placed = place(session, submission, attachments, rules.campaigns, now)
        report.campaign_members += placed.joined
        report.comparisons += placed.compared
        report.most_comparisons = max(report.most_comparisons, placed.compared)

    on_time = is_on_time(submission, rules.consultation)
    m = rules.moderation
    state, why = derive_moderation(m.mode, m.late, on_time, found.hold_reasons)
    apply_rules_state(session, submission, state, why, now)
    if submission.moderation == Moderation.PENDING and found.hold_reasons:
        report.held += 1

    if (
        first_time
        and by_mail
        and rules.receipts.enabled
        and receipt_for(session, submission.id) is None
    ):
        _decide_receipt(session, submission, facts, found, rules, now, report)


def _entry(archive: Archive, submission: Submission) -> dict[str, object]:
    """The archived entry document of a comment keyed in or imported (see ingest.entries)."""
    try:
        return read_entry(archive.get(submission.sha256)) or {}
    except (ArchiveCorrupt, OSError):
        return {}


def _form_record(archive: Archive, submission: Submission, rules: IntakeRules) -> FormRecord | None:
    """The form's fields, when this mail came from the online form.

    Once mapped, the submission's sender is the form's submitter; a later run reads the
    fields again from the archived message.
    """
    if is_form_mail(submission.subject, submission.sender_address, rules.form):
        return fields_from_mail(submission.body_text, rules.form)
    if submission.channel != Channel.FORM:
        return None
    try:
        parsed = parse_message(archive.get(submission.sha256))
    except (UnparseableMessage, ArchiveCorrupt, OSError):
        return None
    return fields_from_mail(parsed.body_text, rules.form)


def _classification(
    session: Session,
    submission: Submission,
    attachments: list[Attachment],
    facts: HeaderFacts,
    rules: IntakeRules,
    form_group: str,
) -> Classification:
    sender = submission.sender_address
    suggestion = suggest_group(
        sender_address=sender,
        subject=submission.subject,
        form_group=form_group,
        rules=rules.group_rules,
        builtin=rules.groups.builtin,
    )
    country, source, why = None, None, None
    domain = sender.rpartition("@")[2]
    letter = _read_letter(submission, attachments)
    if suggestion is not None and suggestion.country:
        country, source = suggestion.country, "group rule"
    elif domain and (code := country_from_domain(domain)):
        country, source = code, "domain"
    elif letter.country is not None:
        country, source, why = letter.country.value, letter.country.source, letter.country.reason

    holds: list[str] = []
    spam = facts.spam or spam_by_rules(submission.subject, submission.body_text, rules.moderation)
    if spam:
        holds.append(spam)
    if facts.auth.get("dmarc") == "fail" and rules.moderation.hold_dmarc_fail:
        holds.append("DMARC fail: the sender's domain did not vouch for this message")
    automatic = _automatic(sender, facts)
    if automatic:
        holds.append(f"an automatic message ({automatic}), not a comment")
    request_for, kind = None, None
    if facts.answers:
        request_for = answered_receipt(session, facts.answers)
    if request_for is not None and request_for != submission.id:
        fresh = fresh_text(submission.body_text, submission.body_segments)
        kind = request_kind(fresh)
        hint = read_hint(submission.subject, fresh, replies=True)
        if kind == "other" and hint is not None and hint.kind is not None:
            request_for, kind = None, None  # a correction or an addition: linked in _judge
        else:
            original = session.get_one(Submission, request_for)
            holds.append(
                f"a reply to the receipt for {original.reference} ({kind}): "
                f"apply it with `mailroom apply-request {submission.reference}`"
            )
    else:
        request_for = None
    deadline = rules.consultation.deadline
    if submission.on_time_override is None and clocks_disagree(
        submission.received_at, facts.received_header_at, deadline
    ):
        holds.append(
            "the mailbox's clock and the Received header fall either side of the deadline: "
            f"rule with `mailroom on-time {submission.reference}`"
        )

    key = duplicate_key(submission, attachments)
    duplicate_of = campaigns.find_duplicate(session, key, submission.id or 0) if key else None
    return Classification(
        received_header_at=facts.received_header_at,
        auth_results=facts.auth,
        spam_reason=spam,
        hold_reasons=holds,
        group=suggestion.group if suggestion else None,
        group_rule=suggestion.rule if suggestion else None,
        country=country,
        country_source=source,
        duplicate_key=key,
        duplicate_of_id=duplicate_of,
        request_for_id=request_for,
        request_kind=kind,
        country_reason=why,
        organisation_suggested=letter.organisation.value if letter.organisation else None,
        organisation_reason=letter.organisation.reason if letter.organisation else None,
    )


def _with_country(found: Classification, code: str, source: str) -> Classification:
    return replace(found, country=code, country_source=source)


def _automatic(sender: str, facts: HeaderFacts) -> str | None:
    if facts.automatic and facts.automatic.startswith("Auto-Submitted"):
        return facts.automatic
    if facts.return_path == "":
        return "null Return-Path"
    if machine_sender(sender):
        return f"from {sender.partition('@')[0]}"
    return None


def _read_letter(submission: Submission, attachments: list[Attachment]) -> SenderFindings:
    """Organisation and country from the signature or the letter (ingest.signatures)."""
    return read_sender(
        fresh_text(submission.body_text, submission.body_segments),
        _signature_text(submission),
        sender_name=submission.sender_name,
        context="\n".join((a.text or "")[:CONTEXT_CHARS] for a in attachments[:3]),
    )


def _signature_text(submission: Submission) -> str:
    """The signature the parser marked, or "" (ingest.signatures then finds the block)."""
    if submission.body_segments:
        try:
            parts = [
                submission.body_text[int(s["start"]) : int(s["end"])]
                for s in json.loads(submission.body_segments)
                if isinstance(s, dict) and s.get("kind") == "signature"
            ]
            return "\n".join(parts)
        except (ValueError, KeyError, TypeError):
            pass
    return ""


def _decide_receipt(
    session: Session,
    submission: Submission,
    facts: HeaderFacts,
    found: Classification,
    rules: IntakeRules,
    now: datetime,
    report: RulesReport,
) -> None:
    duplicate_of = None
    if found.duplicate_of_id is not None:
        duplicate_of = session.get_one(Submission, found.duplicate_of_id).reference
    decision = decide_receipt(
        submission,
        facts,
        rules,
        spam=found.spam_reason,
        automatic=_automatic(submission.sender_address, facts),
        answers_receipt=found.request_for_id is not None,
        duplicate_of=duplicate_of,
        recent=lambda recipient, since: recent_receipts(session, recipient, since),
        now=now,
    )
    create_receipt(
        session,
        submission,
        recipient=decision.recipient,
        status=decision.status,
        reason=decision.reason,
        language=decision.language,
        message_id=decision.message_id,
        now=now,
    )
    if decision.reason is None:
        report.receipts_due += 1
    else:
        report.receipts_suppressed += 1
