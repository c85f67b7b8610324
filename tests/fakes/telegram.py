"""A fake Telegram Bot API server on 127.0.0.1 that the real aiogram client talks to.

    async with FakeTelegram() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
        tg.send_message(42, "hello")                       # a user writes to the bot
        call = await tg.wait_for_call("sendMessage")        # what the bot answered

Deliberate simplifications: an unknown numeric chat id is created on first use (positive = private chat,
-100… = supergroup, other negative = group; `add_chat` makes channels); files sent by URL are accepted
without downloading (their bytes are empty); webhook URLs may be plain http on any port.
"""

from __future__ import annotations

import asyncio
import copy
import shutil
import time
from collections.abc import Callable, Iterable
from operator import attrgetter
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.fakes import telegram_methods_edit, telegram_methods_misc, telegram_methods_send
from tests.fakes.telegram_ephemeral import is_ephemeral_send as _is_ephemeral
from tests.fakes.telegram_failures import FailurePlan, ParamsPredicate
from tests.fakes.telegram_files import LOCAL_UPLOAD_LIMIT
from tests.fakes.telegram_gateway import Misbehaviour, MisbehaviourPlan, broken_answer
from tests.fakes.telegram_markup import auto_entities
from tests.fakes.telegram_request import ParsedRequest, read_api_request_safely
from tests.fakes.telegram_state import FakeBotState, MethodRequest
from tests.fakes.telegram_types import ApiCall, ApiError, UploadedFile
from tests.fakes.telegram_updates import Pulse
from tests.fakes.telegram_users import Sender, UserActions
from tests.fakes.telegram_validation import text_fields
from tests.fakes.telegram_webhook import WebhookSender

__all__ = ["ApiCall", "ApiError", "FakeTelegram", "Misbehaviour", "UploadedFile"]

_HANDLERS = {
    name.lower(): handler
    for module in (telegram_methods_send, telegram_methods_edit, telegram_methods_misc)
    for name, handler in module.METHODS.items()
}
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
CallPredicate = Callable[[ApiCall], bool]


