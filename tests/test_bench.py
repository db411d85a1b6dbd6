"""The benchmark keeps working: a tiny run end to end, its anchors and ratios in the report.

Nothing here times anything: speed is measured by `python -m bench.run`, not by tests. The run
checks that every line the issue asks for is there and did the whole job.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.run import Measured, archive_baseline, main
from bench.stages import MHONARC_MISSING

CHANGES_ROW = "Mailroom publish after 10 changes (time vs full publish)"
MHONARC_ROW = "Mailroom publish, full (vs MHonArc)"


@pytest.mark.slow
def test_a_tiny_run_reports_every_line_and_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["--messages", "40", "--skip", "postgresql,imap", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    rows = {row["stage"]: row for row in report["rows"]}
    stages = {stage["label"]: stage for stage in report["stages"]}

    changes = rows[CHANGES_ROW]
    assert changes["target"] == 0.02 and changes["target_is"] == "max"
    after = stages["publish after 10 changes 4N"]["result"]
    assert len(set(after["changed"])) == 10
    assert after["submissions"] < stages["publish 4N"]["result"]["submissions"]  # 5 hidden
    assert f"| {CHANGES_ROW} |" in printed and "<= 0.02" in printed

    if shutil.which("mhonarc"):
        assert stages["M MHonArc"]["result"]["items"] == 40  # a page for every message
        assert rows[MHONARC_ROW]["target"] == 10 and rows[MHONARC_ROW]["target_is"] == "min"
        assert rows[MHONARC_ROW]["items"] == 40  # counted in messages, not pages
        assert f"| {MHONARC_ROW} |" in printed
    else:
        assert MHONARC_MISSING in printed

    checks = {check["check"] for check in report["checks"]}
    assert "publish peak RSS at 40 / at 10 <= 1.3" in checks
    assert f"{CHANGES_ROW}: ratio <= 0.02" in checks
    assert not (out / "work").exists()  # stores, sites and MHonArc's archive are removed


def test_without_mhonarc_the_run_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no mhonarc is found

    def never(*args: Any) -> Measured:
        raise AssertionError("MHonArc cannot run where it is not installed")

    notes: list[str] = []
    assert archive_baseline(set(), notes, never, tmp_path, 40) is None
    assert notes and notes[0].startswith("MHonArc not installed: apt-get install mhonarc")
