"""Numbered schema changes, run on SQLite and PostgreSQL by `store.db.migrate`."""
