"""The last callback router: a press that no feature router took (an old keyboard after an upgrade, a
forged or malformed payload) is still answered, or the user's client spins for ~15 s."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from data.locales import Locales


async def expired_button(query: CallbackQuery, locales: Locales, lang: str) -> None:
    await query.answer(locales.text(lang, "button_expired"))


def create_router() -> Router:
    router = Router(name="expired_buttons")
    router.callback_query.register(expired_button)
    return router
