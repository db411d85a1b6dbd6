"""Ingest: sources yield raw messages; poll_once records them exactly once and parses them."""

from ingest.errors import SourceUnavailable, UnparseableMessage
from ingest.parse import ParsedMessage, parse_message
from ingest.poll import PollReport, poll_once
from ingest.settings import MailboxSettings
from ingest.submissions import parse_pending, reparse_all

__all__ = [
    "MailboxSettings",
    "ParsedMessage",
    "PollReport",
    "SourceUnavailable",
    "UnparseableMessage",
    "parse_message",
    "parse_pending",
    "poll_once",
    "reparse_all",
]
