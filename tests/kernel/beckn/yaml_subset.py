"""A reader for the block-style YAML subset that the Beckn spec file is written in.

The project carries no YAML library, and the conformance tests only need to read one
machine-written file (`beckn-v2.0.0.yaml`): block mappings and sequences, plain scalars, single-
and double-quoted scalars spanning lines (folded as YAML folds them), and empty flow
collections (`{}`, `[]`). Anything else is an error rather than a guess.
"""

from __future__ import annotations

import json
import re
from typing import Any

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", " ": " ", "0": "\0",
            "r": "\r", "b": "\b", "e": "\x1b", "N": "\x85", "_": "\xa0"}  # fmt: skip


class YamlSubsetError(ValueError):
    pass


def load(text: str) -> Any:
    return _Reader(text.splitlines()).document()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _fold(lines: list[str], *, escaped_breaks: bool) -> str:
    """YAML's line folding: a break between text is a space; each empty line is a newline."""
    result = lines[0]
    pending_newlines = 0
    last = len(lines) - 1
    for number, line in enumerate(lines[1:], start=1):
        stripped = line.strip(" \t")
        if not stripped and number == last:
            # The closing quote's own line: its break folds like any other, onto nothing.
            result += "\n" * pending_newlines if pending_newlines else " "
            return result
        if not stripped:
            pending_newlines += 1
            continue
        if escaped_breaks and pending_newlines == 0 and _ends_with_escape(result):
            result = result[:-1] + stripped
        elif pending_newlines:
            result += "\n" * pending_newlines + stripped
        else:
            result = result.rstrip(" \t") + " " + stripped
        pending_newlines = 0
    return result + "\n" * pending_newlines if pending_newlines else result


def _ends_with_escape(text: str) -> bool:
    count = len(text) - len(text.rstrip("\\"))
    return count % 2 == 1


def _unescape(text: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char != "\\":
            out.append(char)
            position += 1
            continue
        code = text[position + 1]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            position += 2
        elif code in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[code]
            out.append(chr(int(text[position + 2 : position + 2 + width], 16)))
            position += 2 + width
        else:
            raise YamlSubsetError(f"unknown escape \\{code}")
    return "".join(out)


def _plain(text: str) -> Any:
    if text in {"null", "~", "Null", "NULL"}:
        return None
    if text in {"true", "True", "TRUE"}:
        return True
    if text in {"false", "False", "FALSE"}:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = [line.rstrip() for line in lines]
        self.position = 0

    def document(self) -> Any:
        self._skip_blank()
        return self._node(0)

    def _skip_blank(self) -> None:
        while self.position < len(self.lines) and not self.lines[self.position].strip():
            self.position += 1

    def _current(self) -> str | None:
        self._skip_blank()
        return self.lines[self.position] if self.position < len(self.lines) else None

    def _node(self, indent: int) -> Any:
        line = self._current()
        if line is None:
            return None
        if line.lstrip().startswith("- ") or line.strip() == "-":
            return self._sequence(_indent(line))
        return self._mapping(_indent(line))

    def _mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            line = self._current()
            if line is None or _indent(line) != indent or line.lstrip().startswith("- "):
                return result
            key, rest = self._key(line.strip())
            self.position += 1
            if rest:
                result[key] = self._scalar(rest, indent)
                continue
            following = self._current()
            if following is None:
                result[key] = None
            elif _indent(following) > indent:
                result[key] = self._node(_indent(following))
            elif _indent(following) == indent and following.lstrip().startswith("- "):
                result[key] = self._sequence(indent)
            else:
                result[key] = None

    def _key(self, text: str) -> tuple[str, str]:
        if text[0] in "'\"":
            closing = self._closing_quote(text, 0)
            key = self._quoted(text[: closing + 1])
            rest = text[closing + 1 :].lstrip()
            if not rest.startswith(":"):
                raise YamlSubsetError(f"expected ':' after the key in {text!r}")
            return key, rest[1:].strip()
        match = re.search(r":(?: |$)", text)
        if match is None:
            raise YamlSubsetError(f"expected 'key: value' in {text!r}")
        return text[: match.start()], text[match.end() :].strip()

    def _sequence(self, indent: int) -> list[Any]:
        result: list[Any] = []
        while True:
            line = self._current()
            if line is None or _indent(line) != indent:
                return result
            stripped = line.strip()
            if not (stripped.startswith("- ") or stripped == "-"):
                return result
            content = stripped[1:].lstrip(" ")
            column = indent + len(stripped) - len(content)
            if not content:
                self.position += 1
                following = self._current()
                result.append(
                    None if following is None or _indent(following) <= indent
                    else self._node(_indent(following))
                )  # fmt: skip
            elif self._starts_mapping(content):
                self.lines[self.position] = " " * column + content
                result.append(self._mapping(column))
            else:
                self.position += 1
                result.append(self._scalar(content, indent))

    def _starts_mapping(self, content: str) -> bool:
        if content[0] in "'\"":
            closing = self._closing_quote(content, 0, allow_missing=True)
            return closing is not None and content[closing + 1 :].lstrip().startswith(":")
        return re.search(r":(?: |$)", content) is not None and content[0] not in "[{"

    def _closing_quote(self, text: str, start: int, allow_missing: bool = False) -> Any:
        quote = text[start]
        position = start + 1
        while position < len(text):
            char = text[position]
            if quote == '"' and char == "\\":
                position += 2
                continue
            if char == quote:
                if quote == "'" and text[position + 1 : position + 2] == "'":
                    position += 2
                    continue
                return position
            position += 1
        if allow_missing:
            return None
        raise YamlSubsetError(f"unterminated quoted scalar {text!r}")

    def _quoted(self, text: str) -> str:
        if text[0] == "'":
            return text[1:-1].replace("''", "'")
        return _unescape(text[1:-1])

    def _scalar(self, text: str, indent: int) -> Any:
        if text == "{}":
            return {}
        if text == "[]":
            return []
        if text[0] in "{[":
            return json.loads(text)
        if text[0] in "'\"":
            return self._multiline_quoted(text)
        parts = [text]
        while self.position < len(self.lines):
            line = self.lines[self.position]
            if line.strip() and _indent(line) <= indent:
                break
            if not line.strip():
                # A blank line belongs to the scalar only if more of it follows.
                ahead = self.position
                while ahead < len(self.lines) and not self.lines[ahead].strip():
                    ahead += 1
                if ahead >= len(self.lines) or _indent(self.lines[ahead]) <= indent:
                    break
            parts.append(line)
            self.position += 1
        folded = _fold(parts, escaped_breaks=False) if len(parts) > 1 else text
        return _plain(folded) if len(parts) == 1 else folded

    def _multiline_quoted(self, first: str) -> str:
        lines = [first]
        joined = first
        while self._closing_quote(joined, 0, allow_missing=True) is None:
            if self.position >= len(self.lines):
                raise YamlSubsetError("unterminated quoted scalar at the end of the file")
            lines.append(self.lines[self.position])
            self.position += 1
            joined = "\n".join(lines)
        closing = self._closing_quote(joined, 0)
        if joined[closing + 1 :].strip():
            raise YamlSubsetError(f"unexpected text after a quoted scalar: {joined!r}")
        quote = first[0]
        folded = _fold(joined[1:closing].split("\n"), escaped_breaks=quote == '"')
        return folded.replace("''", "'") if quote == "'" else _unescape(folded)
