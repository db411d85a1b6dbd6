"""The one place that reads the clock. `--now` or MAILROOM_NOW moves it, for tests and rehearsals.

A moved clock keeps ticking from the moment it was set, so a rehearsing daemon
still sees time pass. `StepWatch` notices the system clock being set back (by NTP or
an operator), which APScheduler 3, planning by the wall clock, would otherwise take
for a long wait before the next poll.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class BadTime(ValueError):
    """--now is not an ISO 8601 time."""


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self._start = start
        self._started = time.monotonic()

    @property
    def moved(self) -> bool:
        return self._start is not None

    def __call__(self) -> datetime:
        if self._start is None:
            return datetime.now(UTC)
        return self._start + timedelta(seconds=time.monotonic() - self._started)


class StepWatch:
    """How far the wall clock was set back since the last look, measured against the
    monotonic clock (which no one sets)."""

    def __init__(self, tolerance: float = 5.0) -> None:
        self.tolerance = tolerance  # NTP slews by far less; a step is a step
        self._offset = time.time() - time.monotonic()

    def stepped_back(self) -> timedelta | None:
        offset = time.time() - time.monotonic()
        back, self._offset = self._offset - offset, offset
        return timedelta(seconds=round(back)) if back > self.tolerance else None


def clock_from(value: str | None, zone: ZoneInfo) -> Clock:
    """`2010-12-01T09:00`, `2010-12-01T14:00Z` or `2010-12-01`; a time without zone is local."""
    if not value:
        return Clock()
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadTime(
            f"--now / MAILROOM_NOW {value!r} is not an ISO 8601 time, e.g. 2010-12-01T09:00:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return Clock(moment.astimezone(UTC))
