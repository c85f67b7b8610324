"""Scripted failures: the next matching calls answer with an error instead of being handled."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_types import ApiError

ParamsPredicate = Callable[[dict[str, Any]], bool]


@dataclass
class FailureRule:
    method: str
    code: int
    description: str
    retry_after: int | None
    remaining: int | None  # None = every matching call fails
    chat_id: Any = None
    predicate: ParamsPredicate | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.remaining == 0 or self.method != method.lower():
            return False
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        return self.predicate is None or bool(self.predicate(params))

    def error(self) -> ApiError:
        if self.remaining is not None:
            self.remaining -= 1
        return ApiError(self.code, self.description, retry_after=self.retry_after)


class FailurePlan:
    def __init__(self) -> None:
        self._rules: list[FailureRule] = []

    def add(
        self,
        method: str,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: Any = None,
        predicate: ParamsPredicate | None = None,
    ) -> None:
        if code == 429 and retry_after is None:
            found = re.search(r"retry after (\d+)", description)
            retry_after = int(found.group(1)) if found else 1
        rule = FailureRule(method.lower(), code, description, retry_after, times, chat_id, predicate)
        self._rules.append(rule)

    def take(self, method: str, params: dict[str, Any]) -> ApiError | None:
        """The error for this call, consuming one use of the first matching rule."""
        for rule in self._rules:
            if rule.matches(method, params):
                return rule.error()
        return None

    def clear(self) -> None:
        self._rules.clear()
