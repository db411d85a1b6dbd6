"""Where raw messages come from: IMAP, Maildir, mbox. Each yields `RawMessage`s in batches."""

from __future__ import annotations

from ingest.settings import MailboxSettings
from ingest.sources.base import Batch, Known, RawMessage, Source
from ingest.sources.imap import ImapSource
from ingest.sources.maildir import MaildirSource
from ingest.sources.mbox import MboxSource

__all__ = ["Batch", "Known", "RawMessage", "Source", "open_source"]


def open_source(settings: MailboxSettings) -> Source:
    """Connect to (or open) the mailbox a `[[mailbox]]` entry names."""
    if settings.is_imap:
        return ImapSource(settings)
    if settings.scheme == "maildir":
        return MaildirSource(settings.name, settings.path, settings.batch_size)
    return MboxSource(settings.name, settings.path, settings.batch_size)