class FakeTelegram:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "tt_test_bot",
        *,
        bot_first_name: str = "TT Test Bot",
        is_local: bool = False,
        privacy_mode: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        bot_user = {"id": self.bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}
        self._state = FakeBotState.create(token, bot_user, is_local=is_local, privacy_mode=privacy_mode)
        self._users = UserActions(self._state)
        self._failures = FailurePlan()
        self._misbehaviours = MisbehaviourPlan()
        self._calls: list[ApiCall] = []
        self._call_arrived = Pulse()
        self._webhook = WebhookSender(self._state, self._execute)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.poll_times: list[float] = []  # monotonic arrival time of every getUpdates

    # ------------------------------------------------------------------ lifecycle
    async def start(self, port: int = 0) -> Self:
        """Listen on `port` (any free one by default: a test that starts a bot before Telegram names one)."""
        # is_local may be switched on after start, so accept local-server sizes and check the limit per call
        app = web.Application(client_max_size=LOCAL_UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._webhook.start()
        return self

    async def stop(self) -> None:
        self._state.updates.close()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._state.local_dir is not None:
            shutil.rmtree(self._state.local_dir, ignore_errors=True)
            self._state.local_dir = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def is_local(self) -> bool:
        return self._state.is_local

    @is_local.setter
    def is_local(self, value: bool) -> None:
        self._state.is_local = value

    @property
    def privacy_mode(self) -> bool:
        return self._state.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, value: bool) -> None:
        self._state.privacy_mode = value

    # ------------------------------------------------------------------ HTTP
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method, arrived = request.match_info["method"], time.monotonic()
        try:
            parsed = await read_api_request_safely(request)
        except ApiError as error:
            parsed = ParsedRequest({}, {})
            return self._respond(*self._record(method, parsed, arrived, error))
        if request.match_info["token"] != self.token:
            return self._respond(*self._record(method, parsed, arrived, ApiError(401, "Unauthorized")))
        misbehaviour = self._misbehaviours.take(method, parsed.params)
        if misbehaviour is not None:
            self._record(method, parsed, arrived, ApiError(*misbehaviour.recorded_error))
            return await broken_answer(request, misbehaviour)
        if method.lower() == "getupdates":
            return await self._get_updates(parsed)
        return self._respond(*self._execute(method, parsed, arrived))

    @staticmethod
    def _respond(status: int, payload: dict[str, Any]) -> web.Response:
        return web.json_response(payload, status=status)

    async def _get_updates(self, parsed: ParsedRequest) -> web.Response:
        self.poll_times.append(time.monotonic())
        request = MethodRequest("getUpdates", parsed.params)
        try:
            failure = self._failures.take("getUpdates", parsed.params)
            if failure is not None:
                raise failure
            if self._state.webhook is not None:
                raise ApiError(409, _WEBHOOK_ACTIVE)
            self._state.updates.set_allowed(request.json("allowed_updates"))
            limit = min(max(request.integer("limit") or 100, 1), 100)
            timeout = max(request.integer("timeout") or 0, 0)
            updates = await self._state.updates.poll(request.integer("offset"), limit, timeout)
        except ApiError as error:
            return self._respond(error.code, error.payload())
        return self._respond(200, {"ok": True, "result": updates})

    def _execute(self, method: str, parsed: ParsedRequest, arrived: float | None = None) -> tuple[int, dict[str, Any]]:
        try:
            result = self._run(method, parsed)
        except ApiError as error:
            return self._record(method, parsed, arrived, error)
        return self._record(method, parsed, arrived, result=result)

    def _run(self, method: str, parsed: ParsedRequest) -> Any:
        failure = self._failures.take(method, parsed.params)
        if failure is not None:
            raise failure
        if parsed.upload_size > self._state.upload_limit:
            raise ApiError(413, "Request Entity Too Large")
        handler = _HANDLERS.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(self._state, MethodRequest(method, parsed.params, parsed.files))

    def _record(
        self,
        method: str,
        parsed: ParsedRequest,
        arrived: float | None,  # None: a method in a webhook's reply, which arrives whole
        error: ApiError | None = None,
        result: Any = None,
    ) -> tuple[int, dict[str, Any]]:
        now = time.monotonic()
        call = ApiCall(method, parsed.params, parsed.files, at=now, arrived_at=now if arrived is None else arrived)
        if error is None:
            call.result = result
            status, payload = 200, {"ok": True, "result": result}
        else:
            call.error = (error.code, error.description)
            status, payload = error.code, error.payload()
        self._calls.append(call)
        self._call_arrived.fire()
        return status, payload

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._state.files.by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    # ------------------------------------------------------------------ what the bot did
    @property
    def calls(self) -> list[ApiCall]:
        return list(self._calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self._calls if call.method.lower() == method.lower()]

    async def wait_for_call(
        self, method: str, predicate: CallPredicate | None = None, timeout: float = 10.0
    ) -> ApiCall:
        """The first call of `method` (made already or arriving later) that matches the predicate."""
        return (await self.wait_for_calls(method, 1, predicate=predicate, timeout=timeout))[0]

    async def wait_for_calls(
        self, method: str, count: int, *, predicate: CallPredicate | None = None, timeout: float = 10.0
    ) -> list[ApiCall]:
        found: list[ApiCall] = []
        checked = 0
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for call in self._calls[checked:]:
                        if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                            found.append(call)
                            if len(found) == count:
                                return found
                    checked = len(self._calls)
                    await self._call_arrived.wait()
        except TimeoutError:
            seen = ", ".join(f"{c.method}{'!' if c.error else ''}" for c in self._calls[-30:]) or "none"
            raise TimeoutError(
                f"expected {count} matching {method} call(s) within {timeout}s, got {len(found)}; "
                f"recent calls (! = failed): {seen}"
            ) from None

    def max_calls_in_window(
        self,
        methods: Iterable[str] | None = None,
        window: float = 1.0,
        *,
        chat_id: Any = None,
        moment: Callable[[ApiCall], float] = attrgetter("at"),
    ) -> int:
        """The most calls of `methods` (all when None) that fell into any `window` seconds, each call placed
        at its `moment` (when it was answered unless told otherwise)."""
        wanted = {m.lower() for m in methods} if methods is not None else None
        times = sorted(
            moment(call)
            for call in self._calls
            if (wanted is None or call.method.lower() in wanted)
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        )
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ------------------------------------------------------------------ state the fake keeps
    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent into the chat that still exist, oldest first."""
        return self._state.chats.bot_messages(chat_id)

    def ephemeral_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Ephemeral messages the bot sent into the group, oldest first; each names its `receiver_user`."""
        return copy.deepcopy(self._state.ephemeral.get(chat_id, []))

    def reactions(self, chat_id: int, message_id: int) -> list[dict[str, str]]:
        return self._state.reactions.current(chat_id, message_id)

    def reaction_history(self, chat_id: int, message_id: int) -> list[list[str]]:
        return self._state.reactions.history(chat_id, message_id)

    def file_bytes(self, file_id: str) -> bytes:
        stored = self._state.files.find(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.data

    def forget_file_ids(self) -> None:
        self._state.files.forget_all()

    def inline_message(self, inline_message_id: str) -> dict[str, Any] | None:
        """Current content of an inline message (text or media, caption, reply_markup)."""
        return self._state.queries.inline_messages.get(inline_message_id)

    def set_chat_admins(self, chat_id: int, user_ids: list[int]) -> None:
        """Administrators of a group; the first one is its creator. Include `tg.bot_id` to make the bot admin."""
        self._state.chats.admins[chat_id] = list(user_ids)

    def set_reactions_allowed(self, chat_id: int, allowed: bool) -> None:
        if allowed:
            self._state.reactions.disabled_chats.discard(chat_id)
        else:
            self._state.reactions.disabled_chats.add(chat_id)

    def add_chat(self, chat_id: int, chat_type: str, *, title: str | None = None, username: str | None = None) -> dict:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = title or "User"
        else:
            chat["title"] = title or chat_type.title()
        if username:
            chat["username"] = username
        return self._state.chats.remember_chat(chat)

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """Last setMyCommands per (scope, language): scope "default", "all_private_chats", "chat:<id>", …;
        language "" when none was given."""
        return dict(self._state.commands)

    @property
    def webhook(self) -> dict[str, Any] | None:
        return dict(self._state.webhook) if self._state.webhook else None

    # ------------------------------------------------------------------ inject updates
    def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        entities: list[dict[str, Any]] | None = None,
        first_name: str = "User",
        username: str | None = None,
        reply_to: int | dict[str, Any] | None = None,
        sender_chat: int | dict[str, Any] | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A user writes `text`; entities (links, commands, mentions) are detected unless given."""
        sender = Sender(user_id, chat_type, language_code, first_name, username, reply_to, sender_chat, chat_title)
        return self._users.text_message(chat_id, text, entities, sender)

    def send_photo(self, chat_id: int, caption: str | None = None, *, data: bytes | None = None, **sender: Any) -> dict:
        """A user sends a photo (a small real JPEG unless `data` is given); keywords as for send_message."""
        return self._users.media_message(chat_id, "photo", Sender(**sender), caption=caption, data=data)

    def send_video(
        self,
        chat_id: int,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        duration: int = 5,
        width: int = 720,
        height: int = 1280,
        **sender: Any,
    ) -> dict[str, Any]:
        details = {"duration": duration, "width": width, "height": height}
        return self._users.media_message(
            chat_id, "video", Sender(**sender), caption=caption, data=data, file_name="video.mp4", details=details
        )

    def send_voice(self, chat_id: int, *, data: bytes | None = None, duration: int = 3, **sender: Any) -> dict:
        details = {"duration": duration}
        return self._users.media_message(chat_id, "voice", Sender(**sender), data=data, details=details)

    def send_sticker(self, chat_id: int, *, emoji: str = "😀", **sender: Any) -> dict[str, Any]:
        return self._users.media_message(chat_id, "sticker", Sender(**sender), details={"emoji": emoji})

    def send_document(
        self,
        chat_id: int,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        file_name: str = "file.pdf",
        **sender: Any,
    ) -> dict[str, Any]:
        return self._users.media_message(
            chat_id, "document", Sender(**sender), caption=caption, data=data, file_name=file_name
        )

    def guest_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int,
        chat_type: str = "supergroup",
        language_code: str = "en",
        reply_to: int | dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Guest mode: the user mentions the bot in a chat it is not a member of (the `guest_message`
        update, with `guest_query_id`); `reply_to` is a message of that chat (see `unseen_message`)."""
        sender = Sender(user_id, chat_type, language_code, reply_to=reply_to)
        return self._users.guest_message(chat_id, text, sender)

    def unseen_message(
        self, chat_id: int, text: str, *, user_id: int, chat_type: str = "supergroup", language_code: str = "en"
    ) -> dict[str, Any]:
        """Someone writes in a chat the bot is not a member of: no update, but a guest message can reply to it."""
        sender = Sender(user_id, chat_type, language_code)
        return self._users.unseen_message(chat_id, text_fields(text, auto_entities(text, [])), sender)

    def guest_answer(self, guest_query_id: str) -> str | None:
        """The inline_message_id of the bot's answer to a guest message, once answered."""
        return self._state.queries.guest_answers.get(guest_query_id)

    def delete_user_message(self, chat_id: int, message_id: int) -> None:
        """The user deleted the message: replies to it then need allow_sending_without_reply."""
        if not self._state.chats.delete(chat_id, message_id):
            raise LookupError(f"message {message_id} does not exist in chat {chat_id}")

    def inline_query(
        self, user_id: int, query: str, *, language_code: str = "en", chat_type: str | None = None
    ) -> dict[str, Any]:
        return self._users.inline_query(user_id, query, language_code, chat_type)

    def chosen_inline_result(
        self, user_id: int, result_id: str, query: str, *, inline_message_id: str | None = None
    ) -> dict[str, Any]:
        """The user picked a result the bot offered; it gets an inline_message_id only if it has a keyboard."""
        return self._users.chosen_inline_result(user_id, result_id, query, inline_message_id)

    def press_button(
        self, user_id: int, message: dict[str, Any], data: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user presses the button with `data` on a bot message (it must still show that button)."""
        target_chat = chat_id if chat_id is not None else message["chat"]["id"]
        return self._users.press_button(user_id, target_chat, message["message_id"], data)

    def forge_press(
        self, user_id: int, data: str, *, message: dict[str, Any] | None = None, inline_message_id: str | None = None
    ) -> dict[str, Any]:
        """A press with any `data`, on a message (as Telegram shows it) or an inline message, whatever its buttons."""
        where = {"message": message} if message is not None else {"inline_message_id": inline_message_id}
        return self._users.forge_press(user_id, data, where)

    def press_inline_button(self, user_id: int, inline_message_id: str, data: str) -> dict[str, Any]:
        return self._users.press_inline_button(user_id, inline_message_id, data)

    def block_bot(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: sending to them fails 403 and a my_chat_member update arrives."""
        self._state.chats.blocked.add(user_id)
        return self._member_change(user_id, "member", {"status": "kicked", "until_date": 0})

    def unblock_bot(self, user_id: int) -> dict[str, Any]:
        self._state.chats.blocked.discard(user_id)
        return self._member_change(user_id, "kicked", {"status": "member"})

    def _member_change(self, user_id: int, old_status: str, new: dict[str, Any]) -> dict[str, Any]:
        bot_user = self._state.bot_user
        old = {"status": old_status, "user": bot_user} | ({"until_date": 0} if old_status == "kicked" else {})
        update = {
            "chat": self._state.chats.chat(user_id),
            "from": self._state.chats.user(user_id),
            "date": self._state.now(),
            "old_chat_member": old,
            "new_chat_member": {"user": bot_user} | new,
        }
        return self._state.updates.add({"my_chat_member": update})

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Any raw update (my_chat_member, …); update_id is assigned by the fake."""
        return self._state.updates.add(update)

    async def wait_until_consumed(self, timeout: float = 10.0) -> None:
        """Every injected update has been fetched (getUpdates or webhook) or refused by allowed_updates."""
        try:
            async with asyncio.timeout(timeout):
                await self._state.updates.wait_consumed()
        except TimeoutError:
            raise TimeoutError(
                f"{self._state.updates.pending_count} update(s) still pending after {timeout}s"
            ) from None

    # ------------------------------------------------------------------ failures
    def fail_next(
        self,
        method: str,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: Any = None,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id` if given; times=None: all) fail with `code`."""
        self._failures.add(method, code, description, retry_after=retry_after, times=times, chat_id=chat_id)

    def fail_when(
        self,
        method: str,
        predicate: ParamsPredicate,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        self._failures.add(method, code, description, retry_after=retry_after, times=times, predicate=predicate)

    def misbehave_next(self, method: str, kind: Misbehaviour, *, times: int | None = 1, chat_id: Any = None) -> None:
        """The next `times` calls of `method` (to `chat_id` if given) get a gateway's non-answer, unexecuted."""
        self._misbehaviours.add(method, kind, times=times, chat_id=chat_id)

    def refuse_ephemeral_messages(
        self, code: int = 400, description: str = "Bad Request: EPHEMERAL_MESSAGES_UNAVAILABLE"
    ) -> None:
        """Every send of an ephemeral message fails from now on, as where Telegram does not allow them."""
        self._failures.add("sendMessage", code, description, times=None, predicate=_is_ephemeral)

    def clear_failures(self) -> None:
        self._failures.clear()
        self._misbehaviours.clear()
