"""Webhook delivery: while a webhook is set, pending updates are POSTed to it one at a time.

A webhook may answer with a method call in its response body (aiogram does so with
`handle_in_background=False`); that call is executed and recorded like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import ClientError, ClientResponse, ClientSession, ClientTimeout, MultipartReader

from tests.fakes.telegram_request import ParsedRequest, parse_json_object, read_multipart
from tests.fakes.telegram_state import FakeBotState
from tests.fakes.telegram_types import ApiError

Executor = Callable[[str, ParsedRequest], Any]
_DELIVERY_TIMEOUT = ClientTimeout(total=30)
_MAX_BACKOFF = 2.0


class WebhookSender:
    def __init__(self, state: FakeBotState, execute: Executor) -> None:
        self._state = state
        self._execute = execute
        self._session: ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._session = ClientSession()
        self._task = asyncio.create_task(self._run(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        failures = 0
        updates = self._state.updates
        while True:
            webhook = self._state.webhook
            batch = updates.next_batch(1) if webhook else []
            if not webhook or not batch:
                await updates.arrived.wait()
                continue
            if await self._deliver(webhook, batch[0]):
                failures = 0
                updates.mark_delivered(batch)
                updates.confirm(batch[0]["update_id"] + 1)
            else:
                failures += 1
                await asyncio.sleep(min(0.05 * 2**failures, _MAX_BACKOFF))  # Telegram retries with backoff too

    async def _deliver(self, webhook: dict[str, Any], update: dict[str, Any]) -> bool:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
        try:
            async with self._session.post(
                webhook["url"], data=json.dumps(update), headers=headers, timeout=_DELIVERY_TIMEOUT
            ) as response:
                if response.status >= 300:
                    self._note_error(webhook, f"Wrong response from the webhook: {response.status} {response.reason}")
                    return False
                reply = await _method_in_reply(response)
        except (ClientError, TimeoutError) as error:
            self._note_error(webhook, f"Connection failed: {type(error).__name__}")
            return False
        if reply is not None:
            self._execute(*reply)
        return True

    def _note_error(self, webhook: dict[str, Any], message: str) -> None:
        webhook["last_error_date"] = self._state.now()
        webhook["last_error_message"] = message


async def _method_in_reply(response: ClientResponse) -> tuple[str, ParsedRequest] | None:
    try:
        if response.content_type.startswith("multipart/"):
            parsed = await read_multipart(MultipartReader(response.headers, response.content))
        elif response.content_type == "application/json":
            parsed = ParsedRequest(parse_json_object(await response.read()), {})
        else:
            return None
    except ApiError:
        return None
    method = parsed.params.pop("method", None)
    return (str(method), parsed) if method else None
