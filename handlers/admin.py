"""Operator commands for ADMIN_IDS: `/msg <chat_id> <text>` and `/export`.

The admin filter sits on the router, so no handler here can run for anyone else. The guard router
(`create_guard_router`) swallows the admin commands from everybody else: they get no reply at all, not
even a link hint. Admin texts are English on purpose and live here, not in the user locales.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, FSInputFile, Message, TelegramObject, User

from data.config import Settings
from data.repositories import Repositories
from data.repositories.users import UserRepository

ADMIN_COMMANDS = ("msg", "export", "broadcast")
EXPORT_PAGE_SIZE = 5000
EXPORT_FILENAME = "user_ids.txt"

MSG_USAGE = "Usage: <code>/msg &lt;chat_id&gt; &lt;text&gt;</code>"
MSG_SENT = "✅ Sent to <code>{chat_id}</code> (message {message_id})."
MSG_BLOCKED = "⛔ Not delivered: <code>{chat_id}</code> blocked the bot ({reason}). Marked as blocked."
MSG_BAD_REQUEST = "❌ Bad request for <code>{chat_id}</code>: {reason}"
MSG_FAILED = "❌ Failed to send to <code>{chat_id}</code>: {reason}"
EXPORT_CAPTION = "{count} private users who have not blocked the bot, one id per line."


class IsAdmin(Filter):
    """True for senders listed in ADMIN_IDS (checked on every update, never cached per chat)."""

    async def __call__(self, event: TelegramObject, settings: Settings, event_from_user: User | None = None) -> bool:
        return event_from_user is not None and event_from_user.id in settings.admin_ids


def admin_only(router: Router) -> Router:
    """Put the admin check (and private chats only) on every message and button handler of a router."""
    router.message.filter(F.chat.type == ChatType.PRIVATE, IsAdmin())
    router.callback_query.filter(IsAdmin())
    return router


async def message_a_chat(message: Message, bot: Bot, repos: Repositories) -> None:
    parsed = _parse_msg_command(message)
    if parsed is None:
        await message.answer(MSG_USAGE)
        return
    chat_id, text = parsed
    await message.answer(await _deliver_text(bot, repos.users, chat_id, text))


def _parse_msg_command(message: Message) -> tuple[int, str] | None:
    """Chat id and the rest of the text as HTML, so the admin's bold, links and line breaks survive."""
    parts = (message.html_text or "").split(maxsplit=2)
    if len(parts) < 3:
        return None
    try:
        return int(parts[1]), parts[2]
    except ValueError:
        return None


async def _deliver_text(bot: Bot, users: UserRepository, chat_id: int, text: str) -> str:
    try:
        sent = await bot.send_message(chat_id, text)
    except TelegramForbiddenError as error:
        await users.mark_blocked(chat_id)
        return MSG_BLOCKED.format(chat_id=chat_id, reason=html.escape(error.message))
    except TelegramBadRequest as error:
        return MSG_BAD_REQUEST.format(chat_id=chat_id, reason=html.escape(error.message))
    except AiogramError as error:
        return MSG_FAILED.format(chat_id=chat_id, reason=html.escape(str(error)))
    return MSG_SENT.format(chat_id=chat_id, message_id=sent.message_id)


async def export_user_ids(message: Message, repos: Repositories) -> None:
    # Written page by page to a temporary file: memory stays flat however many users there are.
    with tempfile.TemporaryDirectory(prefix="tt-export-") as directory:
        path = Path(directory) / EXPORT_FILENAME
        count = await _write_user_ids(repos.users, path)
        await message.answer_document(
            FSInputFile(path, filename=EXPORT_FILENAME), caption=EXPORT_CAPTION.format(count=count)
        )


async def _write_user_ids(users: UserRepository, path: Path) -> int:
    count = 0
    after: int | None = None
    with path.open("w", encoding="ascii") as output:
        while page := await users.private_chat_ids_after(after, EXPORT_PAGE_SIZE):
            output.write("".join(f"{chat_id}\n" for chat_id in page))
            count += len(page)
            after = page[-1]
    return count


async def ignore_admin_command(message: Message) -> None:
    """Not an admin (or not a private chat): stay silent instead of falling through to the link hint."""


async def ignore_admin_button(query: CallbackQuery) -> None:
    await query.answer()


def create_router() -> Router:
    router = admin_only(Router(name="admin"))
    router.message.register(message_a_chat, Command("msg"))
    router.message.register(export_user_ids, Command("export"))
    return router


def create_guard_router() -> Router:
    router = Router(name="admin_guard")
    router.message.register(ignore_admin_command, Command(*ADMIN_COMMANDS))
    router.callback_query.register(ignore_admin_button, F.data.startswith("broadcast:"))
    return router
