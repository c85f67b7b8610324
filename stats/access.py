"""Only STATS_IDS may use the stats bot: the filter sits on every router, not on each handler."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, TelegramObject, User

from data.config import Settings


class IsStatsOperator(Filter):
    """True for senders listed in STATS_IDS (checked on every update)."""

    async def __call__(self, event: TelegramObject, settings: Settings, event_from_user: User | None = None) -> bool:
        return event_from_user is not None and event_from_user.id in settings.stats_ids


def operators_only(router: Router) -> Router:
    """Messages (private chats only: search input is free text) and buttons, from STATS_IDS only."""
    router.message.filter(F.chat.type == ChatType.PRIVATE, IsStatsOperator())
    router.callback_query.filter(IsStatsOperator())
    return router


async def answer_unclaimed_button(query: CallbackQuery) -> None:
    """A stranger's press, or one on an old keyboard: answered empty, or the client spins for ~15 s."""
    await query.answer()


def create_unclaimed_buttons_router() -> Router:
    """Included last: takes every press no operator router took."""
    router = Router(name="stats_unclaimed_buttons")
    router.callback_query.register(answer_unclaimed_button)
    return router
