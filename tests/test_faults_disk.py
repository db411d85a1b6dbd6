"""Issue 9: the disk fills while the archive is written, or while the site is built.

Real processes throughout: a private Dovecot, `mailroom poll` and `mailroom run` as
subprocesses, and a small tmpfs for the archive or the site that the test fills and then
grows. After each fault: every message stored exactly once, none set aside, the public
site whole (the old build or the new one), recovery without help once there is space, and
`status` saying what is wrong while it lasts. Recovery times are printed (run with -s).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import string
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli import mailroom, write_config
from tests.dovecot import Dovecot
from tests.faults import (
    fill,
    listed,
    resize,
    served,
    status_of,
    tmpfs,
    until,
    walk_site,
)
from tests.messages import comment

pytestmark = [pytest.mark.imap, pytest.mark.slow]

ON_TIME = datetime(2010, 11, 10, 15, 0, tzinfo=UTC)  # the deadline is 2010-11-15
LATE = datetime(2010, 11, 20, 15, 0, tzinfo=UTC)
AFTER_POSTING = "2010-12-02T10:00:00"


def imap_entry(dovecot: Dovecot, folder: str, batch_size: int = 5) -> str:
    return (
        f'[[mailbox]]\nname = "unpan"\n'
        f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{folder}"\n'
        f'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = {batch_size}\n'
    )


def imap_env(dovecot: Dovecot) -> dict[str, str]:
    return {"MAILROOM_TEST_IMAP_PASSWORD": dovecot.password}


def words(seed: int, size: int) -> str:
    """Text that reads as words and compresses no better than prose."""
    pick = random.Random(seed)
    out: list[str] = []
    length = 0
    while length < size:
        word = "".join(pick.choices(string.ascii_lowercase, k=pick.randint(2, 9)))
        out.append(word)
        length += len(word) + 1
    return " ".join(out)


def with_notes(number: int, size: int = 24_000) -> bytes:
    """A comment with a text attachment: its bytes are stored twice (the message, the file)."""
    notes = words(number, size).encode()
    return comment(number, attachments=[(f"notes-{number}.txt", "text/plain", notes)])


def blobs(archive: Path) -> list[Path]:
    return [p for p in (archive / "sha256").rglob("*") if p.is_file()]


def assert_archive_sound(archive: Path, recorded: list[dict[str, object]]) -> None:
    """Every blob hashes to its name (no half blob kept), every recorded message has its bytes,
    and no temp file is left to fill the disk."""
    for blob in blobs(archive):
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, f"torn blob {blob}"
    for item in recorded:
        sha = str(item["message_sha256"])
        assert (archive / "sha256" / sha[:2] / sha[2:4] / sha).is_file(), item["reference"]
    leftovers = list((archive / "tmp").iterdir()) if (archive / "tmp").is_dir() else []
    assert leftovers == [], f"temp files left in the archive: {leftovers}"


def test_a_full_archive_disk_stops_the_poll_and_the_next_poll_stores_the_rest_once(
    dovecot: Dovecot, database: str, tmp_path: Path
) -> None:
    folder = dovecot.fresh_folder()
    total = 60
    messages = [with_notes(n) if n % 2 else comment(n, body=words(n, 8000)) for n in range(total)]
    dovecot.append(folder, messages[:40], internaldate=ON_TIME)
    dovecot.append(folder, messages[40:], internaldate=LATE)
    config = write_config(tmp_path, database=database, mailboxes=imap_entry(dovecot, folder))
    env = imap_env(dovecot)
    with tmpfs(tmp_path / "archive", "1m") as archive:
        first = mailroom("poll", "--config", str(config), env=env)
        assert first.returncode != 0, first.stdout
        assert f"the archive's disk is full: {archive}" in first.stderr, first.stderr
        stored = listed(config)
        assert 0 < len(stored) < total, "the disk did not fill in the middle of the poll"
        assert not [s for s in stored if s["status"] == "failed"], "a message was set aside"
        assert_archive_sound(archive, stored)

        text, report = status_of(config)
        assert f"the archive's disk is full: {archive}" in text
        [box] = report["mailboxes"]
        assert f"the archive's disk is full: {archive}" in box["last_error"]

        again = mailroom("poll", "--config", str(config), env=env)  # still full: still waits
        assert again.returncode != 0
        during = listed(config)
        assert not [s for s in during if s["status"] == "failed"]
        assert_archive_sound(archive, during)
        site = publish_and_walk(config)  # what is recorded meanwhile is published, whole
        assert count_pages(site) == len([s for s in during if s["status"] == "parsed"])

        resize(archive, "32m")
        freed = time.monotonic()
        last = mailroom("poll", "--config", str(config), env=env)
        recovery = time.monotonic() - freed
        assert last.returncode == 0, last.stderr
        print(
            f"\narchive disk full: stored {len(stored)} of {total} before the disk filled; "
            f"the first poll after space was freed stored the rest in {recovery:.2f} s"
        )

        after = listed(config)
        assert len(after) == total
        assert len({s["message_sha256"] for s in after}) == total, "a message stored twice"
        assert [s["reference"] for s in after] == [f"DESA-10-3078/{n:04d}" for n in range(1, 61)]
        assert {s["status"] for s in after} == {"parsed"}, "a message was not parsed"
        assert {s["subject"] for s in after} == {f"Comment number {n}" for n in range(total)}
        for item in after:
            number = int(str(item["subject"]).rsplit(" ", 1)[1])
            assert item["attachment_count"] == (1 if number % 2 else 0), item["reference"]
            assert item["on_time"] == (number < 40), item["reference"]
        assert_archive_sound(archive, after)
        text, report = status_of(config)
        assert report["mailboxes"][0]["last_error"] is None
        assert "last error" not in text
        assert count_pages(publish_and_walk(config)) == total


def count_pages(site: Path) -> int:
    return len(list(site.glob("en/submissions/*/index.html")))


def publish_and_walk(config: Path) -> Path:
    """Publish, then follow every local link of the served site from its home page."""
    done = mailroom("publish", "--config", str(config), "--now", AFTER_POSTING)
    assert done.returncode == 0, done.stderr
    site = config.parent / "site"
    with served(site) as base:
        walk = walk_site(base)
    assert walk.broken == [], walk.broken
    assert len(walk.pages) > count_pages(site)
    return site


def test_a_message_whose_file_finds_the_disk_full_waits_and_is_not_set_aside(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """Regression: the worker that stores a message's files took a full disk for the
    message's fault and set it aside as failed; now it waits for the next poll."""
    folder = dovecot.fresh_folder()
    big = os.urandom(1_000_000)  # ~1.37 MB as base64 in the message, 1 MB again as a file
    dovecot.append(folder, [comment(1, attachments=[("annex.pdf", "application/pdf", big)])])
    config = write_config(tmp_path, mailboxes=imap_entry(dovecot, folder))
    env = imap_env(dovecot)
    with tmpfs(tmp_path / "archive", "2m") as archive:  # room for the message, not its file
        first = mailroom("poll", "--config", str(config), env=env)
        assert first.returncode != 0
        assert f"the archive's disk is full: {archive}" in first.stderr, first.stderr
        [item] = listed(config)
        assert item["status"] == "received", item  # waiting: not failed, not set aside
        assert "the archive's disk is full" in status_of(config)[0]

        resize(archive, "8m")
        last = mailroom("poll", "--config", str(config), env=env)
        assert last.returncode == 0, last.stderr
        [item] = listed(config)
        assert item["status"] == "parsed" and item["attachment_count"] == 1, item
        assert_archive_sound(archive, [item])


