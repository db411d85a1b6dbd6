"""Ingest: sources yield raw messages; poll_once records them exactly once, parses them, and
applies the consultation's rules (classification, campaigns, receipts).

The front door is loaded lazily (PEP 562): an extraction worker importing one reader module
must not pay for the whole package (the rules alone take half a second to import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.classification import RulesReport, apply_rules
    from ingest.errors import SourceUnavailable, UnparseableMessage
    from ingest.parse import ParsedMessage, parse_message
    from ingest.poll import PollReport, poll_once
    from ingest.rule_settings import IntakeRules
    from ingest.settings import LimitSettings, MailboxSettings
    from ingest.submissions import parse_pending, reparse_all, reparse_failed

_FRONT_DOOR = {
    "RulesReport": "ingest.classification",
    "apply_rules": "ingest.classification",
    "SourceUnavailable": "ingest.errors",
    "UnparseableMessage": "ingest.errors",
    "ParsedMessage": "ingest.parse",
    "parse_message": "ingest.parse",
    "PollReport": "ingest.poll",
    "poll_once": "ingest.poll",
    "IntakeRules": "ingest.rule_settings",
    "LimitSettings": "ingest.settings",
    "MailboxSettings": "ingest.settings",
    "parse_pending": "ingest.submissions",
    "reparse_all": "ingest.submissions",
    "reparse_failed": "ingest.submissions",
}

__all__ = [
    "IntakeRules",
    "LimitSettings",
    "MailboxSettings",
    "ParsedMessage",
    "PollReport",
    "RulesReport",
    "SourceUnavailable",
    "UnparseableMessage",
    "apply_rules",
    "parse_message",
    "parse_pending",
    "poll_once",
    "reparse_all",
    "reparse_failed",
]


def __getattr__(name: str) -> Any:
    if name not in _FRONT_DOOR:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(_FRONT_DOOR[name]), name)
