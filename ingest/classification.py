"""The consultation's rules, applied to every parsed submission: a step after parsing.

What a comment alone says (header facts, a form's fields, group and country, spam and
automatic mail, its duplicate key and fingerprint) is its assessment (ingest.assessment),
made in the worker that parsed it or, for a re-run, here from the stored record. Judging
a page then takes a few statements whatever its size: the duplicates, the campaigns
(ingest.duplicates), the replies to our receipts and the receipts already sent are looked
up for the whole page; each submission is decided in id order, in memory; the decisions
are written with one statement per table. Receipts are sent only after the commit
(`apply_rules`). A re-run keeps what an operator decided: a confirmed group, a country
they typed, their moderation decisions, a receipt already decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from ingest.assessment import Assessment, AssessmentRules, Comment, assess
from ingest.corrections import Later, link_corrections
from ingest.duplicates import find_duplicates, place_all
from ingest.entries import read_entry
from ingest.errors import UnparseableMessage
from ingest.forms import FormRecord, fields_from_mail, is_form_mail
from ingest.headers import HeaderFacts, read_header_facts
from ingest.parse import parse_message
from ingest.receipts import ReceiptReport, decide_receipt, send_due_receipts
from ingest.rule_settings import IntakeRules
from store import campaigns
from store.archive import Archive, ArchiveCorrupt
from store.classification import (
    OPERATOR_SOURCES,
    FormContent,
    Judgement,
    RulesState,
    apply_forms,
    attachments_by_submission,
    awaiting_rules,
    claim_for_rules,
    references_of,
    rules_state,
    save_judgements,
)
from store.db import Store
from store.models import Attachment, Channel, Moderation, ReceivedVia, StakeholderGroup, Submission
from store.moderation import record_rule_events
from store.receipts import answered_receipts, create_receipts, label, recent_counts, with_receipts
from store.rules import clocks_disagree, derive_moderation, on_time

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

    def add(self, other: RulesReport) -> None:
        for name in (
            "judged",
            "held",
            "duplicates",
            "campaign_members",
            "comparisons",
            "receipts_due",
            "receipts_suppressed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.most_comparisons = max(self.most_comparisons, other.most_comparisons)


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
    if rules.receipts_on:
        log.info("receipts: sending those due")
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
    """Judge every parsed submission not judged yet (with `redo`, all of them), a page a commit."""
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
            judge(session, assessed(session, store.archive, claimed, rules), rules, now, report)
            session.commit()
        if progress:
            progress(len(ids))


def reclassify(store: Store, rules: IntakeRules, ids: list[int], now: datetime) -> RulesReport:
    """Run the rules again on these submissions now (after an operator's ruling, say)."""
    report = RulesReport()
    with store.session() as session:
        claimed = claim_for_rules(session, ids, redo=True)
        judge(session, assessed(session, store.archive, claimed, rules), rules, now, report)
        session.commit()
    return report


def assessed(
    session: Session, archive: Archive, claimed: list[Submission], rules: IntakeRules
) -> list[tuple[int, Assessment]]:
    """The assessment of stored submissions, made here from their records and raw headers
    (intake makes it in the worker that parsed the message)."""
    attached = attachments_by_submission(session, [s.id for s in claimed if s.id])
    wanted = AssessmentRules.of(rules)
    found: list[tuple[int, Assessment]] = []
    for submission in claimed:
        assert submission.id is not None
        found.append(
            (
                submission.id,
                _assess_stored(archive, submission, attached[submission.id], rules, wanted),
            )
        )
    return found


def _assess_stored(
    archive: Archive,
    submission: Submission,
    attachments: list[Attachment],
    rules: IntakeRules,
    wanted: AssessmentRules,
) -> Assessment:
    by_mail = submission.received_via not in BY_OPERATOR
    facts = HeaderFacts()
    if by_mail:
        try:
            facts = read_header_facts(archive.head(submission.sha256), rules.moderation.authserv_id)
        except OSError as exc:
            log.warning("%s: raw message unreadable for the rules: %s", submission.reference, exc)
    entry_group = entry_country = ""
    if not by_mail and submission.channel == Channel.FORM:
        entry = _entry(archive, submission)
        entry_group, entry_country = str(entry.get("group") or ""), str(entry.get("country") or "")
    comment = Comment(
        subject=submission.subject,
        sender_name=submission.sender_name,
        sender_address=submission.sender_address,
        organisation=submission.organisation,
        body_text=submission.body_text,
        body_segments=submission.body_segments,
        channel=submission.channel,
        by_mail=by_mail,
        attachments=tuple((a.text, a.sha256) for a in attachments),
        files=tuple((a.name, a.sha256) for a in attachments if a.parent_position is None),
    )
    return assess(
        comment,
        facts,
        wanted,
        form=_form_record(archive, submission, rules) if by_mail else None,
        entry_group=entry_group,
        entry_country=entry_country,
    )


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


@dataclass(frozen=True, slots=True)
class _Receiving:
    """The submission as a receipt is decided for it: the form's sender, if a form sent it."""

    reference: str
    sha256: str
    sender_address: str
    language: str | None


def judge(
    session: Session,
    items: list[tuple[int, Assessment]],
    rules: IntakeRules,
    now: datetime,
    report: RulesReport,
) -> None:
    """Judge a page of held (locked) submissions from their assessments, in id order."""
    if not items:
        return
    log.info("rules: judging %d submissions", len(items))
    found = dict(items)
    states = rules_state(session, sorted(found))
    duplicates = find_duplicates(session, [(s.id, found[s.id].duplicate_key) for s in states])
    requests = _requests(session, states, found)
    references = references_of(session, [*requests.values(), *duplicates.values()])
    leaders = campaigns.leaders_among(
        session, [s.id for s in states if s.classified_at is not None]
    )
    prints = [
        (s.id, fingerprint)
        for s in states
        if s.id not in duplicates
        and (fingerprint := found[s.id].fingerprint) is not None
        and (s.classified_at is None or not (s.campaign_id is not None or s.id in leaders))
    ]
    placed = place_all(session, prints, rules.campaigns, now)
    for placement in placed.values():
        report.campaign_members += placement.joined
        report.comparisons += placement.compared
        report.most_comparisons = max(report.most_comparisons, placement.compared)
    receipts = _Receipts(session, states, found, rules, now)

    judged: list[Judgement] = []
    changes: list[tuple[int, Moderation, Moderation, str]] = []
    forms: list[tuple[int, FormContent]] = []
    later: list[Later] = []
    for state in states:
        assessment = found[state.id]
        holds = list(assessment.holds)
        request_for = requests.get(state.id)
        kind = None
        if request_for is not None and request_for != state.id and assessment.reply_adds:
            request_for = None  # a correction or an addition: linked below, not a request
        elif request_for is not None and request_for != state.id:
            kind = assessment.request_kind
            holds.append(
                f"a reply to the receipt for {references[request_for]} ({kind}): "
                f"apply it with `mailroom apply-request {state.reference}`"
            )
        else:
            request_for = None
        deadline = rules.consultation.deadline
        if state.on_time_override is None and clocks_disagree(
            state.received_at, assessment.facts.received_header_at, deadline
        ):
            holds.append(
                "the mailbox's clock and the Received header fall either side of the deadline: "
                f"rule with `mailroom on-time {state.reference}`"
            )
        group, group_rule = state.stakeholder_group, state.group_rule
        if not state.group_confirmed:
            group = assessment.group or StakeholderGroup.UNCLASSIFIED
            group_rule = assessment.group_rule
        country, country_source = state.country, state.country_source
        country_reason = state.country_reason
        if state.country_source not in OPERATOR_SOURCES:
            country, country_source = assessment.country, assessment.country_source
            country_reason = assessment.country_reason
        organisation = (state.organisation_suggested, state.organisation_reason)
        if not state.organisation_confirmed:
            organisation = (assessment.organisation_suggested, assessment.organisation_reason)
        sender_key = _sender(state, assessment).lower() or None
        report.judged += 1
        duplicate_of = duplicates.get(state.id)
        if duplicate_of is not None:
            report.duplicates += 1

        m = rules.moderation
        decided, why = derive_moderation(
            m.mode,
            m.late,
            on_time(state.on_time_override, state.received_at, rules.consultation),
            holds,
        )
        moderation, reason = state.moderation, state.moderation_reason
        if state.moderated_by is None and (decided, why) != (moderation, reason):
            changes.append((state.id, moderation, decided, why))
            moderation, reason = decided, why
        if moderation == Moderation.PENDING and holds:
            report.held += 1
        if assessment.form is not None:
            forms.append((state.id, assessment.form))
        if duplicate_of is None and request_for is None:
            later.append(
                Later(
                    state.id,
                    state.number,
                    sender_key,
                    assessment.correction_hint,
                    assessment.facts.answers,
                    assessment.files,
                    assessment.has_attachments,
                )
            )
        judged.append(
            Judgement(
                id=state.id,
                received_header_at=assessment.facts.received_header_at,
                auth_results=assessment.facts.auth,
                spam_reason=assessment.spam,
                hold_reasons=holds,
                stakeholder_group=group,
                group_rule=group_rule,
                country=country,
                country_source=country_source,
                country_reason=country_reason,
                organisation_suggested=organisation[0],
                organisation_reason=organisation[1],
                sender_key=sender_key,
                duplicate_key=assessment.duplicate_key,
                duplicate_of_id=duplicate_of,
                request_for_id=request_for,
                request_kind=kind,
                moderation=moderation,
                moderation_reason=reason,
                receipt=receipts.decide(
                    state,
                    assessment,
                    answers_receipt=request_for is not None,
                    duplicate_of=references.get(duplicate_of) if duplicate_of else None,
                    report=report,
                ),
            )
        )
    save_judgements(session, judged, now)
    apply_forms(session, forms)
    link_corrections(session, later, requests, now)
    record_rule_events(session, changes, at=now)
    receipts.save()


def _requests(
    session: Session, states: list[RulesState], found: dict[int, Assessment]
) -> dict[int, int]:
    """For each submission that answers one of our receipts, the submission it is about."""
    answering = {s.id: found[s.id].facts.answers for s in states if found[s.id].facts.answers}
    known = answered_receipts(session, [m for answers in answering.values() for m in answers])
    requests: dict[int, int] = {}
    for sid, answers in answering.items():
        matches = sorted(known[m] for m in answers if m in known)
        if matches:
            requests[sid] = matches[0][1]  # the oldest receipt named
    return requests


class _Receipts:
    """The receipts a page decides: the per-sender limit counts those decided before them."""

    def __init__(
        self,
        session: Session,
        states: list[RulesState],
        found: dict[int, Assessment],
        rules: IntakeRules,
        now: datetime,
    ) -> None:
        self.session = session
        self.rules = rules
        self.now = now
        self.rows: list[dict[str, object]] = []
        due = [s for s in states if s.classified_at is None and s.received_via not in BY_OPERATOR]
        self.held: set[int] = set()
        self.recent: dict[str, int] = {}
        if rules.receipts.enabled and due:
            self.held = with_receipts(session, [s.id for s in due])
            since = now - timedelta(hours=rules.receipts.per_sender_hours)
            self.recent = recent_counts(session, [_sender(s, found[s.id]) for s in due], since)

    def decide(
        self,
        state: RulesState,
        assessment: Assessment,
        *,
        answers_receipt: bool,
        duplicate_of: str | None,
        report: RulesReport,
    ) -> str | None:
        """The receipt label of the row: a new decision, or the one it has."""
        if (
            state.classified_at is not None
            or state.received_via in BY_OPERATOR
            or not self.rules.receipts.enabled
            or state.id in self.held
        ):
            return state.receipt
        facts = assessment.facts
        decision = decide_receipt(
            _Receiving(state.reference, state.sha256, _sender(state, assessment), state.language),
            facts,
            self.rules,
            spam=assessment.spam,
            automatic=assessment.automatic,
            answers_receipt=answers_receipt,
            duplicate_of=duplicate_of,
            recent=lambda recipient, since: self.recent.get(recipient.lower()[:320], 0),
            now=self.now,
        )
        self.rows.append(
            {
                "submission_id": state.id,
                "recipient": decision.recipient,
                "status": decision.status,
                "reason": decision.reason,
                "language": decision.language,
                "message_id": decision.message_id,
            }
        )
        if decision.reason is None:
            report.receipts_due += 1
            key = decision.recipient.lower()[:320]
            self.recent[key] = self.recent.get(key, 0) + 1
        else:
            report.receipts_suppressed += 1
        return label(decision.status, decision.reason)

    def save(self) -> None:
        create_receipts(self.session, self.rows, self.now)


def _sender(state: RulesState, assessment: Assessment) -> str:
    form = assessment.form
    return form.sender_address if form is not None and form.sender_address else state.sender_address
