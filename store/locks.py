"""One poller per mailbox, across processes and machines sharing one database.

PostgreSQL: a session advisory lock on a connection held for the poll. SQLite:
an flock on a file beside the database. Both vanish with the process, so a
poller killed mid-batch never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

_NAMESPACE = 7210302


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Yield True while this process alone holds `name`, False if another holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # Two consultations may share a database in separate schemas: the lock is per schema.
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            key = zlib.crc32(f"{schema}/{name}".encode()) - 2**31
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": _NAMESPACE, "key": key}
                ).scalar()
            )
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": _NAMESPACE, "key": key}
                    )
                    connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    path = Path(f"{database}.{safe}.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serialized(session: Session, name: str) -> None:
    """Wait until no other transaction holds `name`; held until this one ends.

    PostgreSQL: a transaction advisory lock, for work that reads then replaces rows (two daemons
    computing the themes at once). SQLite needs none: a writing transaction already holds the
    database's write lock from its start.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    key = zlib.crc32(f"{schema}/{name}".encode()) - 2**31
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": _NAMESPACE, "key": key}
    )
