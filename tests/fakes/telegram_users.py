"""What users do: their messages, button presses and inline queries, turned into updates."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from tests.fakes.telegram_chats import CHANNEL_BOT, GROUP_ANONYMOUS_BOT, default_chat, reply_snapshot
from tests.fakes.telegram_markup import auto_entities
from tests.fakes.telegram_media import MediaRequest
from tests.fakes.telegram_state import FakeBotState
from tests.fakes.telegram_types import UploadedFile
from tests.fakes.telegram_validation import formatted_caption, formatted_text, inline_keyboard, text_fields

_RESULT_MEDIA = {
    "photo": ("photo", "photo_file_id", "photo_url"),
    "video": ("video", "video_file_id", "video_url"),
    "gif": ("animation", "gif_file_id", "gif_url"),
    "mpeg4_gif": ("animation", "mpeg4_file_id", "mpeg4_url"),
    "audio": ("audio", "audio_file_id", "audio_url"),
    "voice": ("voice", "voice_file_id", "voice_url"),
    "document": ("document", "document_file_id", "document_url"),
    "sticker": ("sticker", "sticker_file_id", None),
}
_PLACEHOLDER_BYTES = {
    "video": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64),
    "voice": b"OggS\x00\x02" + bytes(64),
    "sticker": b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64),
    "document": b"%PDF-1.4\n" + bytes(64),
    "audio": b"ID3\x04\x00\x00" + bytes(64),
    "animation": b"\x00\x00\x00\x18ftypmp42" + bytes(64),
}


@dataclass(frozen=True)
class Sender:
    """Who writes a user message, and where."""

    user_id: int | None = None
    chat_type: str = "private"
    language_code: str = "en"
    first_name: str = "User"
    username: str | None = None
    reply_to: int | dict[str, Any] | None = None
    sender_chat: int | dict[str, Any] | None = None
    chat_title: str | None = None


def tiny_jpeg(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


class UserActions:
    def __init__(self, state: FakeBotState) -> None:
        self.state = state

    # --- messages ---
    def text_message(self, chat_id: int, text: str, entities: list[dict] | None, sender: Sender) -> dict[str, Any]:
        found = entities if entities is not None else auto_entities(text, [])
        return self.message(chat_id, text_fields(text, found), sender)

    def media_message(
        self,
        chat_id: int,
        kind: str,
        sender: Sender,
        *,
        caption: str | None = None,
        data: bytes | None = None,
        file_name: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload = data if data is not None else tiny_jpeg() if kind == "photo" else _PLACEHOLDER_BYTES[kind]
        upload = UploadedFile("upload", file_name or f"{kind}.bin", None, payload)
        media = self.state.media.build(MediaRequest(kind, "attach://upload", "", details or {}), {"upload": upload})
        content: dict[str, Any] = {kind: media}
        if caption:
            content["caption"] = caption
            content["caption_entities"] = auto_entities(caption, [])
            if not content["caption_entities"]:
                del content["caption_entities"]
        return self.message(chat_id, content, sender)

    def message(self, chat_id: int, content: dict[str, Any], sender: Sender) -> dict[str, Any]:
        message = self.unseen_message(chat_id, content, sender)
        if self._bot_sees(message["chat"], message):
            self.state.updates.add({"channel_post" if message["chat"]["type"] == "channel" else "message": message})
        return message

    def unseen_message(self, chat_id: int, content: dict[str, Any], sender: Sender) -> dict[str, Any]:
        """A message the bot gets no update for (as in a chat it is not a member of)."""
        chat = self._chat(chat_id, sender)
        message: dict[str, Any] = {"message_id": self.state.chats.next_message_id(chat_id)}
        message |= self._author(chat, sender)
        message |= {"chat": chat, "date": self.state.now()}
        reply_to = self._reply_to(chat_id, sender.reply_to)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message |= content
        self.state.chats.add(message, by_bot=False)
        return message

    def guest_message(self, chat_id: int, text: str, sender: Sender) -> dict[str, Any]:
        """Guest mode (Bot API 10.0): a user mentions the bot in a chat it is not a member of; the bot gets
        this one message, with a `guest_query_id` to answer through answerGuestQuery."""
        content = text_fields(text, auto_entities(text, []))
        message = self.unseen_message(chat_id, content, sender)
        message["guest_query_id"] = self.state.queries.new_guest_query()
        self.state.chats.replace(message)
        return self.state.updates.add({"guest_message": message})

    def _chat(self, chat_id: int, sender: Sender) -> dict[str, Any]:
        chat_type = sender.chat_type
        if chat_id < 0 and chat_type == "private":
            chat_type = default_chat(chat_id)["type"]
        if chat_type == "private":
            user_id = sender.user_id if sender.user_id is not None else chat_id
            if user_id != chat_id:
                raise ValueError("in a private chat the chat id is the user id")
            chat = {"id": chat_id, "type": "private", "first_name": sender.first_name}
            if sender.username:
                chat["username"] = sender.username
        else:
            known = self.state.chats.known_chat(chat_id) or {}
            title = sender.chat_title or known.get("title") or ("Channel" if chat_type == "channel" else "Group")
            chat = {"id": chat_id, "type": chat_type, "title": title}
        if chat != self.state.chats.known_chat(chat_id):
            self.state.chats.remember_chat(chat)
        return self.state.chats.known_chat(chat_id) or chat

    def _author(self, chat: dict[str, Any], sender: Sender) -> dict[str, Any]:
        if sender.sender_chat is not None:
            sender_chat = sender.sender_chat
            if isinstance(sender_chat, int):
                sender_chat = chat if sender_chat == chat["id"] else self.state.chats.chat(sender_chat)
            robot = GROUP_ANONYMOUS_BOT if sender_chat["id"] == chat["id"] else CHANNEL_BOT
            return {"from": robot, "sender_chat": sender_chat}
        if chat["type"] == "channel":
            return {"sender_chat": chat}
        user_id = sender.user_id if sender.user_id is not None else chat["id"]
        if chat["type"] != "private" and sender.user_id is None:
            raise ValueError("a group message needs user_id (or sender_chat)")
        return {"from": self.user(user_id, sender)}

    def user(self, user_id: int, sender: Sender | None = None) -> dict[str, Any]:
        if sender is None:
            return self.state.chats.user(user_id)
        user = {"id": user_id, "is_bot": False, "first_name": sender.first_name}
        if sender.username:
            user["username"] = sender.username
        user["language_code"] = sender.language_code
        return self.state.chats.remember_user(user)

    def _reply_to(self, chat_id: int, reply_to: int | dict[str, Any] | None) -> dict[str, Any] | None:
        if reply_to is None:
            return None
        message_id = reply_to["message_id"] if isinstance(reply_to, dict) else reply_to
        stored = self.state.chats.find(chat_id, message_id)
        if stored is None:
            raise LookupError(f"message {message_id} does not exist in chat {chat_id}")
        return reply_snapshot(stored.message)

    def _bot_sees(self, chat: dict[str, Any], message: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot gets only commands, mentions of it and replies to it."""
        if chat["type"] not in {"group", "supergroup"} or not self.state.privacy_mode:
            return True
        if self.state.chats.is_admin(chat["id"], self.state.bot_id):
            return True
        text = str(message.get("text") or message.get("caption") or "")
        replied = message.get("reply_to_message", {}).get("from", {})
        mention = "@" + str(self.state.bot_user.get("username", "")).lower()
        command = text.split(maxsplit=1)[0].lower() if text.startswith("/") else ""
        for_this_bot = bool(command) and ("@" not in command or command.endswith(mention))
        return for_this_bot or mention in text.lower() or replied.get("id") == self.state.bot_id

    # --- buttons and inline mode ---
    def press_button(self, user_id: int, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        stored = self.state.chats.find(chat_id, message_id)
        if stored is None:
            raise LookupError(f"message {message_id} no longer exists in chat {chat_id}")
        _require_button(stored.message.get("reply_markup"), data)
        query = {
            "id": self.state.queries.new_callback_query(),
            "from": self.user(user_id),
            "message": stored.message,
            "chat_instance": str(-(abs(chat_id) * 7919 + 3) % 10**19),
            "data": data,
        }
        return self.state.updates.add({"callback_query": query})

    def press_inline_button(self, user_id: int, inline_message_id: str, data: str) -> dict[str, Any]:
        content = self.state.queries.inline_messages.get(inline_message_id)
        if content is None:
            raise LookupError(f"inline message {inline_message_id} does not exist")
        _require_button(content.get("reply_markup"), data)
        query = {
            "id": self.state.queries.new_callback_query(),
            "from": self.user(user_id),
            "inline_message_id": inline_message_id,
            "chat_instance": str(int.from_bytes(inline_message_id.encode()[-8:]) % 10**19),
            "data": data,
        }
        return self.state.updates.add({"callback_query": query})

    def inline_query(self, user_id: int, query: str, language_code: str, chat_type: str | None) -> dict:
        user = self.user(user_id) | {"language_code": language_code}
        inline = {"id": self.state.queries.new_inline_query(user_id, query), "from": user, "query": query, "offset": ""}
        if chat_type:
            inline["chat_type"] = chat_type
        return self.state.updates.add({"inline_query": inline})

    def chosen_inline_result(self, user_id: int, result_id: str, query: str, inline_message_id: str | None) -> dict:
        result = self.state.queries.offered_result(user_id, result_id)
        if result is None:
            raise LookupError(f"no answered inline query offered result {result_id!r} to user {user_id}")
        chosen: dict[str, Any] = {"result_id": result_id, "from": self.user(user_id), "query": query}
        if result.get("reply_markup"):
            # Telegram creates an addressable inline message only for results with a keyboard.
            message_id = inline_message_id or self.state.queries.new_inline_message_id()
            self.state.queries.inline_messages[message_id] = inline_message_content(self.state, result)
            chosen["inline_message_id"] = message_id
        elif inline_message_id is not None:
            raise ValueError("a result without reply_markup creates no inline message")
        return self.state.updates.add({"chosen_inline_result": chosen})


def _require_button(markup: dict[str, Any] | None, data: str) -> None:
    buttons = [b.get("callback_data") for row in (markup or {}).get("inline_keyboard", []) for b in row]
    if data not in buttons:
        raise LookupError(f"the message has no button with callback_data {data!r}; it has {buttons}")


def inline_message_content(state: FakeBotState, result: dict[str, Any]) -> dict[str, Any]:
    """What the inline message made from an offered result shows."""
    message_content = result.get("input_message_content") or {}
    if "message_text" in message_content:
        text, entities = formatted_text(
            message_content["message_text"], message_content.get("parse_mode"), message_content.get("entities")
        )
        content = text_fields(text, entities)
    else:
        kind, file_key, url_key = _RESULT_MEDIA[result["type"]]
        reference = result.get(file_key) or (result.get(url_key) if url_key else None)
        details = {"width": result.get(f"{result['type']}_width"), "height": result.get(f"{result['type']}_height")}
        media = state.media.build(MediaRequest(kind, reference, "", details), {})
        caption = formatted_caption(result.get("caption"), result.get("parse_mode"), result.get("caption_entities"))
        content = {kind: media} | caption
    markup = inline_keyboard(result.get("reply_markup"))
    return content | ({"reply_markup": markup} if markup else {})
