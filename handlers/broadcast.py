"""Composing a broadcast (admins only): message → optional URL buttons → preview → confirm.

Only the composition lives in FSM state; a confirmed broadcast becomes a database job that
`misc.telegram.broadcaster.Broadcaster` delivers and resumes after restarts.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from data.repositories import Repositories
from handlers.admin import admin_only
from misc.telegram.broadcaster import Broadcaster

ASK_MESSAGE = "📣 Send the message to broadcast: text, photo, video, anything. It is copied as it is.\n/cancel stops."
ASK_BUTTONS = (
    "Add link buttons? Send one per line as <code>Text | https://example.com</code>, "
    "or /skip to send the message without buttons."
)
BAD_BUTTON_LINE = "Line {number} is not <code>Text | https://…</code>. Try again, or /skip."
PREVIEW_QUESTION = "☝️ This is the preview. Send it to {audience} users?"
QUEUED = "📣 Broadcast #{id} queued for {audience} users. You will get a report when it is done."
ALREADY_SENT = "This message was already broadcast."
PREVIEW_EXPIRED = "This preview is out of date. Start again with /broadcast."
CANCELLED = "Broadcast cancelled."
SEND_BUTTON = "✅ Send"
CANCEL_BUTTON = "✖️ Cancel"

BUTTON_SEPARATOR = "|"
BUTTON_URL_SCHEMES = ("https://", "http://", "tg://")
MAX_BUTTONS = 20


class Compose(StatesGroup):
    message = State()
    buttons = State()
    confirm = State()


class BroadcastAction(CallbackData, prefix="broadcast"):
    action: str  # "send" or "cancel"
    message_id: int


async def begin(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Compose.message)
    await message.answer(ASK_MESSAGE)


async def cancel_by_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(CANCELLED)


async def take_message(message: Message, state: FSMContext) -> None:
    await state.update_data(message_id=message.message_id)
    await state.set_state(Compose.buttons)
    await message.answer(ASK_BUTTONS)


async def skip_buttons(message: Message, bot: Bot, state: FSMContext, repos: Repositories) -> None:
    await _preview(message, bot, state, repos, markup=None)


async def take_buttons(message: Message, bot: Bot, state: FSMContext, repos: Repositories) -> None:
    try:
        markup = parse_buttons(message.text or "")
    except InvalidButtonLine as error:
        await message.answer(BAD_BUTTON_LINE.format(number=error.number))
        return
    await _preview(message, bot, state, repos, markup=markup)


async def ask_buttons_again(message: Message) -> None:
    await message.answer(ASK_BUTTONS)


class InvalidButtonLine(ValueError):
    def __init__(self, number: int) -> None:
        super().__init__(f"line {number}")
        self.number = number


def parse_buttons(text: str) -> InlineKeyboardMarkup:
    """`Text | URL` per line, one button per row."""
    rows: list[list[InlineKeyboardButton]] = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        label, separator, url = (part.strip() for part in line.rpartition(BUTTON_SEPARATOR))
        if not separator or not label or not url.startswith(BUTTON_URL_SCHEMES) or number > MAX_BUTTONS:
            raise InvalidButtonLine(number)
        rows.append([InlineKeyboardButton(text=label, url=url)])
    if not rows:
        raise InvalidButtonLine(1)
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _preview(
    message: Message, bot: Bot, state: FSMContext, repos: Repositories, markup: InlineKeyboardMarkup | None
) -> None:
    message_id = (await state.get_data())["message_id"]
    await bot.copy_message(message.chat.id, message.chat.id, message_id, reply_markup=markup)
    await state.update_data(markup=markup.model_dump(exclude_none=True) if markup else None)
    await state.set_state(Compose.confirm)
    audience = await repos.broadcasts.audience_size()
    await message.answer(PREVIEW_QUESTION.format(audience=audience), reply_markup=_confirm_keyboard(message_id))


def _confirm_keyboard(message_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=SEND_BUTTON, callback_data=BroadcastAction(action="send", message_id=message_id).pack()
                ),
                InlineKeyboardButton(
                    text=CANCEL_BUTTON, callback_data=BroadcastAction(action="cancel", message_id=message_id).pack()
                ),
            ]
        ]
    )


async def confirm(
    query: CallbackQuery,
    callback_data: BroadcastAction,
    state: FSMContext,
    repos: Repositories,
    broadcaster: Broadcaster,
) -> None:
    data = await state.get_data()
    # The button must belong to the message being composed now: an old preview, or one from before a
    # restart (FSM state is in memory), must not start anything.
    if await state.get_state() != Compose.confirm.state or data.get("message_id") != callback_data.message_id:
        await query.answer(PREVIEW_EXPIRED, show_alert=True)
        return
    await state.clear()
    admin_chat_id = query.from_user.id
    broadcast_id = await repos.broadcasts.create(
        admin_chat_id=admin_chat_id,
        from_chat_id=admin_chat_id,
        message_id=callback_data.message_id,
        reply_markup=data.get("markup"),
    )
    if broadcast_id is None:
        await query.answer(ALREADY_SENT, show_alert=True)
        return
    broadcaster.wake()
    audience = await repos.broadcasts.audience_size()
    await query.answer()
    await _replace_confirmation(query, QUEUED.format(id=broadcast_id, audience=audience))


async def cancel_by_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _replace_confirmation(query, CANCELLED)


async def _replace_confirmation(query: CallbackQuery, text: str) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=None)


def create_router() -> Router:
    router = admin_only(Router(name="broadcast"))
    router.message.register(begin, Command("broadcast"))
    router.message.register(cancel_by_command, Command("cancel"), StateFilter(Compose))
    router.message.register(take_message, Compose.message)
    router.message.register(skip_buttons, Compose.buttons, Command("skip"))
    router.message.register(take_buttons, Compose.buttons, F.text)
    router.message.register(ask_buttons_again, Compose.buttons)
    router.callback_query.register(confirm, BroadcastAction.filter(F.action == "send"))
    router.callback_query.register(cancel_by_button, BroadcastAction.filter(F.action == "cancel"))
    return router
