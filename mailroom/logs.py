"""Log lines for a person (text) or for a log collector (JSON lines: one object a record).

python-json-logger writes the JSON: it escapes every field, keeps tracebacks in one line's
`exc_info`, and takes extra fields a record carries, which a hand-made formatter would not.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool, log_format: str = "text") -> None:
    """Log to stderr at INFO (verbose) or WARNING, as text or as JSON lines."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format=TEXT, stream=sys.stderr
    )
    if log_format != "json":
        return
    formatter = JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
