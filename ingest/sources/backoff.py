"""How long to wait before connecting again: exponential backoff with full jitter.

Each failure doubles the ceiling, from `first` seconds up to `most`; the wait is drawn
uniformly below it, so daemons that lost the same server do not return in step. Eight
lines of arithmetic: a retry library would own the loop, which here also waits in IDLE.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(
        self, first: float = 1.0, most: float = 300.0, draw: Callable[[], float] = random.random
    ) -> None:
        self.first = first
        self.most = most
        self.failures = 0
        self._draw = draw

    def ceiling(self) -> float:
        return min(self.most, self.first * 2.0 ** min(self.failures, 30))

    def next_delay(self) -> float:
        """The wait before the next attempt; each call counts one more failure."""
        delay = self._draw() * self.ceiling()
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
