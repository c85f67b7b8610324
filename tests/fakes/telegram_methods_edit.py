"""Bot API methods that change or remove existing messages (chat messages and inline messages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_chats import MEDIA_KEYS
from tests.fakes.telegram_media import input_media_request
from tests.fakes.telegram_state import FakeBotState, MethodRequest
from tests.fakes.telegram_types import bad_request
from tests.fakes.telegram_validation import formatted_caption, formatted_text, inline_keyboard, text_fields

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
INLINE_UPLOAD = "can't upload a new file into an inline message; upload it elsewhere and use its file_id"
_CAPTION_KEYS = ("caption", "caption_entities")
_TEXT_KEYS = ("text", "entities", "link_preview_options")


@dataclass
class EditTarget:
    current: dict[str, Any]
    inline: bool
    save: Callable[[dict[str, Any]], Any]  # stores the new version, returns the API result


def _edit_target(state: FakeBotState, request: MethodRequest) -> EditTarget:
    inline_id = request.get("inline_message_id")
    if inline_id:
        content = state.queries.inline_messages.get(str(inline_id))
        if content is None:
            raise bad_request("MESSAGE_ID_INVALID")

        def save_inline(new: dict[str, Any]) -> bool:
            state.queries.inline_messages[str(inline_id)] = new
            return True

        return EditTarget(content, True, save_inline)
    chat = state.chats.chat(request.require("chat_id"))
    if request.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    stored = state.chats.find(chat["id"], request.get("message_id"))
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.by_bot:
        raise bad_request("message can't be edited")

    def save_message(new: dict[str, Any]) -> dict[str, Any]:
        new = new | {"edit_date": state.now()}
        state.chats.replace(new)
        return new

    return EditTarget(stored.message, False, save_message)


def _apply(target: EditTarget, remove: tuple[str, ...], add: dict[str, Any], markup: dict | None) -> Any:
    dropped = (*remove, "reply_markup", "edit_date")
    new = {key: value for key, value in target.current.items() if key not in dropped} | add
    if markup is not None:
        new["reply_markup"] = markup
    unchanged = {key: value for key, value in target.current.items() if key != "edit_date"}
    if new == unchanged:
        raise bad_request(NOT_MODIFIED)
    return target.save(new)


def _media_key(content: dict[str, Any]) -> str | None:
    return next((key for key in MEDIA_KEYS if key in content), None)


def edit_message_text(state: FakeBotState, request: MethodRequest) -> Any:
    target = _edit_target(state, request)
    if "text" not in target.current:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(request.get("text"), request.get("parse_mode"), request.json("entities"))
    markup = inline_keyboard(request.json("reply_markup"))
    return _apply(target, ("text", "entities"), text_fields(text, entities), markup)


def edit_message_caption(state: FakeBotState, request: MethodRequest) -> Any:
    target = _edit_target(state, request)
    if _media_key(target.current) is None:
        raise bad_request("there is no caption in the message to edit")
    caption = formatted_caption(request.get("caption"), request.get("parse_mode"), request.json("caption_entities"))
    markup = inline_keyboard(request.json("reply_markup"))
    return _apply(target, _CAPTION_KEYS, caption, markup)


def edit_message_media(state: FakeBotState, request: MethodRequest) -> Any:
    target = _edit_target(state, request)
    # The Bot API also replaces a text message with media (inline mode's "⏳" article becomes the video).
    if _media_key(target.current) is None and "text" not in target.current:
        raise bad_request("there is no media in the message to edit")
    item = request.json("media")
    if not isinstance(item, dict):
        raise bad_request("can't parse InputMedia JSON object")
    media_request = input_media_request(item)
    if target.inline and state.media.is_upload(media_request, request.files):
        raise bad_request(INLINE_UPLOAD)
    caption = formatted_caption(item.get("caption"), item.get("parse_mode"), item.get("caption_entities"))
    markup = inline_keyboard(request.json("reply_markup"))
    media = state.media.build(media_request, request.files)
    content = {media_request.kind: media} | caption
    return _apply(target, (*MEDIA_KEYS, *_CAPTION_KEYS, *_TEXT_KEYS, "has_media_spoiler"), content, markup)


def edit_message_reply_markup(state: FakeBotState, request: MethodRequest) -> Any:
    target = _edit_target(state, request)
    return _apply(target, (), {}, inline_keyboard(request.json("reply_markup")))


def _delete_one(state: FakeBotState, chat: dict[str, Any], message_id: Any) -> None:
    stored = state.chats.find(chat["id"], message_id)
    if stored is None:
        raise bad_request("message to delete not found")
    if not stored.by_bot and chat["type"] != "private" and not state.chats.is_admin(chat["id"], state.bot_id):
        raise bad_request("message can't be deleted")
    state.chats.delete(chat["id"], int(message_id))
    state.reactions.forget_message(chat["id"], int(message_id))


def delete_message(state: FakeBotState, request: MethodRequest) -> bool:
    chat = state.chats.chat(request.require("chat_id"))
    _delete_one(state, chat, request.require("message_id"))
    return True


def delete_messages(state: FakeBotState, request: MethodRequest) -> bool:
    chat = state.chats.chat(request.require("chat_id"))
    message_ids = request.json("message_ids")
    if not isinstance(message_ids, list) or not 1 <= len(message_ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 message identifiers")
    for message_id in message_ids:
        if state.chats.find(chat["id"], message_id) is not None:
            _delete_one(state, chat, message_id)
    return True


def set_message_reaction(state: FakeBotState, request: MethodRequest) -> bool:
    chat = state.chats.chat(request.require("chat_id"))
    message_id = request.integer("message_id")
    if message_id is None or state.chats.find(chat["id"], message_id) is None:
        raise bad_request("MESSAGE_ID_INVALID")
    state.reactions.set(chat["id"], message_id, request.json("reaction"))
    return True


METHODS = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageMedia": edit_message_media,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "setMessageReaction": set_message_reaction,
}
