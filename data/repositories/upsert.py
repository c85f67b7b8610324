"""`INSERT … ON CONFLICT` for the two dialects we run on (PostgreSQL in production, SQLite by default)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Any) -> Any:
    return insert_in(session.get_bind().dialect.name, table)


def insert_in(dialect: str, table: Any) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
