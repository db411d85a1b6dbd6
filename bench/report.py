"""The benchmark's verdict: a Markdown table of rates and ratios, and the target checks.

Intake targets (issue 10): `mailroom poll` from a Maildir into SQLite, everything on, at least
as fast as mail-parser alone in one process on the same messages (ratio 1 to the parser floor
P measured in the same run); over IMAP from Dovecot, and into PostgreSQL, at least 0.8 of that.
Peak RSS must not grow with the mailbox: RSS(4N) / RSS(N) <= 1.3.

Publishing targets (issue 10, items 2 and 3): a full publish at least ten times MHonArc's speed
in messages per second (MHonArc building its archive from an mbox of the same messages, in the
same run); a publish after 10 changes at most 0.02 of a full publish's time; peak RSS at
100,000 messages at most 1.2 times that at 10,000 (when a run has both: --messages 100000
--small 10000).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bench.run import Measured

INTAKE_TARGET = 1.0  # Maildir -> SQLite, as a ratio to the parser floor P
SECONDARY_TARGET = 0.8  # IMAP, and PostgreSQL, as a ratio to Maildir -> SQLite
RSS_RATIO_TARGET = 1.3
PUBLISH_TARGET = 10.0  # full publish, msg/s, as a ratio to MHonArc's msg/s
CHANGES_TARGET = 0.02  # a publish after 10 changes, its time as a ratio to a full publish's
RSS_TARGETS = {(10_000, 100_000): 1.2}  # (small, large) -> the ceiling for that pair


def rss_target(small: int, large: int) -> float:
    """The ceiling on RSS(large) / RSS(small): the issue's at 10,000 and 100,000, else 1.3."""
    return RSS_TARGETS.get((small, large), RSS_RATIO_TARGET)


@dataclass
class Row:
    """A Mailroom stage against its baseline (None: the line is a baseline itself)."""

    label: str
    measured: Measured
    baseline: Measured | None
    unit: str
    target: float | None = None  # the ratio this row must reach, when it has a target
    # "rate": the ratio is this row's rate / the baseline's, and must be at least the target;
    # "time": this row's seconds / the baseline's, and must be at most the target.
    compare: Literal["rate", "time"] = "rate"

    @property
    def ratio(self) -> float | None:
        return self._ratio("seconds", lambda m: m.rate)

    @property
    def cpu_ratio(self) -> float | None:
        return self._ratio("cpu_seconds", lambda m: m.cpu_rate)

    def _ratio(self, key: str, rate: Callable[[Measured], float]) -> float | None:
        if self.baseline is None:
            return None
        if self.compare == "time":
            seconds = float(self.baseline.result[key])
            return float(self.measured.result[key]) / seconds if seconds > 0 else None
        baseline = rate(self.baseline)
        return rate(self.measured) / baseline if baseline else None

    def meets(self, ratio: float) -> bool:
        assert self.target is not None
        return ratio <= self.target if self.compare == "time" else ratio >= self.target

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'<=' if self.compare == 'time' else '>='} {self.target:g}"

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.label,
            "rate": round(self.measured.rate, 1),
            "unit": self.unit,
            "baseline": self.baseline.label if self.baseline else None,
            "baseline_rate": round(self.baseline.rate, 1) if self.baseline else None,
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
            "target": self.target,
            "target_is": None
            if self.target is None
            else ("max" if self.compare == "time" else "min"),
            "cpu_rate": round(self.measured.cpu_rate, 1),
            "cpu_ratio": round(self.cpu_ratio, 3) if self.cpu_ratio is not None else None,
            "peak_rss_mb": round(self.measured.peak_rss_mb, 1),
            "baseline_peak_rss_mb": round(self.baseline.peak_rss_mb, 1) if self.baseline else None,
            "seconds": round(float(self.measured.result["seconds"]), 2),
            "items": self.measured.result["items"],
        }


def target_checks(
    rows: list[Row], memory: dict[str, tuple[Measured, Measured]]
) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for row in rows:
        if row.target is None:
            continue
        ratio = row.ratio
        checks.append(
            {
                "check": f"{row.label}: ratio {row.target_text}",
                "value": round(ratio, 3) if ratio is not None else None,
                "pass": ratio is not None and row.meets(ratio),
            }
        )
    for name, (small, large) in memory.items():
        ratio = large.peak_rss_mb / small.peak_rss_mb
        target = rss_target(small.messages, large.messages)
        checks.append(
            {
                "check": f"{name} peak RSS at {large.messages:,} / at {small.messages:,} "
                f"<= {target:g}",
                "value": round(ratio, 3),
                "pass": ratio <= target,
            }
        )
    return checks


def _rate(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}"


def _shown(row: Row, measured: Measured) -> str:
    """A rate, or for a row compared by time the seconds it took."""
    if row.compare == "time":
        return f"{float(measured.result['seconds']):,.1f} s"
    return _rate(measured.rate, row.unit)


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def render_report(report: dict[str, Any], rows: list[Row], small: int, large: int) -> str:
    lines = [
        f"## Mailroom benchmark: {large:,} messages (N = {small:,}, 4N = {large:,})",
        "",
        "| stage | Mailroom | baseline | ratio | target | CPU ratio | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.baseline is None:
            lines.append(
                f"| {row.label} | | {_rate(row.measured.rate, row.unit)} | 1 (floor) | | "
                f"| {row.measured.peak_rss_mb:.0f} MB |"
            )
        else:
            lines.append(
                f"| {row.label} | {_shown(row, row.measured)} "
                f"| {row.baseline.label.split(' ')[0]}: {_shown(row, row.baseline)} "
                f"| {_ratio(row.ratio)} | {row.target_text} | {_ratio(row.cpu_ratio)} "
                f"| {row.measured.peak_rss_mb:.0f} MB |"
            )
    lines += [
        "",
        f"| peak RSS | {small:,} messages | {large:,} messages | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, values in report["memory"].items():
        lines.append(
            f"| {name} | {values['N']:.0f} MB | {values['4N']:.0f} MB | {values['ratio']:.2f} "
            f"| <= {rss_target(small, large):g} |"
        )
    for stage in report["stages"]:
        if stage["result"].get("failed"):
            lines.append(
                f"\nNote: {stage['label']}: {stage['result']['failed']} message(s) failed to parse."
            )
    for note in report.get("notes", []):
        lines.append(f"\nNote: {note}")
    lines += ["", "Targets:", ""]
    for check in report["checks"]:
        verdict = "PASS" if check["pass"] else "FAIL"
        value = "n/a" if check["value"] is None else f"{check['value']:,}"
        lines.append(f"- {verdict} {check['check']}: {value}")
    load = report["machine"]
    runs = ", ".join(f"{run['rate']:,.0f}" for run in report["parser_floor_runs"])
    lines += [
        "",
        f"{report['seconds']:.0f} s in all. Parser floor (P) runs, in order: {runs} msg/s. "
        f"Load average before {load['load_before'][0]:.2f}, after {load['load_after'][0]:.2f} "
        f"on {load['cpus']} CPUs.",
    ]
    if report["profiled"]:
        lines.append("Profiled run (--profile): the rates are slowed by cProfile; see OUT/logs.")
    if max(load["load_before"][0], load["load_after"][0]) > 0.5 * (load["cpus"] or 1):
        lines.append(
            "Warning: other work was running on this machine; wall-clock rates are noisy, "
            "CPU ratios less so."
        )
    return "\n".join(lines)