def test_archive_put_on_a_full_disk_keeps_no_temp_file(tmp_path: Path) -> None:
    from store.archive import Archive, ArchiveUnwritable

    with tmpfs(tmp_path / "archive", "256k") as root:
        archive = Archive(root)
        archive.put(b"small")
        with pytest.raises(ArchiveUnwritable, match="the archive's disk is full"):
            archive.put(os.urandom(400_000))
        with pytest.raises(ArchiveUnwritable, match="the archive's disk is full"):
            archive.put_stream(iter([os.urandom(100_000)] * 4))
        assert list((root / "tmp").iterdir()) == []
        assert len(blobs(root)) == 1


def site_config(tmp_path: Path, dovecot: Dovecot, folder: str, database: str) -> Path:
    config = write_config(
        tmp_path, database=database, mailboxes=imap_entry(dovecot, folder), poll_minutes=0.02
    )
    text = config.read_text(encoding="utf-8").replace('output = "site"', 'output = "web/site"')
    config.write_text(text, encoding="utf-8")
    return config


def test_a_full_site_disk_keeps_the_old_site_whole_and_the_daemon_publishes_once_freed(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """The daemon keeps the old site while the disk is full, and says so; the database plays
    no part here, so SQLite only."""
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(n) for n in range(1, 4)], internaldate=ON_TIME)
    dovecot.append(folder, [comment(4)], internaldate=LATE)
    config = site_config(tmp_path, dovecot, folder, "sqlite:///mailroom.db")
    env = imap_env(dovecot)
    with tmpfs(tmp_path / "web", "24m") as web:
        site = web / "site"
        assert mailroom("poll", "--config", str(config), env=env).returncode == 0
        first = mailroom("publish", "--config", str(config), "--now", AFTER_POSTING)
        assert first.returncode == 0, first.stderr
        old_target = site.readlink()
        with served(site) as base:
            before = walk_site(base)
        assert before.broken == [], before.broken
        assert "/en/submissions/DESA-10-3078-0004/index.html" in before.pages

        filler = fill(web, leave=48 * 1024)  # a few pages' room: no build fits
        dovecot.append(
            folder, [comment(n, body=words(n, 3000)) for n in range(5, 25)], internaldate=ON_TIME
        )
        daemon = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mailroom",
                "run",
                "--config",
                str(config),
                "--now",
                AFTER_POSTING,
            ],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert until(lambda: len(listed(config)) == 24, 120), "the daemon did not poll"

            def says_full() -> bool:
                text, report = status_of(config, "--now", AFTER_POSTING)
                return f"the site's disk is full: {web}" in text and bool(
                    report["site"]["last_error"]
                )

            assert until(says_full, 120), status_of(config, "--now", AFTER_POSTING)[0]
            assert site.readlink() == old_target, "the public site changed"
            with served(site) as base:
                during = walk_site(base)
            assert during.broken == [], during.broken
            assert during.pages == before.pages, "the old site is not whole"
            assert [s for s in listed(config) if s["status"] == "failed"] == []

            filler.unlink()
            freed = time.monotonic()
            assert until(lambda: site.readlink() != old_target, 180), "not published"
            recovery = time.monotonic() - freed
            print(
                f"\nsite disk full: the daemon published the new site {recovery:.2f} s "
                "after space was freed"
            )
            with served(site) as base:
                after = walk_site(base)
            assert after.broken == [], after.broken
            assert len(after.pages) > len(before.pages)
            assert "/en/submissions/DESA-10-3078-0024/index.html" in after.pages
            text, report = status_of(config, "--now", AFTER_POSTING)
            assert report["site"]["last_error"] is None
            assert "the site's disk is full" not in text.split("Problems recorded")[0]
        finally:
            daemon.send_signal(signal.SIGTERM)
            output, _ = daemon.communicate(timeout=60)
        assert daemon.returncode == 0, output[-3000:]


