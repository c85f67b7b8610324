"""Find a chat by id: its profile and figures, and the CSV of its history. Any text is a search."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import FSInputFile, Message

from data.repositories.stats import StatsRepository
from stats import texts
from stats.access import operators_only
from stats.history_csv import HISTORY_LIMIT, write_history

ECHO_LIMIT = 64


def parse_chat_id(text: str) -> int | None:
    cleaned = text.strip()
    digits = cleaned.removeprefix("-")
    if not digits.isascii() or not digits.isdigit():
        return None
    return int(cleaned)


async def search_command(message: Message, command: CommandObject, bot: Bot, stats: StatsRepository) -> None:
    await answer_search(message, command.args or "", bot, stats)


async def search_text(message: Message, bot: Bot, stats: StatsRepository) -> None:
    await answer_search(message, message.text or "", bot, stats)


async def answer_search(message: Message, query: str, bot: Bot, stats: StatsRepository) -> None:
    chat_id = parse_chat_id(query)
    if chat_id is None:
        echo = html.escape(query.strip()[:ECHO_LIMIT])
        await message.answer(texts.NOT_A_CHAT_ID.format(text=echo) if echo else texts.SEARCH_PROMPT)
        return
    report = await stats.chat_report(chat_id)
    if report is None:
        await message.answer(texts.CHAT_NOT_FOUND.format(chat_id=chat_id))
        return
    await message.answer(texts.chat_report(report))
    if report.requests:
        await _send_history(message, bot, stats, chat_id, report.requests)


async def _send_history(message: Message, bot: Bot, stats: StatsRepository, chat_id: int, total: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tt-stats-") as directory:
        path = Path(directory) / f"chat_{chat_id}_history.csv"
        rows = await write_history(stats, chat_id, path)
        caption = (texts.HISTORY_CAPTION_CUT if total > HISTORY_LIMIT else texts.HISTORY_CAPTION).format(
            chat_id=chat_id, rows=rows, total=total
        )
        await bot.send_document(message.chat.id, FSInputFile(path), caption=caption)


def create_router() -> Router:
    router = operators_only(Router(name="stats_search"))
    router.message.register(search_command, Command("user"))
    router.message.register(search_text, F.text & ~F.text.startswith("/"))
    return router
