"""Chats, users and the messages in them, as the fake server remembers them."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_types import bad_request

GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
_CONTENT_KEYS = (
    "text", "entities", "caption", "caption_entities", "photo", "video", "audio", "document", "animation",
    "voice", "video_note", "sticker", "has_media_spoiler", "show_caption_above_media",
)  # fmt: skip
MEDIA_KEYS = ("photo", "video", "audio", "document", "animation", "voice", "video_note", "sticker")


@dataclass
class StoredMessage:
    message: dict[str, Any]
    by_bot: bool


def default_chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "User"}
    chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": chat_type, "title": "Group"}


def content_of(message: dict[str, Any]) -> dict[str, Any]:
    """What a copy or forward of the message shows."""
    return {key: message[key] for key in _CONTENT_KEYS if key in message}


def reply_snapshot(message: dict[str, Any]) -> dict[str, Any]:
    """reply_to_message never nests a further reply_to_message."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}


class ChatStore:
    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self.admins: dict[int, list[int]] = {}
        self.blocked: set[int] = set()

    # --- chats and users ---
    def remember_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        self._chats[chat["id"]] = chat
        return chat

    def remember_user(self, user: dict[str, Any]) -> dict[str, Any]:
        self._users[user["id"]] = user
        return user

    def known_chat(self, chat_id: int) -> dict[str, Any] | None:
        return self._chats.get(chat_id)

    def user(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_user["id"]:
            return self.bot_user
        return self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}

    def chat(self, chat_id: Any) -> dict[str, Any]:
        """The chat a request names; unknown numeric ids are created on first use (see the module notes)."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            username = chat_id[1:].lower()
            found = next((c for c in self._chats.values() if str(c.get("username", "")).lower() == username), None)
            if found is None:
                raise bad_request("chat not found")
            return found
        try:
            numeric = int(chat_id)
        except (TypeError, ValueError) as error:
            raise bad_request("chat not found") from error
        if numeric == 0 or isinstance(chat_id, bool):
            raise bad_request("chat not found")
        return self._chats.get(numeric) or self.remember_chat(default_chat(numeric))

    def is_admin(self, chat_id: int, user_id: int) -> bool:
        return user_id in self.admins.get(chat_id, [])

    # --- messages ---
    def next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def add(self, message: dict[str, Any], *, by_bot: bool) -> dict[str, Any]:
        chat_id = message["chat"]["id"]
        self._messages.setdefault(chat_id, {})[message["message_id"]] = StoredMessage(message, by_bot)
        return message

    def find(self, chat_id: int, message_id: Any) -> StoredMessage | None:
        try:
            return self._messages.get(chat_id, {}).get(int(message_id))
        except (TypeError, ValueError):
            return None

    def replace(self, message: dict[str, Any]) -> None:
        stored = self.find(message["chat"]["id"], message["message_id"])
        if stored is not None:
            stored.message = message

    def delete(self, chat_id: int, message_id: int) -> bool:
        return self._messages.get(chat_id, {}).pop(message_id, None) is not None

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        stored = self._messages.get(chat_id, {})
        return [copy.deepcopy(s.message) for _, s in sorted(stored.items()) if s.by_bot]
