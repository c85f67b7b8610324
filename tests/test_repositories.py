"""Repositories against real databases: PostgreSQL (production) and SQLite (the default without DB_URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.database import create_engine, create_session_factory, upgrade_database
from data.kinds import DeliverySource, VideoQuality
from data.models import Music, User, Video
from data.repositories import Repositories
from data.repositories.media_cache import CachedMedia


@pytest.fixture
async def sqlite_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await upgrade_database(engine)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def sessions(request: pytest.FixtureRequest) -> async_sessionmaker[AsyncSession]:
    fixture = "db_sessions" if request.param == "postgresql" else "sqlite_sessions"
    return request.getfixturevalue(fixture)


@pytest.fixture
def repos(sessions: async_sessionmaker[AsyncSession]) -> Repositories:
    return Repositories.create(sessions)


async def last_seen(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> datetime:
    async with sessions() as session:
        return (await session.execute(select(User.last_seen).where(User.chat_id == chat_id))).scalar_one()


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Video] | type[Music]) -> list:
    async with sessions() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())


async def test_failed_video_delivery_is_stored_as_failed_with_its_error_kind(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await repos.deliveries.record_video(42, "7301", outcome="failed", error_kind="private", duration_ms=830)

    [row] = await rows(sessions, Video)
    assert (row.chat_id, row.video_id, row.kind) == (42, "7301", "video")
    assert (row.outcome, row.error_kind, row.duration_ms, row.bytes) == ("failed", "private", 830, None)
    assert row.created_at.tzinfo is not None
    assert await rows(sessions, Music) == []


async def test_successful_inline_slideshow_keeps_kind_size_and_time(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await repos.deliveries.record_video(
        -1001, "7302", kind="slideshow", is_inline=True, size=1_234_567, duration_ms=2_100
    )

    [row] = await rows(sessions, Video)
    assert (row.kind, row.is_inline, row.outcome, row.error_kind) == ("slideshow", True, "success", None)
    assert (row.bytes, row.duration_ms) == (1_234_567, 2_100)


async def test_sound_deliveries_go_to_the_music_table(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await repos.deliveries.record_music(42, "7303", size=90_000, duration_ms=400)
    await repos.deliveries.record_music(42, "7304", outcome="failed", error_kind="network")

    stored = [(row.video_id, row.kind, row.outcome, row.error_kind) for row in await rows(sessions, Music)]
    assert stored == [("7303", "music", "success", None), ("7304", "music", "failed", "network")]
    assert await rows(sessions, Video) == []


async def test_unknown_outcome_or_kind_is_refused_and_nothing_is_stored(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    with pytest.raises(ValueError):
        await repos.deliveries.record_video(42, "7305", outcome="ok")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await repos.deliveries.record_video(42, "7305", kind="music")  # type: ignore[arg-type]
    assert await rows(sessions, Video) == []


async def cached(repos: Repositories, post_id: str, kind: str, *, quality: str | None = None) -> CachedMedia | None:
    """One kind's entry, read the way the delivery pipeline reads the cache."""
    found = await repos.media_cache.first_of(post_id, (kind,), quality=quality)
    return found[1] if found else None


async def test_media_cache_put_get_replace_and_drop(repos: Repositories) -> None:
    meta = {
        "author": "someone",
        "width": 576,
        "height": 1024,
        "duration": 12,
        "url": "https://www.tiktok.com/@a/video/1",
    }
    assert await cached(repos, "7401", "video") is None

    await repos.media_cache.put("7401", "video", ["file-a"], meta)
    assert await cached(repos, "7401", "video") == CachedMedia(file_ids=["file-a"], meta=meta)

    await repos.media_cache.put("7401", "video", ["file-b"], {**meta, "width": 720})
    replaced = await cached(repos, "7401", "video")
    assert replaced is not None
    assert (replaced.file_ids, replaced.meta["width"]) == (["file-b"], 720)

    await repos.media_cache.drop("7401", "video")
    assert await cached(repos, "7401", "video") is None


async def test_media_cache_kinds_of_one_post_are_separate(repos: Repositories) -> None:
    await repos.media_cache.put("7402", "slideshow", ["p1", "p2", "p3"], {"image_count": 3})
    await repos.media_cache.put("7402", "slideshow_document", ["d1", "d2", "d3"], {"image_count": 3})

    await repos.media_cache.drop("7402", "slideshow")

    assert await cached(repos, "7402", "slideshow") is None
    kept = await cached(repos, "7402", "slideshow_document")
    assert kept == CachedMedia(file_ids=["d1", "d2", "d3"], meta={"image_count": 3})


