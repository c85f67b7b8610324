"""A fresh PostgreSQL database per test session, migrated to head; tables emptied before each test.

The server is mandatory: when it cannot be reached the tests that need it fail, never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from data.database import create_engine, create_session_factory, upgrade_database
from data.models import Base

ADMIN_DSN = os.environ.get("TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def dsn_for(database: str) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + f"/{database}"


async def create_database(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN, timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN, timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A migrated database of this test session, as a plain `postgresql://` URL (the way operators write it)."""
    import asyncio

    name = f"ttbot_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_database(name))
    url = dsn_for(name)

    async def migrate() -> None:
        engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        await upgrade_database(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(drop_database(name))


async def truncate_all(engine: AsyncEngine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db_url(pg_database_url: str) -> AsyncIterator[str]:
    """The session's database, emptied for this test."""
    engine = create_engine(pg_database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    await truncate_all(engine)
    await engine.dispose()
    yield pg_database_url


@pytest.fixture
async def db_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    yield engine
    await engine.dispose()


@pytest.fixture
def db_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(db_engine)
