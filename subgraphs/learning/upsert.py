"""INSERT ... ON CONFLICT for the two SQL dialects this subgraph runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _insert(session: AsyncSession, model: type[Any]) -> Any:
    dialect = dialect_of(session)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignoring_conflicts(
    session: AsyncSession, model: type[Any], values: dict[str, Any]
) -> Insert:
    """Inserts `values` unless a row with the same key already exists."""
    return _insert(session, model).values(**values).on_conflict_do_nothing()


def insert_or_update(
    session: AsyncSession, model: type[Any], values: dict[str, Any], key: list[str]
) -> Insert:
    """Inserts `values`, or updates the row with the same `key` columns to them."""
    statement = _insert(session, model).values(**values)
    changes = {name: value for name, value in values.items() if name not in key}
    return statement.on_conflict_do_update(index_elements=key, set_=changes)
