"""The benchmark's verdict: a Markdown table of rates and ratios, and the target checks.

Intake targets (issue 10): `mailroom poll` from a Maildir into SQLite, everything on, at least
as fast as mail-parser alone in one process on the same messages (ratio 1 to the parser floor
P measured in the same run); over IMAP from Dovecot, and into PostgreSQL, at least 0.8 of that.
Peak RSS must not grow with the mailbox: RSS(4N) / RSS(N) <= 1.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run import Measured

INTAKE_TARGET = 1.0  # Maildir -> SQLite, as a ratio to the parser floor P
SECONDARY_TARGET = 0.8  # IMAP, and PostgreSQL, as a ratio to Maildir -> SQLite
RSS_RATIO_TARGET = 1.3


@dataclass
class Row:
    """A Mailroom stage against its baseline (None: the line is a baseline itself)."""

    label: str
    measured: Measured
    baseline: Measured | None
    unit: str
    target: float | None = None  # the ratio this row must reach, when it has a target

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.rate == 0:
            return None
        return self.measured.rate / self.baseline.rate

    @property
    def cpu_ratio(self) -> float | None:
        if self.baseline is None or self.baseline.cpu_rate == 0:
            return None
        return self.measured.cpu_rate / self.baseline.cpu_rate

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.label,
            "rate": round(self.measured.rate, 1),
            "unit": self.unit,
            "baseline": self.baseline.label if self.baseline else None,
            "baseline_rate": round(self.baseline.rate, 1) if self.baseline else None,
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
            "target": self.target,
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
        ratio = row.ratio or 0.0
        checks.append(
            {
                "check": f"{row.label}: ratio >= {row.target:g}",
                "value": round(ratio, 3),
                "pass": ratio >= row.target,
            }
        )
    for name, (small, large) in memory.items():
        ratio = large.peak_rss_mb / small.peak_rss_mb
        checks.append(
            {
                "check": f"{name} peak RSS(4N) / RSS(N) <= {RSS_RATIO_TARGET}",
                "value": round(ratio, 3),
                "pass": ratio <= RSS_RATIO_TARGET,
            }
        )
    return checks


def _rate(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def _target(value: float | None) -> str:
    return f">= {value:g}" if value is not None else ""


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
                f"| {row.label} | {_rate(row.measured.rate, row.unit)} "
                f"| {row.baseline.label.split(' ')[0]}: {_rate(row.baseline.rate, row.unit)} "
                f"| {_ratio(row.ratio)} | {_target(row.target)} | {_ratio(row.cpu_ratio)} "
                f"| {row.measured.peak_rss_mb:.0f} MB |"
            )
    lines += ["", "| peak RSS | N | 4N | 4N / N |", "| --- | ---: | ---: | ---: |"]
    for name, values in report["memory"].items():
        lines.append(
            f"| {name} | {values['N']:.0f} MB | {values['4N']:.0f} MB | {values['ratio']:.2f} |"
        )
    for stage in report["stages"]:
        if stage["result"].get("failed"):
            lines.append(
                f"\nNote: {stage['label']}: {stage['result']['failed']} message(s) failed to parse."
            )
    lines += ["", "Targets:", ""]
    for check in report["checks"]:
        verdict = "PASS" if check["pass"] else "FAIL"
        lines.append(f"- {verdict} {check['check']}: {check['value']:,}")
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
