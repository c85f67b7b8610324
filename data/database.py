"""Async engine, session factory and start-up migrations. Importing this module connects to nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions (a test holds it to alembic's own head). A database already
# there starts with one query, without loading alembic (~8 MB and ~0.5 s of imports).
HEAD_REVISION = "0003"
PING_AFTER_IDLE = 1.0  # seconds
_CHECKED_IN_AT = "tt_bot_checked_in_at"


def create_engine(db_url: str, *, pool_size: int = 10) -> AsyncEngine:
    if db_url.startswith("sqlite"):
        engine = create_async_engine(db_url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    # The overflow absorbs bursts without exhausting the pool.
    engine = create_async_engine(
        db_url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=30,
        pool_recycle=1800,
    )
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Survive a database restart like `pool_pre_ping`, without its round trip on every checkout: only a
    connection idle for PING_AFTER_IDLE seconds is pinged. A busy connection that the restart broke fails
    one statement, and SQLAlchemy then drops every connection of the pool opened before it."""

    @event.listens_for(engine.sync_engine, "checkin")
    def remember_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the database did not answer a ping")


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None, db_url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if db_url:
        config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on the engine's database (run at start-up)."""
    if revision in ("head", HEAD_REVISION) and await applied_revisions(engine) == [HEAD_REVISION]:
        return
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def applied_revisions(engine: AsyncEngine) -> list[str]:
    """The revisions alembic recorded as applied; none when it has not run on this database yet."""
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    except exc.ProgrammingError:  # PostgreSQL: no such table
        return []
    except exc.OperationalError as error:  # SQLite says "no such table" this way; anything else is real
        if "no such table" in str(error):
            return []
        raise


async def downgrade_database(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
