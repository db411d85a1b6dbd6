"""Two daemons on one database replacing the themes at once (seen in CI on PostgreSQL: the
second's DELETE of the themes met members the first had just committed)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from mailroom.config import ConsultationSettings
from store.db import Store
from store.models import Submission, Theme, ThemeMember
from store.themes import NewTheme, replace_themes
from tests.publish.sample import populate

AT = datetime(2010, 12, 2, tzinfo=UTC)


def grouping(ids: list[int], label: str) -> list[NewTheme]:
    return [
        NewTheme(label, [label], "", "", len(ids), len(ids), {}, {}, [(i, 1, 1.0) for i in ids])
    ]


def test_two_replacements_at_once_both_succeed_one_after_the_other(
    tmp_path: Path, store: Store, consultation: ConsultationSettings
) -> None:
    populate(tmp_path, store, consultation)
    with store.reader() as session:
        ids = [i for i in session.exec(select(Submission.id).order_by(col(Submission.id))) if i]
    first = store.session()
    replace_themes(first, grouping(ids, "first"), "f1", AT)
    first.flush()  # the first holds its new rows, uncommitted, when the second begins

    failures: list[BaseException] = []

    def second() -> None:
        try:
            with store.session() as session:
                replace_themes(session, grouping(ids[:2], "second"), "f2", AT)
                session.commit()
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), "the second replacement did not wait for the first"
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive()
    assert failures == []
    with store.reader() as session:
        assert [t.label for t in session.exec(select(Theme))] == ["second"]
        assert len(session.exec(select(ThemeMember)).all()) == 2
