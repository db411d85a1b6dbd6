"""The private Dovecot in tests/dovecot.py: a real server, checked end to end."""

from __future__ import annotations

import os
import ssl
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from imapclient import IMAPClient

from tests import dovecot as dovecot_module
from tests.dovecot import Dovecot, crlf, start_dovecot

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    dc = start_dovecot()
    try:
        yield dc
    finally:
        dc.stop()


def message(n: int, message_id: str | None = None) -> bytes:
    """A small LF-only message (the helper must send it as CRLF)."""
    message_id = message_id or f"<{uuid.uuid4().hex}@test.example>"
    return (
        f"From: Person {n} <p{n}@example.org>\n"
        f"To: unpan@un.org\n"
        f"Subject: Comment {n} — é\n"
        f"Message-ID: {message_id}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"Body of comment {n}.\n"
        ".leading dot stays\n"
    ).encode()


def group_members(pgid: int) -> list[int]:
    """Pids of live processes in process group `pgid`, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def test_login_over_plain_imap(server: Dovecot) -> None:
    c = server.client()
    try:
        caps = c.capabilities()
        for cap in (b"MOVE", b"UIDPLUS", b"IDLE", b"MULTIAPPEND", b"CONDSTORE"):
            assert cap in caps
        folders = {name for _flags, _sep, name in c.list_folders()}
        assert {"INBOX", "Archive", "Processed"} <= folders
    finally:
        c.logout()


def test_login_over_imaps_verifies_the_certificate(server: Dovecot) -> None:
    context = ssl.create_default_context(cafile=str(server.cert))
    c = IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, ssl_context=context)
    try:
        c.login(server.user, server.password)
        sock = c.socket()
        assert isinstance(sock, ssl.SSLSocket)
        assert sock.version() in {"TLSv1.2", "TLSv1.3"}
        assert b"MOVE" in c.capabilities()
    finally:
        c.logout()
    # The helper's own TLS client verifies the same way.
    c = server.client(ssl=True)
    try:
        assert isinstance(c.socket(), ssl.SSLSocket)
    finally:
        c.logout()


def test_imaps_rejects_an_unknown_certificate(server: Dovecot) -> None:
    context = ssl.create_default_context()  # system CAs only: our cert is self-signed
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, ssl_context=context)


def test_append_and_fetch_back_byte_identical_without_seen(server: Dovecot) -> None:
    folder = server.fresh_folder()
    assert folder.startswith("t-")
    originals = [message(n) for n in range(3)]
    uids = server.append(folder, originals)
    assert uids == [1, 2, 3]
    assert server.uids(folder) == uids
    c = server.client()
    try:
        c.select_folder(folder)
        fetched = c.fetch(uids, [b"BODY.PEEK[]", b"FLAGS"])
        for uid, original in zip(uids, originals, strict=True):
            body = fetched[uid][b"BODY[]"]
            assert body == crlf(original)
            assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
            assert b"\\Seen" not in fetched[uid][b"FLAGS"]
    finally:
        c.logout()
    assert server.flags(folder) == {uid: () for uid in uids}


def test_append_in_batches_keeps_order(server: Dovecot) -> None:
    folder = server.fresh_folder("batch")
    count = dovecot_module.APPEND_BATCH * 2 + 7
    ids = [f"<b{n}.{uuid.uuid4().hex}@test.example>" for n in range(count)]
    uids = server.append(folder, (message(n, ids[n]) for n in range(count)))
    assert uids == list(range(1, count + 1))
    c = server.client()
    try:
        c.select_folder(folder, readonly=True)
        for uid in (1, dovecot_module.APPEND_BATCH + 1, count):
            found = c.search(["HEADER", "Message-ID", ids[uid - 1]])
            assert found == [uid]
    finally:
        c.logout()


def test_internaldate_is_the_one_given(server: Dovecot) -> None:
    folder = server.fresh_folder()
    when = datetime(2010, 11, 15, 23, 59, 58, tzinfo=NEW_YORK)
    uids = server.append(folder, [message(1), message(2)], internaldate=when)
    c = server.client()
    try:
        c.normalise_times = False  # keep the server's offset: an aware datetime
        c.select_folder(folder, readonly=True)
        fetched = c.fetch(uids, [b"INTERNALDATE"])
        for uid in uids:
            got = fetched[uid][b"INTERNALDATE"]
            assert got.tzinfo is not None
            assert got == when  # same instant (the offset may be the server's)
    finally:
        c.logout()


def test_flags_helper_reports_flags_by_uid(server: Dovecot) -> None:
    folder = server.fresh_folder()
    assert server.flags(folder) == {}
    assert server.uids(folder) == []
    uids = server.append(folder, [message(1), message(2)])
    c = server.client()
    try:
        c.select_folder(folder)
        c.add_flags([uids[1]], [b"\\Seen", b"$Processed"])
    finally:
        c.logout()
    flags = server.flags(folder)
    assert flags[uids[0]] == ()
    assert set(flags[uids[1]]) == {b"\\Seen", b"$Processed"}


def test_lmtp_delivery_lands_in_inbox(server: Dovecot) -> None:
    message_id = f"<lmtp.{uuid.uuid4().hex}@test.example>"
    original = message(7, message_id)
    server.deliver_lmtp(original, rcpt="test@secretariat.example")
    c = server.client()
    try:
        c.select_folder("INBOX", readonly=True)
        found = c.search(["HEADER", "Message-ID", message_id])
        assert len(found) == 1
        fetched = c.fetch(found, [b"BODY.PEEK[]", b"FLAGS"])[found[0]]
        body = fetched[b"BODY[]"]
        # LMTP adds Return-Path/Delivered-To/Received above the original message.
        assert body.endswith(crlf(original))
        assert b"\\Seen" not in fetched[b"FLAGS"]
    finally:
        c.logout()


def test_recreate_folder_changes_uidvalidity(server: Dovecot) -> None:
    folder = server.fresh_folder()
    assert server.append(folder, [message(1), message(2)]) == [1, 2]
    before = server.uidvalidity(folder)
    server.recreate_folder(folder)
    after = server.uidvalidity(folder)
    assert after != before
    assert server.uids(folder) == []
    assert server.append(folder, [message(3)]) == [1]


def test_create_folder_returns_its_name(server: Dovecot) -> None:
    name = f"Named-{uuid.uuid4().hex[:8]}"
    assert server.create_folder(name) == name
    c = server.client()
    try:
        assert c.folder_exists(name)
    finally:
        c.logout()


def test_stop_leaves_no_process_and_no_directory() -> None:
    dc = start_dovecot()
    pid = dc.process.pid
    assert os.getpgid(pid) == pid  # its own session and process group
    c = dc.client()
    c.select_folder("INBOX")
    assert len(group_members(pid)) > 1  # master plus its children
    dc.stop()
    assert dc.process.returncode is not None
    assert not Path(f"/proc/{pid}").exists()
    assert group_members(pid) == []
    assert not dc.root.exists()
    with pytest.raises(Exception):  # noqa: B017 - the session died with the server
        c.noop()
    dc.stop()  # a second stop is harmless


def test_missing_dovecot_fails_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(dovecot_module, "SBIN_DIRS", ())
    with pytest.raises(RuntimeError, match="dovecot not found: install Debian's dovecot-imapd"):
        start_dovecot()


def test_a_failed_start_reports_the_log(tmp_path: Path) -> None:
    base = tmp_path / ("x" * 120)  # unix socket paths beyond 108 bytes: dovecot exits
    base.mkdir()
    with pytest.raises(RuntimeError, match="File name too long") as raised:
        start_dovecot(base)
    assert "dovecot exited with code" in str(raised.value)
    assert list(base.iterdir()) == []  # the temp dir was removed
