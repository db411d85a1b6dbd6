"""Ingest: sources yield raw messages; poll_once records them exactly once, parses them, and
applies the consultation's rules (classification, campaigns, receipts)."""

from ingest.classification import RulesReport, apply_rules
from ingest.errors import SourceUnavailable, UnparseableMessage
from ingest.parse import ParsedMessage, parse_message
from ingest.poll import PollReport, poll_once
from ingest.rule_settings import IntakeRules
from ingest.settings import LimitSettings, MailboxSettings
from ingest.submissions import parse_pending, reparse_all

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
]
