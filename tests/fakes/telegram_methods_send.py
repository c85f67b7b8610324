"""Bot API methods that put new messages into chats."""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.telegram_chats import content_of
from tests.fakes.telegram_ephemeral import ephemeral_message, receiver_of
from tests.fakes.telegram_media import input_media_request, top_level_request
from tests.fakes.telegram_state import FakeBotState, MethodRequest
from tests.fakes.telegram_types import ApiError, bad_request
from tests.fakes.telegram_validation import (
    CHAT_ACTIONS,
    check_album,
    formatted_caption,
    formatted_text,
    inline_keyboard,
    text_fields,
)


def send_message(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    chat = state.target_chat(request)
    text, entities = formatted_text(request.get("text"), request.get("parse_mode"), request.json("entities"))
    markup = inline_keyboard(request.json("reply_markup"))
    content = text_fields(text, entities) | ({"reply_markup": markup} if markup is not None else {})
    receiver_id = receiver_of(request)
    if receiver_id is not None:
        return ephemeral_message(state, chat, request, receiver_id, content)
    reply_to = state.reply_target(chat, request)
    return state.new_bot_message(chat, text_fields(text, entities), reply_to=reply_to, reply_markup=markup)


def _media_flags(details: dict[str, Any]) -> dict[str, Any]:
    flags = {}
    if details.get("has_spoiler") in (True, "true"):
        flags["has_media_spoiler"] = True
    if details.get("show_caption_above_media") in (True, "true"):
        flags["show_caption_above_media"] = True
    return flags


def _caption_of(details: dict[str, Any]) -> dict[str, Any]:
    entities = details.get("caption_entities")
    return formatted_caption(details.get("caption"), details.get("parse_mode"), entities)


def _send_media(kind: str) -> Any:
    def send(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
        chat = state.target_chat(request)
        params = {**request.params, "caption_entities": request.json("caption_entities")}
        caption = _caption_of(params)
        markup = inline_keyboard(request.json("reply_markup"))
        reply_to = state.reply_target(chat, request)
        media = state.media.build(top_level_request(kind, request.params), request.files)
        content = {kind: media} | caption | _media_flags(request.params)
        if kind == "animation":
            content["document"] = media  # Telegram also fills `document` for animations
        return state.new_bot_message(chat, content, reply_to=reply_to, reply_markup=markup)

    return send


def send_media_group(state: FakeBotState, request: MethodRequest) -> list[dict[str, Any]]:
    chat = state.target_chat(request)
    items = check_album(request.json("media"))
    reply_to = state.reply_target(chat, request)
    contents = []
    for item in items:
        media_request = input_media_request(item)
        caption = _caption_of(item)
        media = state.media.build(media_request, request.files)
        contents.append({media_request.kind: media} | caption | _media_flags(item))
    group_id = str(13_000_000_000_000_000 + secrets.randbelow(10**15))
    return [
        state.new_bot_message(chat, content, reply_to=reply_to, extra={"media_group_id": group_id})
        for content in contents
    ]


def send_chat_action(state: FakeBotState, request: MethodRequest) -> bool:
    state.target_chat(request)
    if request.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _source_message(state: FakeBotState, request: MethodRequest, message_id: Any, verb: str) -> dict[str, Any]:
    source_chat = state.chats.chat(request.require("from_chat_id"))
    stored = state.chats.find(source_chat["id"], message_id)
    if stored is None:
        raise bad_request(f"message to {verb} not found")
    if not content_of(stored.message):
        raise bad_request(f"message can't be {verb}ed" if verb == "forward" else "message can't be copied")
    return stored.message


def _copy_one(state: FakeBotState, request: MethodRequest, chat: dict[str, Any], message_id: Any) -> dict[str, Any]:
    source = _source_message(state, request, message_id, "copy")
    content = content_of(source)
    if request.get("caption") is not None and "text" not in content:
        params = {**request.params, "caption_entities": request.json("caption_entities")}
        content = {k: v for k, v in content.items() if k not in ("caption", "caption_entities")} | _caption_of(params)
    markup = inline_keyboard(request.json("reply_markup"))
    reply_to = state.reply_target(chat, request)
    message = state.new_bot_message(chat, content, reply_to=reply_to, reply_markup=markup)
    return {"message_id": message["message_id"]}


def copy_message(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    chat = state.target_chat(request)
    return _copy_one(state, request, chat, request.require("message_id"))


def copy_messages(state: FakeBotState, request: MethodRequest) -> list[dict[str, Any]]:
    chat = state.target_chat(request)
    copied = []
    for message_id in _message_ids(request):
        try:
            copied.append(_copy_one(state, request, chat, message_id))
        except ApiError as error:
            if error.code != 400:  # Telegram skips messages it cannot copy
                raise
    return copied


def _forward_origin(source: dict[str, Any]) -> dict[str, Any]:
    sender_chat = source.get("sender_chat")
    if sender_chat and sender_chat.get("type") == "channel":
        return {"type": "channel", "chat": sender_chat, "message_id": source["message_id"], "date": source["date"]}
    if sender_chat:
        return {"type": "chat", "sender_chat": sender_chat, "date": source["date"]}
    return {"type": "user", "sender_user": source["from"], "date": source["date"]}


def _forward_one(state: FakeBotState, request: MethodRequest, chat: dict[str, Any], message_id: Any) -> dict:
    source = _source_message(state, request, message_id, "forward")
    content = content_of(source)
    return state.new_bot_message(chat, content, extra={"forward_origin": _forward_origin(source)})


def forward_message(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    chat = state.target_chat(request)
    return _forward_one(state, request, chat, request.require("message_id"))


def forward_messages(state: FakeBotState, request: MethodRequest) -> list[dict[str, Any]]:
    chat = state.target_chat(request)
    forwarded = []
    for message_id in _message_ids(request):
        if state.chats.find(state.chats.chat(request.require("from_chat_id"))["id"], message_id):
            forwarded.append({"message_id": _forward_one(state, request, chat, message_id)["message_id"]})
    return forwarded


def _message_ids(request: MethodRequest) -> list[Any]:
    ids = request.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 message identifiers")
    return ids


METHODS = {
    "sendMessage": send_message,
    "sendPhoto": _send_media("photo"),
    "sendVideo": _send_media("video"),
    "sendAudio": _send_media("audio"),
    "sendDocument": _send_media("document"),
    "sendAnimation": _send_media("animation"),
    "sendVoice": _send_media("voice"),
    "sendVideoNote": _send_media("video_note"),
    "sendSticker": _send_media("sticker"),
    "sendMediaGroup": send_media_group,
    "sendChatAction": send_chat_action,
    "copyMessage": copy_message,
    "copyMessages": copy_messages,
    "forwardMessage": forward_message,
    "forwardMessages": forward_messages,
}
