"""Test-only, for a daemon run under libfaketime (tests/test_faults_clock.py puts this folder on
PYTHONPATH): with FAKETIME_DONT_FAKE_MONOTONIC, Python 3.11's time.sleep (clock_nanosleep on the
monotonic clock, TIMER_ABSTIME) fails with EINVAL (libfaketime issue 426). Sleeping on an Event
waits on the same monotonic clock, which libfaketime leaves alone."""

import threading
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    threading.Event().wait(seconds)


time.sleep = _sleep
