"""Engines and sessions from a database URL, and the schema brought up to date.

SQLite is the embedded default; PostgreSQL serves several daemons or millions of
comments. Everything above this module sees only SQLAlchemy sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

from store.archive import Archive
from store.settings import StoreSettings

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_SECONDS = 10  # PostgreSQL: how long to wait for a connection (a URL may say otherwise)


class DatabaseUnavailable(Exception):
    """The database URL is wrong, or the server cannot be reached."""


def open_engine(url: str) -> Engine:
    """An engine for `url`; `postgresql://` uses psycopg 3, SQLite gets WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"store.url {url!r} is not a database URL: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(
            f"store.url {parsed.render_as_string(hide_password=True)!r}: Mailroom stores in "
            "SQLite or PostgreSQL: use sqlite:///path or postgresql://user@host/database"
        ) from ArgumentError(f"no support for {parsed.get_backend_name()}")
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
        if "connect_timeout" not in parsed.query:  # a network call: never wait for ever
            kwargs["connect_args"] = {"connect_timeout": CONNECT_SECONDS}
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: this is what
    # makes SAVEPOINT and transactional DDL work (SQLAlchemy's pysqlite documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A writer takes the write lock when it begins, waiting its turn (busy_timeout), instead
    # of failing at once when a read transaction tries to upgrade over another's commit.
    mode = "IMMEDIATE" if connection.get_execution_options().get("writer") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest numbered migration; safe with several daemons starting."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.execution_options(writer=True).begin() as connection:
            if connection.dialect.name == "postgresql":
                schema = connection.execute(text("SELECT current_schema()")).scalar()
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(7210301, hashtext(:schema))"),
                    {"schema": str(schema)},
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DatabaseUnavailable(f"cannot reach the database {engine.url!r}: {exc.orig}") from exc


@contextmanager
def open_session(engine: Engine) -> Iterator[Session]:
    """A session that never expires objects on commit: rows stay readable after a batch."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


class Store:
    """The database and the archive together: what ingest and publish are handed."""

    def __init__(self, engine: Engine, archive: Archive) -> None:
        self.engine = engine
        self.archive = archive
        self._writer = engine.execution_options(writer=True)

    def session(self) -> Session:
        """A session that writes: on SQLite each transaction holds the write lock from its start."""
        return Session(self._writer, expire_on_commit=False)

    def reader(self) -> Session:
        """A session that only reads: it never waits for, or holds up, a writer."""
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: StoreSettings, *, upgrade: bool = True) -> Store:
    """Connect, bring the schema up to date, and open the archive folder."""
    engine = open_engine(settings.url)
    if upgrade:
        migrate(engine)
    return Store(engine, Archive(settings.archive))
