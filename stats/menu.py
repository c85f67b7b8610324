"""The menu and the text sections: quick stats, by period, referrals, other, reliability."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from data.repositories.stats import Period, StatsRepository
from stats import texts
from stats.access import operators_only
from stats.keyboards import (
    PeriodButton,
    Section,
    SectionButton,
    graphs_keyboard,
    menu_keyboard,
    periods_keyboard,
    search_keyboard,
    section_keyboard,
)
from stats.replies import show

View = tuple[str, InlineKeyboardMarkup]


async def quick_view(stats: StatsRepository) -> View:
    quick = await stats.quick_stats()
    return texts.quick_stats(quick.all_time, quick.last_24h), menu_keyboard()


async def period_view(stats: StatsRepository, period: Period) -> View:
    return texts.period_report(await stats.period_report(period)), periods_keyboard(period)


async def _details(stats: StatsRepository) -> View:
    return await period_view(stats, Period.DAY)


async def _graphs(_: StatsRepository) -> View:
    return texts.GRAPHS_MENU, graphs_keyboard()


async def _referrals(stats: StatsRepository) -> View:
    return texts.referrals(await stats.referrals()), section_keyboard(Section.REFERRALS)


async def _other(stats: StatsRepository) -> View:
    return texts.other(await stats.other()), section_keyboard(Section.OTHER)


async def _reliability(stats: StatsRepository) -> View:
    return texts.reliability(await stats.reliability()), section_keyboard(Section.RELIABILITY)


async def _search(_: StatsRepository) -> View:
    return texts.SEARCH_PROMPT, search_keyboard()


SECTION_VIEWS: dict[Section, Callable[[StatsRepository], Awaitable[View]]] = {
    Section.QUICK: quick_view,
    Section.DETAILS: _details,
    Section.GRAPHS: _graphs,
    Section.REFERRALS: _referrals,
    Section.OTHER: _other,
    Section.RELIABILITY: _reliability,
    Section.SEARCH: _search,
}


async def send_quick_stats(message: Message, stats: StatsRepository) -> None:
    text, markup = await quick_view(stats)
    await message.answer(text, reply_markup=markup)


async def open_section(callback: CallbackQuery, callback_data: SectionButton, bot: Bot, stats: StatsRepository) -> None:
    await callback.answer()
    text, markup = await SECTION_VIEWS[callback_data.section](stats)
    await show(callback, bot, text, markup)


async def open_period(callback: CallbackQuery, callback_data: PeriodButton, bot: Bot, stats: StatsRepository) -> None:
    await callback.answer()
    text, markup = await period_view(stats, callback_data.period)
    await show(callback, bot, text, markup)


def create_router() -> Router:
    router = operators_only(Router(name="stats_menu"))
    router.message.register(send_quick_stats, Command("start", "stats"))
    router.callback_query.register(open_section, SectionButton.filter())
    router.callback_query.register(open_period, PeriodButton.filter())
    return router
