"""What a person typed, kept for a little while in a short-lived cookie signed under the node's
secret: a form shown again after a language switch or a reload, a code step, a hint.

Nothing typed goes in an address: a phone number or an amount in a URL ends up in server and
proxy logs, in the browser's history and in the Referer of the next request. A cookie goes
nowhere but back to the pages of its path, HttpOnly and SameSite=Lax. It is signed, so a page
never shows as typed here what was not; it is no secret from the person, whose own answers it
holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import Response

from comptoir.kernel.web.context import node_context

# Below what browsers keep of one cookie (4,096 bytes with its name and attributes).
MAX_COOKIE_LENGTH: Final = 3800


def _mac(secret: bytes, name: str, payload: str) -> str:
    digest = hmac.new(secret, f"kept:{name}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def keep(
    request: HTTPConnection,
    response: Response,
    name: str,
    values: Mapping[str, str],
    *,
    path: str,
    seconds: int,
) -> bool:
    """Keep `values` in the cookie `name` for the pages under `path`, for `seconds`. False, and
    nothing kept, when they would not fit in a cookie."""
    node = node_context(request)
    until = int(node.clock.now().timestamp()) + seconds
    # UTF-8 rather than \\u escapes: an accented letter costs two bytes, not six.
    text = json.dumps(
        {"values": dict(values), "until": until}, separators=(",", ":"), ensure_ascii=False
    )
    payload = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    value = f"{payload}.{_mac(node.secret, name, payload)}"
    if len(value) > MAX_COOKIE_LENGTH:
        return False
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
        path=path,
    )
    return True


def kept(request: HTTPConnection, name: str) -> dict[str, str] | None:
    """What `keep` kept in the cookie `name`, if it is genuine and still in time."""
    node = node_context(request)
    value = request.cookies.get(name, "")
    if not value or len(value) > MAX_COOKIE_LENGTH or "." not in value:
        return None
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(_mac(node.secret, name, payload), mac):
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(found, dict) or not isinstance(found.get("until"), int):
        return None
    if found["until"] <= node.clock.now().timestamp():
        return None
    values = found.get("values")
    if not isinstance(values, dict):
        return None
    return {str(key): str(text) for key, text in values.items()}


def forget(request: HTTPConnection, response: Response, name: str, *, path: str) -> None:
    """Nothing of the cookie `name` stays in the browser."""
    response.delete_cookie(
        name,
        path=path,
        httponly=True,
        secure=node_context(request).settings.secure_cookies,
        samesite="lax",
    )
