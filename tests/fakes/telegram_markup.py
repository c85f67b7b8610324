"""Formatted text as Telegram treats it: parse_mode markup turned into plain text plus entities.

Entity offsets and lengths are in UTF-16 code units; length limits count characters of the parsed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_types import ApiError, bad_request

Entity = dict[str, Any]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


@dataclass
class _Frame:
    tag: str
    entity_type: str | None
    start: int  # UTF-16 offset in the output
    source_index: int
    extra: dict[str, Any] = field(default_factory=dict)


class _Output:
    """Plain text being built, with entities in UTF-16 offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pieces: list[str] = []
        self.offset = 0
        self.entities: list[Entity] = []

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.offset += utf16_len(text)

    def close_entity(self, frame: _Frame) -> None:
        length = self.offset - frame.start
        if frame.entity_type and length > 0:
            self.entities.append({"type": frame.entity_type, "offset": frame.start, "length": length, **frame.extra})

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.pieces), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))


_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}  # fmt: skip
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_HTML_ATTRIBUTE = re.compile(r"""([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"']+))?""")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")


class _HtmlParser(_Output):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.stack: list[_Frame] = []

    def parse(self) -> tuple[str, list[Entity]]:
        index = 0
        while index < len(self.source):
            char = self.source[index]
            if char == "<":
                index = self._tag(index)
            elif char == "&":
                index = self._character_reference(index)
            else:
                self.emit(char)
                index += 1
        if self.stack:
            raise _parse_error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        return self.result()

    def _character_reference(self, index: int) -> int:
        match = _HTML_ENTITY.match(self.source, index)
        if match is None:
            self.emit("&")
            return index + 1
        name = match.group(1)
        if name.startswith("#"):
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            self.emit(chr(code) if 0 < code < 0x110000 else "\ufffd")
        elif name.lower() in _HTML_NAMED:
            self.emit(_HTML_NAMED[name.lower()])
        else:
            raise _parse_error(f'Unsupported HTML entity "&{name};" at byte offset {self.byte_offset(index)}')
        return match.end()

    def _tag(self, index: int) -> int:
        end = self.source.find(">", index)
        if end == -1:
            raise _parse_error(f"Unclosed start tag at byte offset {self.byte_offset(index)}")
        inner = self.source[index + 1 : end]
        if inner.startswith("/"):
            self._close(inner[1:].strip().lower(), index)
        else:
            self._open(inner, index)
        return end + 1

    def _open(self, inner: str, index: int) -> None:
        name_match = _TAG_NAME.match(inner)
        name = name_match.group(0).lower() if name_match else ""
        attributes = {}
        if name_match:
            for key, raw in _HTML_ATTRIBUTE.findall(inner[name_match.end() :]):
                attributes[key.lower()] = _unquote_attribute(raw)
        unsupported = name not in _HTML_ENTITY_TYPES or (name == "span" and attributes.get("class") != "tg-spoiler")
        if unsupported:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(index)}')
        frame = _Frame(name, _HTML_ENTITY_TYPES[name], self.offset, index)
        self._describe(frame, attributes)
        self.stack.append(frame)

    def _describe(self, frame: _Frame, attributes: dict[str, str]) -> None:
        if frame.tag == "a":
            href = attributes.get("href", "")
            user = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if user:
                frame.entity_type = "text_mention"
                frame.extra = {"user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""}}
            elif href:
                frame.extra = {"url": href}
            else:
                frame.entity_type = None
        elif frame.tag == "tg-emoji":
            frame.extra = {"custom_emoji_id": attributes.get("emoji-id", "")}
        elif frame.tag == "blockquote" and "expandable" in attributes:
            frame.entity_type = "expandable_blockquote"
        elif frame.tag == "code" and self.stack and self.stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language
            language = attributes.get("class", "").removeprefix("language-")
            if language:
                self.stack[-1].extra = {"language": language}
            frame.entity_type = None

    def _close(self, name: str, index: int) -> None:
        if not self.stack:
            raise _parse_error(f"Unexpected end tag at byte offset {self.byte_offset(index)}")
        frame = self.stack.pop()
        if frame.tag != name:
            raise _parse_error(
                f"Unmatched end tag at byte offset {self.byte_offset(index)}, "
                f'expected "</{frame.tag}>", found "</{name}>"'
            )
        self.close_entity(frame)


def _unquote_attribute(raw: str) -> str:
    if raw[:1] in {'"', "'"}:
        raw = raw[1:-1]
    return _HTML_ENTITY.sub(lambda m: _HTML_NAMED.get(m.group(1).lower(), m.group(0)), raw)


_MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MARKDOWN_V2_TOGGLES = (("||", "spoiler"), ("__", "underline"), ("_", "italic"), ("*", "bold"), ("~", "strikethrough"))
_ENTITY_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "blockquote": "BlockQuote",
}  # fmt: skip


