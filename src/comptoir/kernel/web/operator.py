"""Who may see the operator's pages: someone holding a sign-in link made on the server.

Until the identity block signs operators in, the operator's console trusts shell access: the
`comptoir operator link` command (run on the node) prints a short-lived, signed sign-in link;
opening it sets an HttpOnly session cookie for eight hours. Nobody without shell access to the
node, or without the node's secret, can make one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from starlette.requests import Request
from starlette.responses import RedirectResponse

from comptoir.kernel.errors import UNAUTHORIZED, Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.web.context import node_context

OPERATOR_COOKIE = "comptoir_operator"
LINK_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 60 * 60


def _sign(secret: bytes, purpose: str, expires: int) -> str:
    mac = hmac.new(secret, f"{purpose}:{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _valid(secret: bytes, purpose: str, token: str | None, now: float) -> bool:
    if not token or "." not in token:
        return False
    expires_text, _mac = token.split(".", 1)
    if not expires_text.isdigit() or int(expires_text) < now:
        return False
    return hmac.compare_digest(_sign(secret, purpose, int(expires_text)), token)


def sign_in_link(base_url: str, secret: bytes, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + LINK_SECONDS)
    return f"{base_url.rstrip('/')}/operator/sign-in?token={_sign(secret, 'link', expires)}"


def require_operator(request: Request) -> None:
    """A route dependency: 401 unless the request carries a valid operator session."""
    secret = node_context(request).secret
    if not _valid(secret, "session", request.cookies.get(OPERATOR_COOKIE), time.time()):
        raise Problem(
            UNAUTHORIZED,
            lazy(
                "The operator's pages need a sign-in link: run `comptoir operator link` on "
                "the server and open the link it prints."
            ),
        )


def sign_in(request: Request, token: str) -> RedirectResponse:
    node = node_context(request)
    if not _valid(node.secret, "link", token, time.time()):
        raise Problem(UNAUTHORIZED, lazy("This sign-in link is not valid or has expired."))
    response = RedirectResponse("/operator", status_code=303)
    response.set_cookie(
        OPERATOR_COOKIE,
        _sign(node.secret, "session", int(time.time()) + SESSION_SECONDS),
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
    )
    return response
