"""Slideshows: albums of up to 10 JPEG photos, then the caption message with the sound button."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from types import ModuleType

from bench.process_tree import descendants
from data.locales import Locales
from data.models import MediaKind, Outcome
from tests.bot_checks import callback_data, image_of, video_rows

POST_ID = "7350000000000000201"
USER = 1002
GROUP = -1002002


def _is_jpeg(data: bytes) -> bool:
    return image_of(data).format == "JPEG"


async def test_thirteen_images_in_a_private_chat_arrive_as_albums_of_ten_and_three_then_the_caption(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(13)])
    fake_telegram.send_message(USER, post.url)

    caption = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    albums = fake_telegram.calls_of("sendMediaGroup")
    assert [len(album.params["media"]) for album in albums] == [10, 3]
    photos = [item for album in albums for item in album.media_files()]
    assert all(_is_jpeg(photo.data) for photo in photos)
    assert {item["type"] for album in albums for item in album.params["media"]} == {"photo"}
    assert post.url in caption.params["text"]
    assert callback_data(caption.params) == [f"music:{POST_ID}", f"slidevideo:{POST_ID}"]
    assert Locales.load().text("en", "group_images_note", shown=10, total=13) not in caption.params["text"]
    assert caption.at > albums[-1].at

    rows = await video_rows(db_sessions)
    assert [(row.video_id, row.kind, row.outcome) for row in rows] == [(POST_ID, MediaKind.SLIDESHOW, Outcome.SUCCESS)]


async def test_a_single_image_is_sent_as_one_photo(fake_telegram, fake_tiktok, tt_bot, media: ModuleType) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes()])
    fake_telegram.send_message(USER, post.url)

    await fake_telegram.wait_for_call("sendMessage", timeout=30)
    photo = fake_telegram.calls_of("sendPhoto")
    assert len(photo) == 1 and _is_jpeg(photo[0].file("photo").data)
    assert fake_telegram.calls_of("sendMediaGroup") == []


async def test_heic_images_are_delivered_as_jpeg(fake_telegram, fake_tiktok, tt_bot, media: ModuleType) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.heic_bytes(0), media.heic_bytes(1)], heic_first=True)
    fake_telegram.send_message(USER, post.url)

    album = await fake_telegram.wait_for_call("sendMediaGroup", timeout=30)
    assert all(_is_jpeg(item.data) for item in album.media_files())


async def test_groups_get_the_first_ten_images_and_a_note_about_the_rest(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(13)])
    fake_telegram.send_message(GROUP, post.url, user_id=USER, chat_type="supergroup")

    caption = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    albums = fake_telegram.calls_of("sendMediaGroup")
    assert [len(album.params["media"]) for album in albums] == [10]
    assert Locales.load().text("en", "group_images_note", shown=10, total=13) in caption.params["text"]


async def test_groups_get_no_note_when_every_image_fits(fake_telegram, fake_tiktok, tt_bot, media: ModuleType) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(5)])
    fake_telegram.send_message(GROUP, post.url, user_id=USER, chat_type="supergroup")

    caption = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    assert [len(album.params["media"]) for album in fake_telegram.calls_of("sendMediaGroup")] == [5]
    note = Locales.load().text("en", "group_images_note", shown=5, total=5)
    assert note not in caption.params["text"] and post.url in caption.params["text"]


async def test_file_mode_sends_the_images_as_documents(fake_telegram, fake_tiktok, tt_bot, media: ModuleType) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(3)])
    fake_telegram.send_message(USER, "/mode")
    await fake_telegram.wait_for_call("sendMessage", timeout=10)
    fake_telegram.send_message(USER, post.url)

    album = await fake_telegram.wait_for_call("sendMediaGroup", timeout=30)
    assert {item["type"] for item in album.params["media"]} == {"document"}
    assert len(album.media_files()) == 3


async def test_heic_slides_still_arrive_after_the_image_workers_were_killed(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    """The kernel's out-of-memory killer may pick an image worker: the next slideshow must not notice."""
    first = fake_tiktok.add_slideshow(POST_ID, images=[media.heic_bytes(0), media.heic_bytes(1)], heic_first=True)
    fake_telegram.send_message(USER, first.url)
    await fake_telegram.wait_for_call("sendMediaGroup", timeout=30)
    workers = image_workers()
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.5)

    second = fake_tiktok.add_slideshow("7350000000000000202", images=[media.heic_bytes(2), media.heic_bytes(3)])
    fake_telegram.send_message(USER + 1, second.url)
    album = await fake_telegram.wait_for_call("sendMediaGroup", lambda c: c.params["chat_id"] == USER + 1, timeout=30)
    photos = [item.data for item in album.media_files()]
    assert all(_is_jpeg(photo) for photo in photos)
    assert [image_of(photo).size for photo in photos] == [image_of(media.heic_bytes(n)).size for n in (2, 3)]


def image_workers() -> list[int]:
    """The worker processes this test process's pools started."""
    return [pid for pid in descendants(os.getpid()) if b"tiktok_api.worker_process" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
