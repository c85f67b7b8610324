"""Reading Bot API parameters from JSON, urlencoded, query-string and multipart bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, MultipartReader, hdrs, web

from tests.fakes.telegram_types import ApiError, UploadedFile, bad_request

# Fields that Telegram declares as String: never JSON-decode them, even when they look like a number.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "query", "title", "performer", "description", "short_description", "name",
        "parse_mode", "inline_message_id", "callback_query_id", "inline_query_id", "url", "file_id",
        "emoji", "action", "language_code", "next_offset", "switch_pm_text", "switch_pm_parameter",
        "message_effect_id", "business_connection_id", "secret_token", "ip_address", "file_name",
        "photo", "video", "audio", "document", "animation", "voice", "video_note", "sticker",
        "thumbnail", "cover", "certificate", "custom_title", "start_parameter",
    }
)  # fmt: skip
_JSON_LOOKING = re.compile(r"^\s*(?:[\[{]|true$|false$|null$|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$)")


@dataclass
class ParsedRequest:
    params: dict[str, Any]
    files: dict[str, UploadedFile]

    @property
    def upload_size(self) -> int:
        return sum(part.size for part in self.files.values())


def decode_field(name: str, raw: str) -> Any:
    """Form fields carry JSON-serialized values (`42`, `true`, `{"inline_keyboard": ...}`)."""
    if name in _STRING_FIELDS or not _JSON_LOOKING.match(raw):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {name: decode_field(name, raw) for name, raw in pairs}


async def read_multipart(reader: MultipartReader) -> ParsedRequest:
    fields: list[tuple[str, str]] = []
    files: dict[str, UploadedFile] = {}
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            raise bad_request("can't parse multipart request body")
        if part.filename is None:
            fields.append((part.name, await part.text()))
            continue
        data = bytes(await part.read(decode=False))
        files[part.name] = UploadedFile(part.name, part.filename, part.headers.get(hdrs.CONTENT_TYPE), data)
    return ParsedRequest(decode_fields(fields), files)


def parse_json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        params = json.loads(body)
    except ValueError as error:
        raise bad_request("can't parse JSON object") from error
    if not isinstance(params, dict):
        raise bad_request("JSON object expected")
    return params


async def read_api_request(request: web.Request) -> ParsedRequest:
    """Parameters of one API request; the query string counts too, as on the real server."""
    parsed = ParsedRequest(decode_fields(request.query.items()), {})
    if request.method != "POST":
        return parsed
    if request.content_type.startswith("multipart/"):
        body = await read_multipart(await request.multipart())
    elif request.content_type == "application/json":
        body = ParsedRequest(parse_json_object(await request.read()), {})
    else:
        text = await request.text()
        body = ParsedRequest(decode_fields(parse_qsl(text, keep_blank_values=True)), {})
    parsed.params.update(body.params)
    parsed.files.update(body.files)
    return parsed


async def read_api_request_safely(request: web.Request) -> ParsedRequest:
    try:
        return await read_api_request(request)
    except ApiError:
        raise
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request("can't parse request body") from error
