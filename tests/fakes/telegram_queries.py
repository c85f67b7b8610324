"""Callback and inline queries waiting for an answer, and the inline messages that results created."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_types import bad_request

QUERY_EXPIRED = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class InlineQueryRecord:
    user_id: int
    query: str
    answered: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)


class QueryStore:
    def __init__(self) -> None:
        self._numbers = itertools.count(4_300_000_000_000_000_001)
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, InlineQueryRecord] = {}
        self.inline_messages: dict[str, dict[str, Any]] = {}  # inline_message_id -> message-like content
        self.guest_answers: dict[str, str | None] = {}  # guest_query_id -> inline_message_id of the answer

    def new_callback_query(self) -> str:
        query_id = str(next(self._numbers))
        self._callbacks[query_id] = False
        return query_id

    def answer_callback_query(self, query_id: Any) -> None:
        if self._callbacks.get(str(query_id)) is not False:
            raise bad_request(QUERY_EXPIRED)
        self._callbacks[str(query_id)] = True

    def new_inline_query(self, user_id: int, query: str) -> str:
        query_id = str(next(self._numbers))
        self._inline_queries[query_id] = InlineQueryRecord(user_id, query)
        return query_id

    def answer_inline_query(self, query_id: Any, results: list[dict[str, Any]]) -> None:
        record = self._inline_queries.get(str(query_id))
        if record is None or record.answered:
            raise bad_request(QUERY_EXPIRED)
        record.answered = True
        record.results = results

    def offered_result(self, user_id: int, result_id: str) -> dict[str, Any] | None:
        """The latest result with that id shown to the user."""
        for record in reversed(self._inline_queries.values()):
            if record.user_id != user_id:
                continue
            for result in record.results:
                if str(result.get("id")) == result_id:
                    return result
        return None

    def new_guest_query(self) -> str:
        query_id = str(next(self._numbers))
        self.guest_answers[query_id] = None
        return query_id

    def answer_guest_query(self, query_id: Any) -> str:
        """A guest query is answered once, by one message that is an inline message of the bot."""
        if str(query_id) not in self.guest_answers or self.guest_answers[str(query_id)] is not None:
            raise bad_request(QUERY_EXPIRED)
        inline_message_id = self.new_inline_message_id()
        self.guest_answers[str(query_id)] = inline_message_id
        return inline_message_id

    @staticmethod
    def new_inline_message_id() -> str:
        return "AgAAA" + secrets.token_urlsafe(20)
