"""Limits the real Bot API enforces, with the descriptions it answers when they are broken."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.telegram_markup import Entity, auto_entities, parse_formatted, strip_formatted
from tests.fakes.telegram_types import bad_request

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
INLINE_RESULTS_LIMIT = 50
INLINE_RESULT_ID_LIMIT = 64
ALBUM_MIN, ALBUM_MAX = 2, 10
COMMANDS_LIMIT = 100
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
INLINE_RESULT_TYPES = frozenset(
    {
        "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location",
        "venue", "contact", "game", "sticker",
    }
)  # fmt: skip
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)  # fmt: skip


def formatted_text(raw: Any, parse_mode: Any, entities: Any) -> tuple[str, list[Entity]]:
    """A message text after parsing; empty or longer than 4096 characters fails."""
    text, found = _format(raw, parse_mode, entities)
    if not text:
        raise bad_request("message text is empty")
    if len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return text, found


def formatted_caption(raw: Any, parse_mode: Any, entities: Any) -> dict[str, Any]:
    """`caption`/`caption_entities` of a media message (empty when there is no caption)."""
    if raw is None or raw == "":
        return {}
    caption, found = _format(raw, parse_mode, entities)
    if len(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    if not caption:
        return {}
    return {"caption": caption, "caption_entities": found} if found else {"caption": caption}


def _format(raw: Any, parse_mode: Any, entities: Any) -> tuple[str, list[Entity]]:
    if entities is not None and not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    text, found = parse_formatted(str(raw if raw is not None else ""), parse_mode or None, entities)
    text, found = strip_formatted(text, found)
    return text, auto_entities(text, found)


def text_fields(text: str, entities: list[Entity]) -> dict[str, Any]:
    return {"text": text, "entities": entities} if entities else {"text": text}


def inline_keyboard(markup: Any) -> dict[str, Any] | None:
    """The inline keyboard a message will carry; reply keyboards are valid but not part of a Message."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" not in markup:
        if {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            return None
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            _check_button(button)
    if not any(rows):
        return None
    return {"inline_keyboard": [row for row in rows if row]}


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_album(media: Any) -> list[dict[str, Any]]:
    if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
        raise bad_request("can't parse media JSON object")
    if len(media) > ALBUM_MAX:
        raise bad_request("Too much messages to send as an album")
    if len(media) < ALBUM_MIN:
        raise bad_request("media group must include 2-10 items")
    kinds = {item.get("type") for item in media}
    if not kinds <= {"photo", "video", "audio", "document"}:
        raise bad_request("can't parse InputMedia: unsupported media type in an album")
    for alone in ("audio", "document"):
        if alone in kinds and len(kinds) > 1:
            raise bad_request(f"{alone} can't be mixed with other media types")
    return media


def check_inline_results(results: Any) -> list[dict[str, Any]]:
    if not isinstance(results, list) or not all(isinstance(item, dict) for item in results):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > INLINE_RESULTS_LIMIT:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode()) <= INLINE_RESULT_ID_LIMIT:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        if result["type"] == "article" and not (result.get("title") and result.get("input_message_content")):
            raise bad_request('can\'t parse inline query result: Field "title" must be of type String')
        inline_keyboard(result.get("reply_markup"))
        _check_result_text(result.get("input_message_content"))
    return results


def _check_result_text(content: Any) -> None:
    if isinstance(content, dict) and "message_text" in content:
        text, _ = _format(content["message_text"], content.get("parse_mode"), content.get("entities"))
        if not text:
            raise bad_request("MESSAGE_EMPTY")
        if len(text) > TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")


def check_results_button(button: Any) -> None:
    if button is None:
        return
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request('can\'t parse InlineQueryResultsButton: Field "text" must be of type String')
    start = button.get("start_parameter")
    if start is not None and not _START_PARAMETER.fullmatch(str(start)):
        raise bad_request("START_PARAM_INVALID")


def check_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list) or len(commands) > COMMANDS_LIMIT:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    return [{"command": c["command"], "description": c["description"]} for c in commands]
