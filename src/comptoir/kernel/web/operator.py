"""Who may see the operator's pages: someone holding a sign-in link made on the server.

Until the identity block signs operators in, the operator's console trusts shell access: the
`comptoir operator link` command (run on the node) prints a short-lived, signed sign-in link;
opening it sets an HttpOnly session cookie for eight hours. Nobody without shell access to the
node, or without the node's secret, can make one. A link signs in once: it carries a random
nonce, recorded when it is used, so a copy left in a browser's history, a proxy's log or a
shared screen cannot be opened again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse

from comptoir.kernel.errors import UNAUTHORIZED, Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.outbox import processed_once
from comptoir.kernel.web.context import node_context

OPERATOR_COOKIE = "comptoir_operator"
LINK_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 60 * 60


# The receipts of used links are kept with the outbox's: "this one-time thing was consumed".
_USED_LINKS = "operator.sign-in-link"


def _sign(secret: bytes, purpose: str, expires: int, nonce: str = "") -> str:
    """`expires[.nonce].mac`, the MAC over the purpose and those fields."""
    fields = [str(expires), *([nonce] if nonce else [])]
    message = ":".join([purpose, *fields]).encode()
    mac = hmac.new(secret, message, hashlib.sha256).digest()
    return ".".join([*fields, base64.urlsafe_b64encode(mac).rstrip(b"=").decode()])


def _signed_fields(secret: bytes, purpose: str, token: str | None, now: float) -> list[str]:
    """The fields of a token signed for `purpose` and not expired; [] for any other token."""
    fields = (token or "").split(".")
    if len(fields) not in (2, 3) or not fields[0].isdigit() or int(fields[0]) < now:
        return []
    nonce = fields[1] if len(fields) == 3 else ""
    if not hmac.compare_digest(_sign(secret, purpose, int(fields[0]), nonce), token or ""):
        return []
    return fields[:-1]


def _valid(secret: bytes, purpose: str, token: str | None, now: float) -> bool:
    return bool(_signed_fields(secret, purpose, token, now))


def sign_in_link(base_url: str, secret: bytes, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + LINK_SECONDS)
    token = _sign(secret, "link", expires, uuid.uuid4().hex)
    return f"{base_url.rstrip('/')}/operator/sign-in?token={token}"


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
    fields = _signed_fields(node.secret, "link", token, time.time())
    if len(fields) != 2:
        raise Problem(UNAUTHORIZED, lazy("This sign-in link is not valid or has expired."))
    with node.database.transaction() as session:
        first_use = processed_once(session, _USED_LINKS, uuid.UUID(hex=fields[1]))
    if not first_use:
        raise Problem(
            UNAUTHORIZED,
            lazy(
                "This sign-in link has already been used. Run `comptoir operator link` on the "
                "server for a new one."
            ),
        )
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
