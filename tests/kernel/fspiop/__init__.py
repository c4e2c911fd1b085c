"""Tests of the FSPIOP protocol layer, and the one thing they share: the spec's own schemas.

The OpenAPI document of FSPIOP v2.0 lives beside the repository, in ../shared/specs (CI has
it there too). `openapi_schemas` reads `components.schemas` from it with PyYAML when that is
installed, and otherwise with the few lines below, which understand exactly the YAML that
document uses for its schemas (block mappings and lists, plain, quoted and folded scalars).
"""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
OPENAPI_PATH = REPOSITORY.parent / "shared" / "specs" / "fspiop" / "fspiop-v2.0-openapi3.yaml"


def openapi_text() -> str:
    """The OpenAPI document's text; the calling test is skipped when it is not there."""
    if not OPENAPI_PATH.is_file():
        pytest.skip(f"the FSPIOP OpenAPI document is not at {OPENAPI_PATH} (../shared/specs)")
    return OPENAPI_PATH.read_text(encoding="utf-8")


@cache
def _schemas(text: str) -> dict[str, object]:
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        return _read_schemas(text)
    document = yaml.safe_load(text)
    schemas: dict[str, object] = document["components"]["schemas"]
    return schemas


def openapi_schemas() -> dict[str, object]:
    """`components.schemas` of the FSPIOP OpenAPI document, as plain JSON values."""
    return _schemas(openapi_text())


def json_schema_for(name: str) -> dict[str, object]:
    """A JSON Schema document validating `name`, its $refs resolvable inside it."""
    return {
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": openapi_schemas()},
    }


_LINE = re.compile(r"( *)(.*)")
_KEY = re.compile(r"""(?:[^\s"'#][^:]*|"[^"]*"|'[^']*'):(?: |$)""")


def _read_schemas(text: str) -> dict[str, object]:
    lines = [
        (len(match.group(1)), match.group(2))
        for match in map(_LINE.fullmatch, text.splitlines())
        if match is not None and match.group(2).strip()
    ]
    start = lines.index((0, "components:"))
    schemas_at = next(i for i in range(start + 1, len(lines)) if lines[i] == (2, "schemas:"))
    end = next((i for i in range(schemas_at + 1, len(lines)) if lines[i][0] <= 2), len(lines))
    value, _ = _block(lines, schemas_at + 1, 4, end)
    assert isinstance(value, dict)
    return value


def _block(lines: list[tuple[int, str]], at: int, indent: int, end: int) -> tuple[object, int]:
    if lines[at][1].startswith("- "):
        items: list[object] = []
        while at < end and lines[at][0] == indent and lines[at][1].startswith("- "):
            item = lines[at][1][2:]
            if _KEY.match(item):  # "- key: value": a mapping, its other keys two further in
                lines[at] = (indent + 2, item)
                value, at = _block(lines, at, indent + 2, end)
                items.append(value)
            else:
                items.append(_scalar(item))
                at += 1
        return items, at
    mapping: dict[str, object] = {}
    while at < end and lines[at][0] == indent:
        raw_key, _, rest = lines[at][1].partition(":")
        key, rest = str(_scalar(raw_key)), rest.strip()
        at += 1
        if rest in (">-", ">", "|", "|-"):
            folded: list[str] = []
            while at < end and lines[at][0] > indent:
                folded.append(lines[at][1])
                at += 1
            mapping[key] = " ".join(folded)
        elif rest:
            mapping[key] = _scalar(rest)
        elif at < end and lines[at][0] > indent:
            mapping[key], at = _block(lines, at, lines[at][0], end)
        elif at < end and lines[at][0] == indent and lines[at][1].startswith("- "):
            mapping[key], at = _block(lines, at, indent, end)  # a list at the key's indent
        else:
            mapping[key] = None
    return mapping, at


def _scalar(text: str) -> object:
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


# -- what each message's body must be: the paths of the OpenAPI document -------------------------

_PATH_LINE = re.compile(r"  (/[^:]*):\s*$")
_METHOD_LINE = re.compile(r"    (get|put|post|patch|delete):\s*$")
_BODY_SCHEMA = re.compile(r'\s+\$ref: "#/components/schemas/(\w+)"\s*$')


@cache
def _request_bodies(text: str) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    path = method = None
    in_request_body = False
    for line in text.splitlines():
        if (match := _PATH_LINE.fullmatch(line)) is not None:
            path, method, in_request_body = match.group(1), None, False
        elif (match := _METHOD_LINE.fullmatch(line)) is not None:
            method, in_request_body = match.group(1).upper(), False
        elif line.startswith("      requestBody:"):
            in_request_body = True
        elif line.startswith("      ") and not line.startswith("       "):
            in_request_body = False  # another key of the operation
        elif in_request_body and path and method and (match := _BODY_SCHEMA.match(line)):
            found[(method, path)] = match.group(1)
            in_request_body = False
        elif line and not line.startswith(" "):
            path = method = None  # past `paths:`
    return found


def request_body_schemas() -> dict[tuple[str, str], str]:
    """(method, path template) -> the name of the schema its body must follow, from `paths`."""
    return _request_bodies(openapi_text())


def body_schema_name(method: str, path: str) -> str | None:
    """The schema a message `method path` (without the switch's prefix) carries, or None when
    the API gives it no body. Of the templates that match, the one with most fixed segments
    wins (`/participants/{ID}/error` over `/participants/{Type}/{ID}`)."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    best: tuple[int, str] | None = None
    for (known_method, template), name in request_body_schemas().items():
        parts = template.strip("/").split("/")
        if known_method != method or len(parts) != len(segments):
            continue
        if all(p.startswith("{") or p == s for p, s in zip(parts, segments, strict=True)):
            fixed = sum(not p.startswith("{") for p in parts)
            if best is None or fixed > best[0]:
                best = (fixed, name)
    return None if best is None else best[1]
