"""What a code step, or a refused registration form, needs to be shown again (a reload, a
language switch) without putting the phone in its address: a short-lived cookie, signed under
the node's secret, holding what the person typed.

A phone in a URL ends up in server and proxy logs, in the browser's history and in the Referer
of the next request; a cookie goes nowhere but back to this site's identity pages (its path),
HttpOnly and SameSite=Lax. It is signed, so a page never shows as "sent to" a phone the person
did not type here; it is not a secret from the person, whose own answers it holds.
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

PENDING_LOGIN: Final = "comptoir_pending_login"
PENDING_REGISTRATION: Final = "comptoir_pending_registration"
# A person's details refused before anything was sent, kept for a language switch
# (pages/refused_details.py): one's own registration, an agent's assisted enrolment.
REFUSED_REGISTRATION: Final = "comptoir_refused_registration"
REFUSED_ENROLMENT: Final = "comptoir_refused_enrolment"
# A phone refused at the login's phone step, kept for a language switch.
REFUSED_LOGIN: Final = "comptoir_refused_login"
# A business registration form as typed, sent or not, kept for a language switch.
BUSINESS_DRAFT: Final = "comptoir_business_draft"
# The phone a relying party named (`login_hint`), to fill in the login page that follows.
LOGIN_HINT: Final = "comptoir_login_hint"
# Longer than a code lives (3 minutes) and than the lock after wrong codes (10 minutes), so
# that the code step still shows while either lasts; short enough not to linger.
PENDING_SECONDS: Final = 15 * 60
_PATH: Final = "/identity"
_MAX_LENGTH: Final = 3000


def _mac(secret: bytes, name: str, payload: str) -> str:
    digest = hmac.new(
        secret, f"identity-pending:{name}:{payload}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def keep_pending(
    request: HTTPConnection, response: Response, name: str, values: Mapping[str, str]
) -> None:
    """Remember `values` for this browser's code step, until `PENDING_SECONDS` from now."""
    node = node_context(request)
    until = int(node.clock.now().timestamp()) + PENDING_SECONDS
    text = json.dumps({"values": dict(values), "until": until}, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    response.set_cookie(
        name,
        f"{payload}.{_mac(node.secret, name, payload)}",
        max_age=PENDING_SECONDS,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
        path=_PATH,
    )


def pending(request: HTTPConnection, name: str) -> dict[str, str] | None:
    """What `keep_pending` remembered for this browser, if it is genuine and still in time."""
    node = node_context(request)
    value = request.cookies.get(name, "")
    if not value or len(value) > _MAX_LENGTH or "." not in value:
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


def forget_pending(request: HTTPConnection, response: Response, name: str) -> None:
    """The code step is over (the person is signed in): nothing of it stays in the browser."""
    response.delete_cookie(
        name,
        path=_PATH,
        httponly=True,
        secure=node_context(request).settings.secure_cookies,
        samesite="lax",
    )
