"""Ephemeral messages (Bot API 10.2): a message in a group that only one member, the receiver, sees.

`sendMessage` with `ephemeral_message_parameters.receiver_user_id` (or the older top-level
`receiver_user_id`). Only in groups and supergroups; the answer is a Message with `message_id` 0, an
`ephemeral_message_id` of its own and `receiver_user`. The others in the chat never see it, so it is kept
apart from the chat's messages. A reply is always strict (allow_sending_without_reply counts as False).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_chats import reply_snapshot
from tests.fakes.telegram_state import FakeBotState, MethodRequest
from tests.fakes.telegram_types import bad_request

GROUP_TYPES = frozenset({"group", "supergroup"})


def receiver_of(request: MethodRequest) -> int | None:
    """The receiver a send names, or None for an ordinary message."""
    parameters = request.json("ephemeral_message_parameters")
    if parameters is None:
        return request.integer("receiver_user_id")
    if not isinstance(parameters, dict) or "receiver_user_id" not in parameters:
        raise bad_request("can't parse ephemeral message parameters JSON object")
    try:
        return int(parameters["receiver_user_id"])
    except (TypeError, ValueError) as error:
        raise bad_request('field "receiver_user_id" must be of type Integer') from error


def is_ephemeral_send(params: dict[str, Any]) -> bool:
    return bool(params.get("ephemeral_message_parameters") or params.get("receiver_user_id"))


def ephemeral_message(
    state: FakeBotState, chat: dict[str, Any], request: MethodRequest, receiver_id: int, content: dict[str, Any]
) -> dict[str, Any]:
    if chat["type"] not in GROUP_TYPES:
        raise bad_request("ephemeral messages can be sent only to group and supergroup chats")
    receiver = state.chats.user(receiver_id)
    if receiver.get("is_bot"):
        raise bad_request("RECEIVER_INVALID")
    message: dict[str, Any] = {
        "message_id": 0,
        "ephemeral_message_id": len(state.ephemeral.get(chat["id"], [])) + 1,
        "from": state.bot_user,
        "chat": chat,
        "date": state.now(),
        "receiver_user": receiver,
    }
    replied = _strict_reply(state, chat, request)
    if replied is not None:
        message["reply_to_message"] = replied
    message |= content
    state.ephemeral.setdefault(chat["id"], []).append(message)
    return message


def _strict_reply(state: FakeBotState, chat: dict[str, Any], request: MethodRequest) -> dict[str, Any] | None:
    parameters = request.json("reply_parameters")
    if not parameters:
        return None
    if not isinstance(parameters, dict):
        raise bad_request("can't parse reply parameters JSON object")
    stored = state.chats.find(chat["id"], parameters.get("message_id"))
    if stored is None:
        raise bad_request("message to be replied not found")
    return reply_snapshot(stored.message)