def test_a_publish_that_runs_out_of_space_says_so_and_leaves_the_site_as_it_was(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """Regression: `mailroom publish` ended in a traceback on a full disk; now it names the
    folder, keeps the old site, and leaves no half build to take the space."""
    folder = dovecot.fresh_folder()
    dovecot.append(folder, [comment(1), comment(2)], internaldate=ON_TIME)
    config = site_config(tmp_path, dovecot, folder, "sqlite:///mailroom.db")
    env = imap_env(dovecot)
    with tmpfs(tmp_path / "web", "16m") as web:
        assert mailroom("poll", "--config", str(config), env=env).returncode == 0
        assert mailroom("publish", "--config", str(config), "--now", AFTER_POSTING).returncode == 0
        old = (web / "site").readlink()
        builds = sorted(p.name for p in (web / ".site.builds").iterdir())
        filler = fill(web, leave=16 * 1024)
        failed = mailroom("publish", "--config", str(config), "--now", AFTER_POSTING)
        assert failed.returncode != 0
        assert f"the site's disk is full: {web}" in failed.stderr, failed.stderr
        assert "Traceback" not in failed.stderr
        assert (web / "site").readlink() == old
        assert sorted(p.name for p in (web / ".site.builds").iterdir()) == builds
        filler.unlink()
        again = mailroom("publish", "--config", str(config), "--now", AFTER_POSTING)
        assert again.returncode == 0, again.stderr
        assert (web / "site").readlink() != old