class _MarkdownV2Parser(_Output):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.stack: list[_Frame] = []

    def parse(self) -> tuple[str, list[Entity]]:
        index = 0
        while index < len(self.source):
            index = self._step(index)
        quote = self._open_frame("blockquote")
        if quote:
            self._finish(quote)
        if self.stack:
            frame = self.stack[-1]
            name = _ENTITY_NAMES.get(frame.entity_type or "", "the")
            raise _parse_error(f"Can't find end of {name} entity at byte offset {self.byte_offset(frame.source_index)}")
        return self.result()

    def _step(self, index: int) -> int:
        source, char = self.source, self.source[index]
        if char == "\\" and index + 1 < len(source) and 0 < ord(source[index + 1]) < 127:
            self.emit(source[index + 1])
            return index + 2
        if char == ">" and (index == 0 or source[index - 1] == "\n"):
            if not self._open_frame("blockquote"):
                self.stack.append(_Frame(">", "blockquote", self.offset, index))
            return index + 1
        if char == "\n":
            quote = self._open_frame("blockquote")
            if quote and not source.startswith(">", index + 1):
                self._finish(quote)
            self.emit(char)
            return index + 1
        if char == "`":
            return self._code(index)
        if char == "[":
            self.stack.append(_Frame("[", None, self.offset, index))
            return index + 1
        if char == "]" and self._open_frame(None, tag="["):
            return self._link_end(index)
        for marker, entity_type in _MARKDOWN_V2_TOGGLES:
            if source.startswith(marker, index):
                self._toggle(marker, entity_type, index)
                return index + len(marker)
        if char in _MARKDOWN_V2_RESERVED:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        self.emit(char)
        return index + 1

    def _open_frame(self, entity_type: str | None, *, tag: str | None = None) -> _Frame | None:
        for frame in reversed(self.stack):
            if (tag is not None and frame.tag == tag) or (tag is None and frame.entity_type == entity_type):
                return frame
        return None

    def _finish(self, frame: _Frame) -> None:
        self.stack.remove(frame)
        self.close_entity(frame)

    def _toggle(self, marker: str, entity_type: str, index: int) -> None:
        frame = self._open_frame(entity_type)
        if frame is None:
            self.stack.append(_Frame(marker, entity_type, self.offset, index))
        else:
            self._finish(frame)

    def _code(self, index: int) -> int:
        is_pre = self.source.startswith("```", index)
        fence = "```" if is_pre else "`"
        start = index + len(fence)
        language = ""
        if is_pre:
            newline = self.source.find("\n", start)
            first_line = self.source[start:newline] if newline != -1 else ""
            if first_line and " " not in first_line and "`" not in first_line:
                language, start = first_line, newline + 1
        content, end = _read_until(self.source, start, fence)
        if end == -1:
            name = "Pre" if is_pre else "Code"
            raise _parse_error(f"Can't find end of {name} entity at byte offset {self.byte_offset(index)}")
        frame = _Frame(fence, "pre" if is_pre else "code", self.offset, index)
        if language:
            frame.extra = {"language": language}
        self.emit(content)
        self.close_entity(frame)
        return end + len(fence)

    def _link_end(self, index: int) -> int:
        frame = self._open_frame(None, tag="[")
        assert frame is not None
        self.stack.remove(frame)
        if not self.source.startswith("(", index + 1):
            return index + 1
        url, end = _read_until(self.source, index + 2, ")")
        if end == -1:
            raise _parse_error(f"Can't find end of a URL at byte offset {self.byte_offset(index + 1)}")
        frame.entity_type, frame.extra = "text_link", {"url": url}
        self.close_entity(frame)
        return end + 1


