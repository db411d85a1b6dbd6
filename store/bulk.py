"""Statements run once per page with many rows: plain executemany on the table, without the
ORM's bookkeeping for each row (at intake's rate that bookkeeping cost more than SQLite)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """One INSERT for all the rows (each with the same keys)."""
    if rows:
        session.execute(insert(table_of(model)), list(rows))


def update_rows(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """One UPDATE ... WHERE id = ? run for every row; each row has `id` and the same keys."""
    if not rows:
        return
    table = table_of(model)
    columns = [key for key in rows[0] if key != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"row_{name}") for name in columns})
    )
    session.execute(
        statement, [{f"row_{key}": value for key, value in row.items()} for row in rows]
    )
