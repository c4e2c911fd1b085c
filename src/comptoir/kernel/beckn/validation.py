"""Validate the exact bytes of a Beckn message against its action's schema.

A refusal names the failing member by JSON pointer (RFC 6901), such as
`/message/intent/textSearch`, so the sender can fix its message without guessing.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from comptoir.kernel.beckn.models.messages import (
    ACTION_SPELLINGS,
    ACTIONS,
    BecknMessage,
)

# Which participants a message must name, by action; anything not listed names both.
_NAMES_BAP_ONLY = frozenset({"discover", "on_discover"})
_NAMES_BPP_ONLY = frozenset({"catalog/publish", "catalog/on_publish"})


class BecknValidationError(Exception):
    """The message does not follow the schema. `pointer` is the JSON pointer of the member."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(f"{pointer or '/'}: {detail}")
        self.pointer = pointer
        self.detail = detail


def validate_message(action: str, body: bytes) -> BecknMessage[Any]:
    """Parse and validate `body` as a message of `action`; `BecknValidationError` otherwise."""
    model = ACTIONS.get(action)
    if model is None:
        raise BecknValidationError("/context/action", f"the action {action!r} is not served")
    try:
        message: BecknMessage[BaseModel] = model.model_validate_json(body)
    except ValidationError as error:
        raise _first_error(error, body) from None
    context = message.context
    if context.action not in ACTION_SPELLINGS[action]:
        raise BecknValidationError(
            "/context/action", f"the action is {context.action!r}, but this endpoint is {action}"
        )
    _check_addressing(action, message)
    return message


def _check_addressing(action: str, message: BecknMessage[Any]) -> None:
    context = message.context
    needed: list[tuple[str, object]] = []
    if action not in _NAMES_BPP_ONLY:
        needed += [("bapId", context.bap_id), ("bapUri", context.bap_uri)]
    if action not in _NAMES_BAP_ONLY:
        needed += [("bppId", context.bpp_id)]
        if action != "catalog/on_publish":
            needed += [("bppUri", context.bpp_uri)]
    for name, value in needed:
        if not value:
            raise BecknValidationError(f"/context/{name}", f"a {action} message must name {name}")


def _first_error(error: ValidationError, body: bytes) -> BecknValidationError:
    details = error.errors(include_url=False, include_input=False)
    first = details[0]
    if first["type"] == "json_invalid":
        return BecknValidationError("", "the body is not valid JSON")
    return BecknValidationError(_pointer(first, body), first["msg"])


def _pointer(detail: ErrorDetails, body: bytes) -> str:
    """The JSON pointer of an error, walking the document itself so that pydantic's union
    tags (which are not members) drop out."""
    try:
        node: Any = json.loads(body)
    except (ValueError, RecursionError):
        node = None
    location = detail["loc"]
    parts: list[str] = []
    for index, part in enumerate(location):
        last = index == len(location) - 1
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            parts.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            parts.append(str(part))
        elif last and isinstance(part, str) and detail["type"] == "missing":
            parts.append(part)
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)
