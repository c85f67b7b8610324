"""Answers that are not Bot API answers: what Telegram's front end sends during incidents.

A gateway in front of the Bot API answers 502/504 with its own HTML page, 503 with an empty body, or drops
the connection halfway through an answer. The request never reaches the method: nothing is executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
# The start of an answer, and a Content-Length promising much more: the client sees the body cut off.
_CUT_ANSWER = b'{"ok":true,"result":{"message_id":'
_PROMISED_LENGTH = 4096


class Misbehaviour(StrEnum):
    HTML_502 = "html_502"  # a gateway's HTML error page
    EMPTY_503 = "empty_503"  # 503 with no body at all
    RESET = "reset"  # 200, then the connection is dropped mid-answer

    @property
    def recorded_error(self) -> tuple[int, str]:
        """How the call is recorded in `FakeTelegram.calls` (code 0: no status reached the client intact)."""
        return {
            Misbehaviour.HTML_502: (502, "Bad Gateway (HTML page)"),
            Misbehaviour.EMPTY_503: (503, "Service Unavailable (empty body)"),
            Misbehaviour.RESET: (0, "connection reset mid-answer"),
        }[self]


@dataclass
class _Rule:
    kind: Misbehaviour
    method: str
    remaining: int | None  # None = every matching call
    chat_id: Any = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.remaining == 0 or self.method != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


class MisbehaviourPlan:
    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, method: str, kind: Misbehaviour, *, times: int | None = 1, chat_id: Any = None) -> None:
        self._rules.append(_Rule(Misbehaviour(kind), method.lower(), times, chat_id))

    def take(self, method: str, params: dict[str, Any]) -> Misbehaviour | None:
        """The misbehaviour for this call, consuming one use of the first matching rule."""
        for rule in self._rules:
            if rule.matches(method, params):
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.kind
        return None

    def clear(self) -> None:
        self._rules.clear()


async def broken_answer(request: web.Request, kind: Misbehaviour) -> web.StreamResponse:
    if kind is Misbehaviour.HTML_502:
        return web.Response(status=502, text=_GATEWAY_PAGE, content_type="text/html")
    if kind is Misbehaviour.EMPTY_503:
        return web.Response(status=503)
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.content_length = _PROMISED_LENGTH
    await response.prepare(request)
    await response.write(_CUT_ANSWER)
    if request.transport is not None:
        request.transport.close()
    return response
