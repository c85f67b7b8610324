"""The sound button under a video or slideshow (`music:<video_id>`): anyone in the chat may press it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from data.locales import Locales
from handlers.button_press import deliver_press
from misc.delivery.sounds import SoundDelivery
from misc.telegram.keyboards import MusicAction


async def sound_button(
    query: CallbackQuery, callback_data: MusicAction, sounds: SoundDelivery, locales: Locales, lang: str
) -> None:
    await deliver_press(query, callback_data.video_id, sounds, locales, lang)


def create_router() -> Router:
    router = Router(name="get_music")
    router.callback_query.register(sound_button, MusicAction.filter())
    return router
