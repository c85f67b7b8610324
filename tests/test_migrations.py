"""The migration stairway: every revision upgrades, downgrades and upgrades again on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from data.database import (
    HEAD_REVISION,
    alembic_config,
    applied_revisions,
    create_engine,
    downgrade_database,
    upgrade_database,
)
from data.models import Base
from tests.plugins.database import ADMIN_DSN, create_database, drop_database


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[AsyncEngine]:
    name = f"ttbot_stairway_{uuid.uuid4().hex[:8]}"
    await create_database(name)
    engine = create_engine(ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}")
    try:
        yield engine
    finally:
        await engine.dispose()
        await drop_database(name)


@pytest.fixture
async def empty_engine() -> AsyncIterator[AsyncEngine]:
    async with scratch_postgres() as engine:
        yield engine


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))


def test_revisions_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert revisions()


def test_the_head_the_bot_knows_is_the_newest_migration() -> None:
    """A new migration must move HEAD_REVISION too, or a database at the old head would not be upgraded."""
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


UPGRADE_AND_TELL = """
import asyncio, sys
from data.database import create_engine, upgrade_database

async def main() -> None:
    engine = create_engine(sys.argv[1])
    await upgrade_database(engine)
    await engine.dispose()

asyncio.run(main())
print("alembic loaded" if "alembic" in sys.modules else "alembic not loaded")
"""


def _upgrade_in_a_fresh_process(url: str) -> str:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", UPGRADE_AND_TELL, url], cwd=Path(__file__).resolve().parent.parent,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
async def test_a_database_at_the_head_starts_without_loading_alembic(dialect: str, tmp_path: Path) -> None:
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
        assert _upgrade_in_a_fresh_process(url) == "alembic loaded"
        assert _upgrade_in_a_fresh_process(url) == "alembic not loaded"
        return
    async with scratch_postgres() as engine:
        url = engine.url.render_as_string(hide_password=False)
        assert await applied_revisions(engine) == []
        assert _upgrade_in_a_fresh_process(url) == "alembic loaded"
        assert await applied_revisions(engine) == [HEAD_REVISION]
        assert _upgrade_in_a_fresh_process(url) == "alembic not loaded"
        await downgrade_database(engine, "0002")
        assert _upgrade_in_a_fresh_process(url) == "alembic loaded"  # behind the head: upgraded as before
        assert await applied_revisions(engine) == [HEAD_REVISION]


@pytest.mark.parametrize("revision", revisions())
async def test_stairway(empty_engine: AsyncEngine, revision: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(revision).down_revision or "base"
    await upgrade_database(empty_engine, revision)
    await downgrade_database(empty_engine, previous)
    await upgrade_database(empty_engine, revision)


async def test_head_creates_every_model_table_with_timestamptz(empty_engine: AsyncEngine) -> None:
    await upgrade_database(empty_engine)
    assert set(Base.metadata.tables) <= await table_names(empty_engine)
    async with empty_engine.connect() as connection:
        columns = await connection.run_sync(lambda sync: inspect(sync).get_columns("videos"))
    created_at = next(column for column in columns if column["name"] == "created_at")
    assert getattr(created_at["type"], "timezone", False) is True
    await downgrade_database(empty_engine, "base")
    assert await table_names(empty_engine) <= {"alembic_version"}


async def test_migrations_also_run_on_sqlite(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        await upgrade_database(engine)
        assert set(Base.metadata.tables) <= await table_names(engine)
    finally:
        await engine.dispose()


async def test_models_and_migrations_describe_the_same_schema(empty_engine: AsyncEngine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from data.repositories.stats.tables import STATS_METADATA

    await upgrade_database(empty_engine)

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, [Base.metadata, STATS_METADATA])

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def test_migrate_command_upgrades_an_sqlite_file(tmp_path) -> None:
    import os
    import sqlite3
    import subprocess
    import sys

    database = tmp_path / "operator.sqlite3"
    env = {**os.environ, "DB_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, "-m", "data.migrate", "upgrade"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "videos", "music", "media_cache", "broadcasts"} <= tables


@pytest.fixture(params=["postgresql", "sqlite"])
async def any_engine(request, tmp_path) -> AsyncIterator[AsyncEngine]:
    if request.param == "postgresql":
        async with scratch_postgres() as engine:
            yield engine
        return
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    yield engine
    await engine.dispose()


async def _rows(engine: AsyncEngine, query: str) -> list[tuple]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(query))]


async def _execute(engine: AsyncEngine, *statements: str) -> None:
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))


async def test_0003_fills_sources_settings_and_cache_qualities_and_downgrades(any_engine: AsyncEngine) -> None:
    await upgrade_database(any_engine, "0002")
    await _execute(
        any_engine,
        "INSERT INTO users (chat_id, chat_type, file_mode, blocked) VALUES (1, 'private', false, false)",
        "INSERT INTO videos (chat_id, video_id, is_inline, outcome, kind, created_at)"
        " VALUES (1, '71', false, 'success', 'video', '2026-01-02 10:00:00'),"
        " (1, '72', true, 'success', 'video', '2026-01-02 11:00:00')",
        "INSERT INTO music (chat_id, video_id, is_inline, outcome, kind) VALUES (1, '73', true, 'success', 'music')",
        "INSERT INTO media_cache (video_id, kind, file_ids) VALUES ('71', 'video', '[\"v\"]'),"
        " ('71', 'video_document', '[\"d\"]'), ('74', 'slideshow', '[\"p\"]'), ('73', 'music', '[\"m\"]')",
        "INSERT INTO stats_rollup_progress (id, rolled_up_until) VALUES (1, '2026-01-03 00:00:00')",
    )
    await upgrade_database(any_engine, "0003")

    assert await _rows(any_engine, "SELECT video_quality, caption_description FROM users") == [("best", True)]
    assert await _rows(any_engine, "SELECT video_id, source, codec, height, has_audio FROM videos ORDER BY id") == [
        ("71", "chat", None, None, None),
        ("72", "inline", None, None, None),
    ]
    assert await _rows(any_engine, "SELECT source FROM music") == [("inline",)]
    assert sorted(await _rows(any_engine, "SELECT kind, quality FROM media_cache")) == [
        ("music", "any"),
        ("slideshow", "any"),
        ("video", "best"),
        ("video_document", "best"),
    ]
    doors = await _rows(any_engine, "SELECT door, deliveries, silent, hevc FROM stats_daily_doors ORDER BY door")
    assert doors == [("chat", 1, 0, 0), ("inline", 1, 0, 0)]  # the sound has no day before the horizon

    # Another quality of the same post is a separate entry now; downgrading forgets it.
    await _execute(
        any_engine,
        "INSERT INTO media_cache (video_id, kind, quality, file_ids) VALUES ('71', 'video', 'saver', '[\"s\"]')",
    )
    await downgrade_database(any_engine, "0002")
    assert sorted(await _rows(any_engine, "SELECT video_id, kind FROM media_cache")) == [
        ("71", "video"),
        ("71", "video_document"),
        ("73", "music"),
        ("74", "slideshow"),
    ]
    assert await _rows(any_engine, "SELECT video_id, is_inline FROM videos ORDER BY id") == [
        ("71", False),
        ("72", True),
    ]
    await upgrade_database(any_engine, "0003")
