"""Everything one fake bot account knows, and the request view that method handlers read."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.telegram_chats import ChatStore, reply_snapshot
from tests.fakes.telegram_files import CLOUD_UPLOAD_LIMIT, LOCAL_UPLOAD_LIMIT, FileStore
from tests.fakes.telegram_media import MediaFactory
from tests.fakes.telegram_queries import QueryStore
from tests.fakes.telegram_reactions import ReactionStore
from tests.fakes.telegram_types import UploadedFile, bad_request, forbidden
from tests.fakes.telegram_updates import UpdateQueue


@dataclass
class MethodRequest:
    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value

    def require(self, name: str) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f'field "{name}" must be of type Integer') from error

    def flag(self, name: str) -> bool:
        value = self.params.get(name)
        return value is True or value == "true"

    def json(self, name: str) -> Any:
        """An Object/Array parameter; form bodies carry it as JSON text."""
        value = self.params.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as error:
            raise bad_request(f"can't parse {name} JSON object") from error


@dataclass
class FakeBotState:
    token: str
    bot_user: dict[str, Any]
    chats: ChatStore
    files: FileStore
    media: MediaFactory
    reactions: ReactionStore
    queries: QueryStore
    updates: UpdateQueue
    is_local: bool = False
    privacy_mode: bool = False
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    local_dir: Path | None = None
    ephemeral: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # chat id -> ephemeral messages
    clock: Callable[[], float] = time.time

    @classmethod
    def create(cls, token: str, bot_user: dict[str, Any], *, is_local: bool, privacy_mode: bool) -> FakeBotState:
        files = FileStore()
        return cls(
            token=token,
            bot_user=bot_user,
            chats=ChatStore(bot_user),
            files=files,
            media=MediaFactory(files),
            reactions=ReactionStore(),
            queries=QueryStore(),
            updates=UpdateQueue(),
            is_local=is_local,
            privacy_mode=privacy_mode,
        )

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    @property
    def upload_limit(self) -> int:
        return LOCAL_UPLOAD_LIMIT if self.is_local else CLOUD_UPLOAD_LIMIT

    def now(self) -> int:
        return int(self.clock())

    def target_chat(self, request: MethodRequest) -> dict[str, Any]:
        """The chat a sending method writes into; a user who blocked the bot cannot be written to."""
        chat = self.chats.chat(request.require("chat_id"))
        if chat["id"] in self.chats.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def reply_target(self, chat: dict[str, Any], request: MethodRequest) -> dict[str, Any] | None:
        """The message being replied to, or None; a missing one fails unless allow_sending_without_reply."""
        parameters = request.json("reply_parameters")
        if parameters is None and request.get("reply_to_message_id") is not None:
            parameters = {
                "message_id": request.get("reply_to_message_id"),
                "allow_sending_without_reply": request.flag("allow_sending_without_reply"),
            }
        if not parameters:
            return None
        if not isinstance(parameters, dict):
            raise bad_request("can't parse reply parameters JSON object")
        reply_chat = self.chats.chat(parameters["chat_id"]) if parameters.get("chat_id") else chat
        stored = self.chats.find(reply_chat["id"], parameters.get("message_id"))
        if stored is None:
            if parameters.get("allow_sending_without_reply") in (True, "true"):
                return None
            raise bad_request("message to be replied not found")
        return reply_snapshot(stored.message) if reply_chat["id"] == chat["id"] else None

    def new_bot_message(
        self,
        chat: dict[str, Any],
        content: dict[str, Any],
        *,
        reply_to: dict[str, Any] | None = None,
        reply_markup: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": self.chats.next_message_id(chat["id"])}
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user
        message |= {"chat": chat, "date": self.now()}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message |= content | (extra or {})
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        return self.chats.add(message, by_bot=True)
