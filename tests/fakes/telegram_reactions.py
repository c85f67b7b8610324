"""Message reactions set by the bot (setMessageReaction)."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_types import bad_request

# Telegram's fixed list of standard reactions that bots may set.
STANDARD_REACTIONS = frozenset(
    [
        "❤", "👍", "👎", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏",
        "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔",
        "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇",
        "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊",
        "🙊", "😎", "👾", "🤷‍♂", "🤷", "🤷‍♀", "😡",
    ]
)  # fmt: skip
MAX_BOT_REACTIONS = 1


class ReactionStore:
    def __init__(self) -> None:
        self._current: dict[tuple[int, int], list[dict[str, str]]] = {}
        self._history: dict[tuple[int, int], list[list[str]]] = {}
        self.disabled_chats: set[int] = set()

    def set(self, chat_id: int, message_id: int, reaction: Any) -> None:
        emojis = self._validated(chat_id, reaction)
        key = (chat_id, message_id)
        self._current[key] = [{"type": "emoji", "emoji": emoji} for emoji in emojis]
        self._history.setdefault(key, []).append(emojis)

    def _validated(self, chat_id: int, reaction: Any) -> list[str]:
        if reaction is None:
            return []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        if chat_id in self.disabled_chats and reaction:
            raise bad_request("REACTION_INVALID")
        if len(reaction) > MAX_BOT_REACTIONS:
            raise bad_request("REACTIONS_TOO_MANY")
        emojis = []
        for item in reaction:
            if not isinstance(item, dict) or item.get("type") != "emoji" or item.get("emoji") not in STANDARD_REACTIONS:
                raise bad_request("REACTION_INVALID")
            emojis.append(item["emoji"])
        return emojis

    def current(self, chat_id: int, message_id: int) -> list[dict[str, str]]:
        return [dict(item) for item in self._current.get((chat_id, message_id), [])]

    def history(self, chat_id: int, message_id: int) -> list[list[str]]:
        return [list(step) for step in self._history.get((chat_id, message_id), [])]

    def forget_message(self, chat_id: int, message_id: int) -> None:
        self._current.pop((chat_id, message_id), None)
