"""The numbered migrations build exactly the tables the models describe, on both databases,
and carry an existing database forward without losing a row."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.db import MIGRATIONS, migrate, open_engine


def test_the_migrated_schema_is_the_models_schema(database: str) -> None:
    engine = open_engine(database)
    migrate(engine)
    migrate(engine)  # a second start changes nothing
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    engine.dispose()


def test_upgrading_a_first_version_database_keeps_its_rows(database: str) -> None:
    engine = open_engine(database)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO submission (id, number, reference, channel, status, sha256, "
                "received_at, received_via, created_at, parse_attempts, subject, sender_name, "
                "sender_address, organisation, body_text) VALUES (1, 1, 'R/0001', 'email', "
                "'parsed', 'abc', '2010-11-01 10:00:00', 'internaldate', '2010-11-01 10:00:00', "
                "1, 'Hello', 'Amina', 'a@example.org', '', 'Text')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT subject, moderation, stakeholder_group, anonymous FROM submission")
        ).one()
    assert tuple(row) == ("Hello", "pending", "unclassified", False)
    engine.dispose()
