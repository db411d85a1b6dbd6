"""The few exceptions ingest raises; `poll_once` and the command line catch them."""


class SourceUnavailable(Exception):
    """A mailbox cannot be read now: unreachable, refused login, missing folder or password."""


class UnparseableMessage(Exception):
    """Raw bytes that no parser could turn into a submission; the bytes are kept."""


class SmtpUnavailable(Exception):
    """The SMTP server for receipts cannot be reached or refuses us; receipts wait and retry."""
