"""Bot API methods about the bot itself, chats, files, queries, commands and the webhook."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from tests.fakes.telegram_files import CLOUD_DOWNLOAD_LIMIT
from tests.fakes.telegram_queries import QUERY_EXPIRED
from tests.fakes.telegram_state import FakeBotState, MethodRequest
from tests.fakes.telegram_types import bad_request
from tests.fakes.telegram_users import inline_message_content
from tests.fakes.telegram_validation import (
    CALLBACK_ANSWER_LIMIT,
    check_commands,
    check_inline_results,
    check_results_button,
)

_LANGUAGE_CODE = re.compile(r"[a-z]{2}")
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_send_welcome_messages", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
# Methods whose effect the fake does not model; the real server answers True to them.
_ACCEPTED = (
    "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
    "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages",
    "leaveChat", "setChatTitle", "setChatDescription", "setChatPermissions", "banChatMember",
    "unbanChatMember", "restrictChatMember", "promoteChatMember", "approveChatJoinRequest",
    "declineChatJoinRequest", "logOut", "close",
)  # fmt: skip


def get_me(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    return state.bot_user | {
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def set_webhook(state: FakeBotState, request: MethodRequest) -> bool:
    url = str(request.get("url", ""))
    if url and not re.match(r"https?://", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if request.flag("drop_pending_updates"):
        state.updates.drop_all()
    state.updates.set_allowed(request.json("allowed_updates"))
    state.webhook = None
    if url:
        state.webhook = {
            "url": url,
            "secret_token": request.get("secret_token"),
            "max_connections": request.integer("max_connections") or 40,
        }
    state.updates.arrived.fire()  # wakes the webhook sender
    return True


def delete_webhook(state: FakeBotState, request: MethodRequest) -> bool:
    if request.flag("drop_pending_updates"):
        state.updates.drop_all()
    state.webhook = None
    return True


def get_webhook_info(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count,
    }
    if state.webhook:
        info |= {key: value for key, value in state.webhook.items() if key != "secret_token" and value is not None}
    return info


def _commands_key(request: MethodRequest) -> tuple[str, str]:
    scope = request.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = str(request.get("language_code", ""))
    if language and not _LANGUAGE_CODE.fullmatch(language):
        raise bad_request("LANG_CODE_INVALID")
    parts = [str(scope["type"])] + [str(scope[key]) for key in ("chat_id", "user_id") if key in scope]
    return ":".join(parts), language


def set_my_commands(state: FakeBotState, request: MethodRequest) -> bool:
    commands = check_commands(request.json("commands"))
    state.commands[_commands_key(request)] = commands
    return True


def get_my_commands(state: FakeBotState, request: MethodRequest) -> list[dict[str, str]]:
    return list(state.commands.get(_commands_key(request), []))


def delete_my_commands(state: FakeBotState, request: MethodRequest) -> bool:
    state.commands.pop(_commands_key(request), None)
    return True


def answer_callback_query(state: FakeBotState, request: MethodRequest) -> bool:
    if len(str(request.get("text", ""))) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    state.queries.answer_callback_query(request.require("callback_query_id"))
    return True


def answer_inline_query(state: FakeBotState, request: MethodRequest) -> bool:
    results = check_inline_results(request.json("results"))
    check_results_button(request.json("button"))
    for result in results:
        _check_result_files(state, result)
    if not request.get("inline_query_id"):
        raise bad_request(QUERY_EXPIRED)
    state.queries.answer_inline_query(request.get("inline_query_id"), results)
    return True


def answer_guest_query(state: FakeBotState, request: MethodRequest) -> dict[str, str]:
    """Guest mode: the one answer to a guest message, sent into its chat as an inline message of the bot
    (SentGuestMessage); it can be edited later by its inline_message_id like a chosen inline result."""
    [result] = check_inline_results([request.json("result")])
    _check_result_files(state, result)
    content = inline_message_content(state, result)
    inline_message_id = state.queries.answer_guest_query(request.require("guest_query_id"))
    state.queries.inline_messages[inline_message_id] = content
    return {"inline_message_id": inline_message_id}


_RESULT_FILE_IDS = {
    "photo_file_id": "photo", "video_file_id": "video", "audio_file_id": "audio", "voice_file_id": "voice",
    "document_file_id": "document", "gif_file_id": "animation", "mpeg4_file_id": "animation",
    "sticker_file_id": "sticker",
}  # fmt: skip


def _check_result_files(state: FakeBotState, result: dict[str, Any]) -> None:
    for key, kind in _RESULT_FILE_IDS.items():
        if result.get(key):
            state.files.lookup_kind(str(result[key]), kind)


def get_chat(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    chat = state.chats.chat(request.require("chat_id"))
    info = chat | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat["id"] in state.reactions.disabled_chats:
        info["available_reactions"] = []
    return info


def chat_member(state: FakeBotState, chat_id: int, user_id: int) -> dict[str, Any]:
    user = state.chats.user(user_id)
    admins = state.chats.admins.get(chat_id, [])
    if admins and admins[0] == user_id:
        return {"status": "creator", "user": user, "is_anonymous": False}
    if user_id in admins:
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False} | rights
    return {"status": "member", "user": user}


def get_chat_member(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    chat = state.chats.chat(request.require("chat_id"))
    user_id = request.integer("user_id")
    if user_id is None:
        raise bad_request("user_id is empty")
    return chat_member(state, chat["id"], user_id)


def get_chat_administrators(state: FakeBotState, request: MethodRequest) -> list[dict[str, Any]]:
    chat = state.chats.chat(request.require("chat_id"))
    if chat["type"] == "private":
        raise bad_request("there are no administrators in the private chat")
    return [chat_member(state, chat["id"], user_id) for user_id in state.chats.admins.get(chat["id"], [])]


def get_chat_member_count(state: FakeBotState, request: MethodRequest) -> int:
    chat = state.chats.chat(request.require("chat_id"))
    return 2 if chat["type"] == "private" else max(len(state.chats.admins.get(chat["id"], [])), 2)


def get_file(state: FakeBotState, request: MethodRequest) -> dict[str, Any]:
    stored = state.files.lookup(str(request.require("file_id")))
    if not state.is_local and stored.size > CLOUD_DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    file_path = stored.file_path
    if state.is_local:
        # A local Bot API server answers an absolute path on its own disk.
        if state.local_dir is None:
            state.local_dir = Path(tempfile.mkdtemp(prefix="fake-telegram-"))
        local_path = state.local_dir / stored.file_path
        if not local_path.exists():
            local_path.parent.mkdir(parents=True, exist_ok=True)
            local_path.write_bytes(stored.data)
        file_path = str(local_path)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": file_path,
    }


def _accepted(state: FakeBotState, request: MethodRequest) -> bool:
    return True


METHODS = {
    "getMe": get_me,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "answerGuestQuery": answer_guest_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "getFile": get_file,
    **dict.fromkeys(_ACCEPTED, _accepted),
}