def _read_until(source: str, start: int, terminator: str) -> tuple[str, int]:
    """Text up to an unescaped terminator (backslash escapes anything), and the terminator's index or -1."""
    pieces: list[str] = []
    index = start
    while index < len(source):
        if source[index] == "\\" and index + 1 < len(source):
            pieces.append(source[index + 1])
            index += 2
        elif source.startswith(terminator, index):
            return "".join(pieces), index
        else:
            pieces.append(source[index])
            index += 1
    return "".join(pieces), -1


_LEGACY_MARKERS = {"*": "bold", "_": "italic"}


class _MarkdownParser(_Output):
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""

    def parse(self) -> tuple[str, list[Entity]]:
        index = 0
        source = self.source
        while index < len(source):
            char = source[index]
            if char == "\\" and index + 1 < len(source) and source[index + 1] in "_*`[":
                self.emit(source[index + 1])
                index += 2
            elif char in _LEGACY_MARKERS or char == "`":
                index = self._span(index)
            elif char == "[":
                index = self._link(index)
            else:
                self.emit(char)
                index += 1
        return self.result()

    def _span(self, index: int) -> int:
        fence = "```" if self.source.startswith("```", index) else self.source[index]
        end = self.source.find(fence, index + len(fence))
        if end == -1:
            raise _parse_error(f"Can't find end of the entity starting at byte offset {self.byte_offset(index)}")
        entity_type = _LEGACY_MARKERS.get(fence, "pre" if fence == "```" else "code")
        frame = _Frame(fence, entity_type, self.offset, index)
        self.emit(self.source[index + len(fence) : end])
        self.close_entity(frame)
        return end + len(fence)

    def _link(self, index: int) -> int:
        match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(self.source, index)
        if match is None:
            self.emit("[")
            return index + 1
        frame = _Frame("[", "text_link", self.offset, index, {"url": match.group(2)})
        self.emit(match.group(1))
        self.close_entity(frame)
        return match.end()


_PARSERS = {"html": _HtmlParser, "markdownv2": _MarkdownV2Parser, "markdown": _MarkdownParser}


def parse_formatted(text: str, parse_mode: str | None, entities: list[Entity] | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of a message; explicit entities win over parse_mode, as on the real server."""
    if entities:
        return text, [dict(entity) for entity in entities]
    if not parse_mode:
        return text, []
    parser = _PARSERS.get(parse_mode.lower())
    if parser is None:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"')
    return parser(text).parse()


def strip_formatted(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Telegram trims surrounding whitespace of texts and captions, moving the entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


_TOP_LEVEL_DOMAINS = "com|net|org|ru|io|me|ly|co|app|dev|uk|de|info|tv|gl|us|be|to|link|xyz"
_AUTO_ENTITY = re.compile(
    r"(?P<bot_command>(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<mention>(?<![\w@])@[a-zA-Z0-9_]{4,32}(?!\w))"
    r"|(?P<url>(?<![\w@./])(?:https?://[^\s<>\"]+|(?:[a-zA-Z0-9-]+\.)+(?:" + _TOP_LEVEL_DOMAINS + r")(?![\w-])"
    r"(?:/[^\s<>\"]*)?))"
)


def auto_entities(text: str, existing: list[Entity]) -> list[Entity]:
    """Links, mentions and commands that Telegram detects by itself, outside the given entities."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in existing]
    found: list[Entity] = []
    for match in _AUTO_ENTITY.finditer(text):
        kind = match.lastgroup or "url"
        value = match.group(0).rstrip(".,;:!?)]'") if kind == "url" else match.group(0)
        start = utf16_len(text[: match.start()])
        end = start + utf16_len(value)
        if not any(start < other_end and other_start < end for other_start, other_end in taken):
            found.append({"type": kind, "offset": start, "length": end - start})
    return sorted([*existing, *found], key=lambda e: (e["offset"], -e["length"]))
