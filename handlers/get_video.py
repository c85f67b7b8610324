"""Links in chats: a message holding a TikTok link gets the video, slideshow or an error.

Private chats and groups share one workflow (`misc.delivery.links.LinkDelivery`). Over the per-chat queue
limit a private user is told how many links are in progress and gets a "Try again" button bound to them;
in a group the sender gets 😢 and the same text as a private note.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from aiogram import Bot, Router
from aiogram.enums import ChatType, MessageEntityType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from data.config import Settings
from data.locales import Locales
from data.repositories import Repositories
from data.repositories.users import ChatProfile, video_quality_of
from misc.delivery.best_effort import best_effort
from misc.delivery.links import LinkDelivery, LinkRequest
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.chat_rights import person_behind
from misc.telegram.keyboards import RetryLink, retry_keyboard
from misc.telegram.media_sender import MediaSender
from misc.telegram.reactions import StatusReactions
from tiktok_api.links import extract_post_id, find_links, short_link

# A post id alone is enough to find the post again; this shape carries it (DESIGN.md §2).
POST_URL_BY_ID = "https://m.tiktok.com/v/{post_id}.html"
SCHEME = "https://"


def links_in_message(message: Message) -> list[str]:
    """TikTok links of the text or caption and behind hyperlinked words (`text_link` entities), in
    reading order, one per post (a post linked twice, even in two shapes, counts once)."""
    text = message.text or message.caption or ""
    entities = [
        entity
        for entity in message.entities or message.caption_entities or []
        if entity.type == MessageEntityType.TEXT_LINK and entity.url
    ]
    links: list[str] = []
    position = 0
    for entity in sorted(entities, key=lambda entity: entity.offset):
        start, end = _python_span(text, entity.offset, entity.length)
        links += find_links(text[position:start]) + find_links(entity.url or "")
        position = max(position, end)
    links += find_links(text[position:])
    return _one_per_post(links)


def _python_span(text: str, offset: int, length: int) -> tuple[int, int]:
    """Telegram counts entity offsets in UTF-16 code units; Python indexes code points."""
    encoded = text.encode("utf-16-le")
    start = len(encoded[: offset * 2].decode("utf-16-le", "ignore"))
    end = len(encoded[: (offset + length) * 2].decode("utf-16-le", "ignore"))
    return start, end


def _one_per_post(links: list[str]) -> list[str]:
    seen: set[object] = set()
    distinct: list[str] = []
    for link in links:
        key = extract_post_id(link) or short_link(link) or link
        if key not in seen:
            seen.add(key)
            distinct.append(link)
    return distinct


class HasTikTokLink(Filter):
    async def __call__(self, message: Message) -> bool | dict[str, list[str]]:
        links = links_in_message(message)
        return {"links": links} if links else False


async def link_in_chat(
    message: Message,
    bot: Bot,
    links: list[str],
    delivery: LinkDelivery,
    repos: Repositories,
    lang: str,
    profile: ChatProfile | None,
    sender: MediaSender,
    locales: Locales,
    settings: Settings,
) -> None:
    if profile is None:  # a chat whose first message is a link: registered, no referral, no welcome
        await best_effort(repos.users.register(message.chat.id, message.chat.type, lang), False, "registration")
    person = person_behind(message)
    sender_id = person.id if person else message.chat.id
    request = LinkRequest(
        chat_id=message.chat.id,
        chat_type=message.chat.type,
        message_id=message.message_id,
        user_id=sender_id,
        link=links[0],
        lang=lang,
        **_chat_settings(profile),
    )
    taken = links[: settings.queue.max_links_per_message]

    async def refused(link: LinkRequest, full: QueueFullError) -> None:
        if link.is_private:
            await _tell_queue_busy(link, full.in_progress, sender, locales)
            return
        # groups see 😢: the link was not taken; why is told to the sender alone
        await StatusReactions(bot, link.chat_id, link.message_id).failed()
        if link.note_receiver is not None:
            busy = locales.text(link.lang, "queue_busy", count=full.in_progress)
            await sender.send_private_note(link.chat_id, link.note_receiver, busy, reply_to_message=link.message_id)

    await delivery.deliver_message(request, taken, refused)
    if len(taken) < len(links):
        note = locales.text(lang, "links_skipped", taken=len(taken), skipped=len(links) - len(taken))
        await sender.send_text(request.chat_id, note, reply_to_message=request.message_id)


def _chat_settings(profile: ChatProfile | None) -> dict[str, Any]:
    """How this chat wants its posts (`/settings`); the defaults for a chat not stored yet."""
    return {
        "file_mode": profile.file_mode if profile else False,
        "caption_description": profile.caption_description if profile else True,
        "quality": video_quality_of(profile),
    }


async def try_again(
    query: CallbackQuery,
    callback_data: RetryLink,
    bot: Bot,
    delivery: LinkDelivery,
    locales: Locales,
    lang: str,
    profile: ChatProfile | None,
) -> None:
    if query.from_user.id != callback_data.user_id:
        await query.answer(locales.text(lang, "not_your_button"), show_alert=True)
        return
    busy_message = query.message
    chat_id = busy_message.chat.id if busy_message else query.from_user.id
    request = LinkRequest(
        chat_id=chat_id,
        chat_type=busy_message.chat.type if busy_message else ChatType.PRIVATE,
        message_id=callback_data.message_id,
        user_id=query.from_user.id,
        link=_expand_link(callback_data.link),
        lang=lang,
        **_chat_settings(profile),
    )

    async def admitted() -> None:
        await query.answer()
        if busy_message is not None:
            with suppress(TelegramAPIError):  # already gone
                await bot.delete_message(chat_id, busy_message.message_id)

    try:
        await delivery.deliver(request, on_admitted=admitted)
    except QueueFullError as full:
        await query.answer(locales.text(lang, "queue_busy", count=full.in_progress), show_alert=True)


async def _tell_queue_busy(request: LinkRequest, in_progress: int, sender: MediaSender, locales: Locales) -> None:
    retry = RetryLink(user_id=request.user_id, message_id=request.message_id, link=_compact_link(request.link))
    await sender.send_text(
        request.chat_id,
        locales.text(request.lang, "queue_busy", count=in_progress),
        reply_markup=retry_keyboard(locales, request.lang, retry),
        reply_to_message=request.message_id,
    )


def _compact_link(link: str) -> str:
    """The shortest text that finds the post again, to fit Telegram's 64-byte callback data."""
    post_id = extract_post_id(link)
    if post_id:
        return post_id
    return link.removeprefix(SCHEME).removeprefix("http://")


def _expand_link(compact: str) -> str:
    if compact.isdigit():
        return POST_URL_BY_ID.format(post_id=compact)
    return SCHEME + compact


def create_router() -> Router:
    router = Router(name="get_video")
    router.message.register(link_in_chat, HasTikTokLink())
    router.callback_query.register(try_again, RetryLink.filter())
    return router
