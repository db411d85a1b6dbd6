"""The service recipes: the systemd unit is valid, and `mailroom run` works as the unit and the
container run it, with the whole file system read-only but the data directory."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from store import StoreSettings, open_store
from store.queries import count_submissions
from tests.cli import write_config
from tests.conftest import maildir
from tests.messages import comment

ROOT = Path(__file__).resolve().parents[1]


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_systemd_unit_is_valid(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian's systemd package; scripts/test installs it)"
    unit = (ROOT / "deploy" / "mailroom.service").read_text()
    assert "ExecStart=/opt/mailroom/bin/mailroom run" in unit
    here = tmp_path / "mailroom.service"  # verify wants the command to exist: point it at ours
    here.write_text(
        unit.replace("/opt/mailroom/bin/mailroom", str(Path(sys.executable).parent / "mailroom"))
    )
    result = subprocess.run(
        [analyze, "verify", str(here)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.slow
def test_the_daemon_runs_with_a_read_only_root_and_only_its_data_writable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    maildir(data / "Maildir", [comment(1), comment(2)])
    (data / "tmp").mkdir()
    config = write_config(
        data,
        mailboxes='[[mailbox]]\nname = "box"\nurl = "maildir:Maildir"\n',
        poll_minutes=0.05,
    )
    # A private mount namespace: the data directory stays writable, then / turns read-only.
    script = (
        f"mount --bind {shlex.quote(str(data))} {shlex.quote(str(data))} && "
        "mount -o remount,bind,ro / && "
        f"exec {shlex.quote(sys.executable)} -m mailroom run --config {shlex.quote(str(config))}"
        " --now 2010-12-01T10:00:00"
    )
    env = {**os.environ, "TMPDIR": str(data / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
    daemon = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip

    def published() -> bool:
        return (data / "site" / "index.html").exists()

    try:
        assert until(published, 90), "no site published"
        store = open_store(StoreSettings(url=f"sqlite:///{data / 'mailroom.db'}", archive=data))
        with store.reader() as session:
            assert count_submissions(session) == 2
        store.close()
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, stderr
    assert "Read-only file system" not in stderr and "Traceback" not in stderr, stderr
    assert "mailroom: stopped" in stderr
