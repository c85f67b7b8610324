"""Localized texts: one JSON file per language in `data/locale/`, discovered at start-up."""

from __future__ import annotations

import json
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "en"


class Locales:
    def __init__(self, texts: dict[str, dict[str, str]], default: str = DEFAULT_LANGUAGE) -> None:
        if default not in texts:
            raise ValueError(f"default language {default!r} has no locale file")
        self._texts = texts
        self.default = default

    @classmethod
    def load(cls, directory: Path = LOCALE_DIR) -> Locales:
        texts = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))}
        return cls(texts)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._texts)

    def keys(self, language: str) -> set[str]:
        return set(self._texts[language])

    def pick(self, *candidates: str | None) -> str:
        """The first known language among candidates (a stored choice, then Telegram's `language_code`)."""
        for candidate in candidates:
            if not candidate:
                continue
            code = candidate.lower().split("-")[0]
            if code in self._texts:
                return code
        return self.default

    def text(self, language: str | None, key: str, **values: object) -> str:
        table = self._texts.get(language or self.default, self._texts[self.default])
        template = table.get(key) or self._texts[self.default][key]
        return template.format(**values) if values else template
