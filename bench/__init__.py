"""Mailroom's benchmark: a generated mailbox, then each stage timed against a plain baseline."""
