"""The "🎬 Video" button under a slideshow's caption (`slidevideo:<post_id>`): anyone in the chat may press it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from data.locales import Locales
from handlers.button_press import deliver_press
from misc.delivery.slideshow_videos import SlideshowVideoDelivery
from misc.telegram.keyboards import SlideshowVideoAction


async def slideshow_video_button(
    query: CallbackQuery,
    callback_data: SlideshowVideoAction,
    slideshow_videos: SlideshowVideoDelivery,
    locales: Locales,
    lang: str,
) -> None:
    await deliver_press(query, callback_data.post_id, slideshow_videos, locales, lang)


def create_router() -> Router:
    router = Router(name="get_slideshow_video")
    router.callback_query.register(slideshow_video_button, SlideshowVideoAction.filter())
    return router