async def test_first_of_several_cache_kinds_follows_the_order_asked(repos: Repositories) -> None:
    await repos.media_cache.put("7403", "slideshow", ["p1"], {"image_count": 1})

    assert await repos.media_cache.first_of("7403", ("video", "slideshow")) == (
        "slideshow",
        CachedMedia(file_ids=["p1"], meta={"image_count": 1}),
    )
    await repos.media_cache.put("7403", "video", ["v1"], {})
    found = await repos.media_cache.first_of("7403", ("video", "slideshow"))
    assert found is not None and found[0] == "video"
    assert await repos.media_cache.first_of("7403", ("music",)) is None


async def test_dropping_a_missing_cache_entry_is_harmless(repos: Repositories) -> None:
    await repos.media_cache.drop("nothing", "video")
    assert await cached(repos, "nothing", "video") is None


async def test_register_returns_true_only_for_a_new_chat(repos: Repositories) -> None:
    assert await repos.users.register(42, "private", "en", referral="ad1") is True
    assert await repos.users.register(42, "private", "ru", referral="ad2") is False

    profile = await repos.users.get(42)
    assert profile is not None
    assert (profile.language, profile.referral) == ("en", "ad1")


async def test_a_chat_registered_again_is_marked_seen_and_unblocked_and_keeps_its_settings(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await repos.users.register(43, "private", "en", referral="ad1")
    await repos.users.set_file_mode(43, True)
    await repos.users.mark_blocked(43)
    first_seen = await last_seen(sessions, 43)

    assert await repos.users.register(43, "group", "ru", referral="ad2") is False

    profile = await repos.users.get(43)
    assert profile is not None
    assert (profile.blocked, profile.file_mode, profile.chat_type, profile.language, profile.referral) == (
        False, True, "private", "en", "ad1",
    )  # fmt: skip
    assert await last_seen(sessions, 43) > first_seen


async def test_deliveries_record_their_door_and_what_the_file_held(
    repos: Repositories, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await repos.deliveries.record_video(
        42, "7501", source=DeliverySource.GUEST, codec="hevc", height=720, has_audio=False
    )
    await repos.deliveries.record_video(42, "7502", source=DeliverySource.INLINE)
    await repos.deliveries.record_video(42, "7503", is_inline=True)
    await repos.deliveries.record_music(42, "7501", source=DeliverySource.GUEST)

    stored = [(row.source, row.is_inline, row.codec, row.height, row.has_audio) for row in await rows(sessions, Video)]
    assert stored == [
        ("guest", False, "hevc", 720, False),
        ("inline", True, None, None, None),
        ("inline", True, None, None, None),
    ]
    assert [row.source for row in await rows(sessions, Music)] == ["guest"]


async def test_video_cache_entries_are_kept_apart_by_quality(repos: Repositories) -> None:
    await repos.media_cache.put("7601", "video", ["best-id"], {})
    await repos.media_cache.put("7601", "video", ["saver-id"], {}, quality=VideoQuality.SAVER)

    assert (await cached(repos, "7601", "video")).file_ids == ["best-id"]
    assert (await cached(repos, "7601", "video", quality=VideoQuality.BEST)).file_ids == ["best-id"]
    assert (await cached(repos, "7601", "video", quality=VideoQuality.SAVER)).file_ids == ["saver-id"]
    assert await repos.media_cache.first_of("7601", ("video",), quality=VideoQuality.BALANCED) is None

    await repos.media_cache.drop("7601", "video", quality=VideoQuality.SAVER)
    assert await cached(repos, "7601", "video", quality=VideoQuality.SAVER) is None
    assert (await cached(repos, "7601", "video")).file_ids == ["best-id"]


async def test_kinds_without_renditions_are_shared_by_every_quality(repos: Repositories) -> None:
    await repos.media_cache.put("7602", "slideshow", ["p1"], {}, quality=VideoQuality.SAVER)
    await repos.media_cache.put("7602", "music", ["m1"], {})

    found = await repos.media_cache.first_of("7602", ("video", "slideshow"), quality=VideoQuality.BEST)
    assert found == ("slideshow", CachedMedia(file_ids=["p1"], meta={}))
    assert (await cached(repos, "7602", "music", quality=VideoQuality.BALANCED)).file_ids == ["m1"]


async def test_chat_settings_default_and_change(repos: Repositories) -> None:
    await repos.users.register(42, "private", "en")
    profile = await repos.users.get(42)
    assert (profile.video_quality, profile.caption_description) == ("best", True)

    await repos.users.set_video_quality(42, VideoQuality.SAVER)
    await repos.users.set_caption_description(42, False)
    profile = await repos.users.get(42)
    assert (profile.video_quality, profile.caption_description) == ("saver", False)
    with pytest.raises(ValueError):
        await repos.users.set_video_quality(42, "4k")  # type: ignore[arg-type]
