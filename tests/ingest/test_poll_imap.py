"""poll_once against a real Dovecot: exactly once, flags only after commit, UIDVALIDITY resets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from ingest import poll_once
from store import ConsultationSettings, Store
from store.models import Checkpoint, Message, Problem, ReceivedVia, Submission
from tests.conftest import imap_mailbox
from tests.dovecot import Dovecot
from tests.messages import comment

NOW = datetime(2010, 11, 20, 12, 0, tzinfo=UTC)
FLAG = b"$MailroomStored"


def poll(mailbox, store: Store, consultation: ConsultationSettings):  # type: ignore[no-untyped-def]
    return poll_once(mailbox, store, prefix=consultation.submission_prefix, now=lambda: NOW)


def test_polling_twice_stores_each_message_once_and_flags_it(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    arrived = datetime(2010, 11, 15, 22, 0, tzinfo=UTC)
    uids = dovecot.append(folder, [comment(n) for n in range(1, 11)], internaldate=arrived)
    mailbox = imap_mailbox(dovecot, folder)  # batch_size 4: three FETCH round trips
    first = poll(mailbox, store, consultation)
    assert (first.fetched, first.new_submissions, first.parsed, first.errors) == (10, 10, 10, [])
    assert all(FLAG in flags for flags in dovecot.flags(folder).values())
    assert all(b"\\Seen" not in flags for flags in dovecot.flags(folder).values())
    second = poll(mailbox, store, consultation)
    assert (second.fetched, second.new_submissions) == (0, 0)
    with store.session() as session:
        messages = session.exec(select(Message).order_by(Message.uid)).all()
        assert [m.uid for m in messages] == uids
        assert {m.received_at for m in messages} == {arrived}
        assert {m.received_via for m in messages} == {ReceivedVia.INTERNALDATE}
        checkpoint = session.exec(select(Checkpoint)).one()
        assert checkpoint.last_uid == max(uids)
        assert checkpoint.uidvalidity == dovecot.uidvalidity(folder)
    # Raw bytes are kept exactly as the server served them.
    with dovecot.session() as client:
        client.select_folder(folder, readonly=True)
        served = client.fetch(uids[:1], ["BODY.PEEK[]"])[uids[0]][b"BODY[]"]
    assert store.archive.get(messages[0].sha256) == served


def test_new_mail_after_a_poll_is_picked_up_from_the_checkpoint(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1), comment(2)])
    mailbox = imap_mailbox(dovecot, folder)
    assert poll(mailbox, store, consultation).new_submissions == 2
    dovecot.append(folder, [comment(3)])
    later = poll(mailbox, store, consultation)
    assert (later.fetched, later.new_submissions) == (1, 1)


def test_a_changed_uidvalidity_reads_the_folder_again_without_duplicates(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    messages = [comment(n) for n in range(1, 6)]
    dovecot.append(folder, messages)
    mailbox = imap_mailbox(dovecot, folder)
    poll(mailbox, store, consultation)
    before = dovecot.uidvalidity(folder)
    dovecot.recreate_folder(folder)
    dovecot.append(folder, [*messages, comment(6)])
    assert dovecot.uidvalidity(folder) != before
    report = poll(mailbox, store, consultation)
    assert (report.fetched, report.new_submissions, report.already_held) == (6, 1, 5)
    with store.session() as session:
        assert len(session.exec(select(Submission)).all()) == 6
        assert len(session.exec(select(Message)).all()) == 11
        problem = session.exec(select(Problem).where(Problem.kind == "uidvalidity")).one()
        assert f"changed from {before}" in problem.detail


def test_a_server_that_rewrites_bytes_after_a_reset_is_matched_by_message_id(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1)])
    mailbox = imap_mailbox(dovecot, folder)
    poll(mailbox, store, consultation)
    dovecot.recreate_folder(folder)
    dovecot.append(folder, [b"X-Migrated: yes\r\n" + comment(1)])  # same Message-ID, new bytes
    report = poll(mailbox, store, consultation)
    assert (report.new_submissions, report.already_held) == (0, 1)


def test_move_mode_moves_stored_mail_and_never_deletes(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    done = dovecot.fresh_folder("done")
    dovecot.append(folder, [comment(n) for n in range(1, 4)])
    mailbox = imap_mailbox(dovecot, folder, after_store="move", move_to=done)
    report = poll(mailbox, store, consultation)
    assert report.new_submissions == 3 and report.errors == []
    assert dovecot.uids(folder) == []
    assert len(dovecot.uids(done)) == 3


def test_imaps_with_a_private_ca_works(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1)])
    mailbox = imap_mailbox(
        dovecot,
        folder,
        url=f"imaps://{dovecot.user}@127.0.0.1:{dovecot.imaps_port}/{folder}",
        ca_file=dovecot.cert,
    )
    assert poll(mailbox, store, consultation).new_submissions == 1


def test_a_refused_login_or_missing_folder_is_recorded_not_raised(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings, tmp_path: Path
) -> None:
    wrong = tmp_path / "password"
    wrong.write_text("not the password\n")
    mailbox = imap_mailbox(
        dovecot, "INBOX", password_env=None, password_file=wrong, name="wrong-password"
    )
    report = poll(mailbox, store, consultation)
    assert report.fetched == 0 and "login as 'test' refused" in report.errors[0]
    missing = poll(imap_mailbox(dovecot, "No-Such-Folder"), store, consultation)
    assert "cannot open folder 'No-Such-Folder'" in missing.errors[0]
    with store.session() as session:
        kinds = [p.kind for p in session.exec(select(Problem))]
        checkpoint = session.exec(
            select(Checkpoint).where(Checkpoint.mailbox == "wrong-password")
        ).one()
    assert kinds == ["poll", "poll"]
    assert checkpoint.last_error is not None and "refused" in checkpoint.last_error


def test_stored_but_unflagged_mail_is_flagged_on_the_next_poll(
    dovecot: Dovecot, store: Store, consultation: ConsultationSettings
) -> None:
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1), comment(2)])
    mailbox = imap_mailbox(dovecot, folder)
    poll(mailbox, store, consultation)
    with dovecot.session() as client:  # as if the daemon died between commit and flag
        client.select_folder(folder)
        client.remove_flags(dovecot.uids(folder), [FLAG], silent=True)
    report = poll(mailbox, store, consultation)
    assert report.fetched == 0
    assert all(FLAG in flags for flags in dovecot.flags(folder).values())
