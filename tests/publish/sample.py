"""A small consultation with what the site must show: six languages, groups, countries, late
comments, folded quotes and signatures, attachment text, a withdrawn and a hidden comment.

The messages go through the real intake (a Maildir polled by poll_once); the columns that
issues 3 and 4 fill (language, group, country, moderation, attachment text, ...) are then
set on the records as those parts will set them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from ingest import poll_once
from store import ConsultationSettings, Store
from store.models import Attachment, Moderation, StakeholderGroup, Submission, TextStatus
from tests import samples
from tests.conftest import maildir
from tests.messages import comment

ATTACHMENT_PHRASE = "quadrilateral lighthouse cooperative"  # only in one attachment's text
ARABIC_BODY = (
    "السادة الكرام،\n\nنرحب بهذه المشاورة المفتوحة بشأن التعاون المعزز في قضايا السياسة "
    "العامة الدولية المتعلقة بالإنترنت، وندعو إلى مشاركة جميع أصحاب المصلحة على قدم المساواة.\n"
)
CHINESE_BODY = (
    "尊敬的秘书处：\n\n我们支持在互联网公共政策问题上加强合作，并建议设立公开的登记册。\n"
)


@dataclass(frozen=True)
class Comment:
    subject: str
    sender: str
    body: str
    received: datetime
    language: str | None = None
    group: StakeholderGroup = StakeholderGroup.UNCLASSIFIED
    country: str | None = None
    organisation: str = ""
    moderation: Moderation = Moderation.APPROVED
    anonymous: bool = False
    folds: bool = False  # mark its quoted reply and signature, as issue 3's parser will
    attachments: tuple[tuple[str, str, bytes, str | None], ...] = ()


ENGLISH_BODY = (
    "We support enhanced cooperation through the existing institutions.\n\n"
    "> On 1 Oct the Secretariat wrote:\n> Please send your comments.\n\n"
    "-- \nMinistry of Information and Communication\nNairobi\n"
)


def _segments(body: str) -> list[dict[str, Any]]:
    """Spans over the text as stored: a reply, the quote it answers, a signature."""
    quote, signature = body.index("> On"), body.index("-- \n")
    return [
        {"kind": "text", "start": 0, "end": quote},
        {"kind": "quote", "start": quote, "end": signature},
        {"kind": "signature", "start": signature, "end": len(body)},
    ]


def comments() -> list[Comment]:
    early = datetime(2010, 11, 8, 15, 0, tzinfo=UTC)
    late = datetime(2010, 11, 20, 15, 0, tzinfo=UTC)  # after the deadline of 15 November
    return [
        Comment(
            "Position of the Government of Kenya",
            "Grace Wanjiru",
            ENGLISH_BODY,
            early,
            language="en",
            group=StakeholderGroup.GOVERNMENTS,
            country="KE",
            organisation="Ministry of Information and Communication",
            folds=True,
            attachments=(
                (
                    "position.pdf",
                    "application/pdf",
                    samples.pdf("position paper"),
                    f"Annex. A {ATTACHMENT_PHRASE} for Internet public policy.",
                ),
            ),
        ),
        Comment(
            "تعليق على التعاون المعزز",
            "ليلى حسن",
            ARABIC_BODY,
            early,
            language="ar",
            group=StakeholderGroup.CIVIL_SOCIETY,
            country="EG",
            organisation="الجمعية العربية للإنترنت",
        ),
        Comment(
            "关于加强合作的意见",
            "王伟",
            CHINESE_BODY,
            early,
            language="zh",
            group=StakeholderGroup.TECHNICAL_COMMUNITY,
            country="CN",
        ),
        Comment(
            "Contribution tardive",
            "Jean Dupont",
            "Madame, Monsieur,\n\nVoici notre contribution, envoyée après la date limite.\n",
            late,
            language="fr",
            group=StakeholderGroup.PRIVATE_SECTOR,
            country="FR",
            organisation="Télécom Exemple SA",
        ),
        Comment(
            "Comentario anónimo",
            "María López",
            "Apoyamos una cooperación reforzada y transparente.\n",
            early,
            language="es",
            group=StakeholderGroup.CIVIL_SOCIETY,
            country="AR",
            organisation="Should not show",
            anonymous=True,
        ),
        Comment(
            "Комментарий о сотрудничестве",
            "Иван Петров",
            "Уважаемый секретариат!\n\nМы поддерживаем расширенное сотрудничество.\n",
            early,
            language="ru",
            group=StakeholderGroup.INTERGOVERNMENTAL,
            country="RU",
            organisation="Regional Internet Forum",
        ),
        Comment(
            "Please withdraw my comment",
            "Withdrawn Sender",
            "This text must never be published: withdrawn-secret-text.\n",
            early,
            language="en",
            moderation=Moderation.WITHDRAWN,
        ),
        Comment(
            "Hidden comment",
            "Hidden Sender",
            "This text must never be published: hidden-secret-text.\n",
            early,
            language="en",
            moderation=Moderation.HIDDEN,
        ),
    ]


def populate(
    tmp_path: Path,
    store: Store,
    consultation: ConsultationSettings,
    extra: Sequence[Comment] = (),
    *,
    sample: Sequence[Comment] | None = None,
) -> dict[str, str]:
    """Ingest the sample, or `sample` in its place (and `extra` comments after it), and fill in
    what later stages decide; returns reference by subject."""
    sample = list(comments() if sample is None else sample) + list(extra)
    messages = [
        comment(
            number,
            subject=c.subject,
            sender=c.sender,
            body=c.body,
            received=c.received,
            attachments=[(name, kind, data) for name, kind, data, _text in c.attachments],
        )
        for number, c in enumerate(sample, start=1)
    ]
    poll_once(
        maildir(tmp_path / "Maildir", messages),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: datetime(2010, 11, 25, tzinfo=UTC),
    )
    references: dict[str, str] = {}
    with store.session() as session:
        rows = list(session.exec(select(Submission).order_by(col(Submission.number))))
        assert len(rows) == len(sample)
        for row, c in zip(rows, sample, strict=True):
            assert row.subject == c.subject, "the sample went in out of order"
            row.language = c.language
            row.stakeholder_group = c.group
            row.country = c.country
            row.organisation = c.organisation
            row.moderation = c.moderation
            row.anonymous = c.anonymous
            row.body_segments = json.dumps(_segments(row.body_text)) if c.folds else None
            session.add(row)
            attachments = session.exec(
                select(Attachment).where(Attachment.submission_id == row.id)
            ).all()
            for attachment, (_name, _kind, _data, text) in zip(
                attachments, c.attachments, strict=True
            ):
                attachment.text = text
                attachment.text_status = TextStatus.EXTRACTED if text else TextStatus.NO_TEXT
                session.add(attachment)
            references[c.subject] = row.reference
        session.commit()
    return references


def edit_body(store: Store, reference: str, text: str) -> None:
    with store.session() as session:
        row = session.exec(select(Submission).where(Submission.reference == reference)).one()
        row.body_text = text
        row.body_segments = None
        session.add(row)
        session.commit()


def poll_numbered(
    tmp_path: Path, store: Store, consultation: ConsultationSettings, count: int
) -> None:
    """`count` plain comments, numbered from 1, through intake with the rules on (published at
    once, late ones too): a long list for the pagination tests."""
    from tests.rules import post_rules

    poll_once(
        maildir(tmp_path / "Maildir", [comment(n) for n in range(1, count + 1)]),
        store,
        prefix=consultation.submission_prefix,
        now=lambda: consultation.deadline,
        rules=post_rules(consultation, late="publish"),
    )
