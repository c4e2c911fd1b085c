"""CSRF protection for every form: a per-browser random cookie and a form token derived from it.

The form token is an HMAC of the cookie under the node's secret, so a page on another site can
neither read nor forge it. Only requests whose body a browser can send cross-site without a
CORS preflight (form encodings and text/plain) are checked; JSON and protocol APIs are
authenticated by signatures or bearer tokens, not cookies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from comptoir.kernel.errors import CSRF_FAILED, Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.web.context import node_context

CSRF_COOKIE = "comptoir_csrf"
CSRF_FIELD = "csrf_token"
BROWSER_SENDABLE_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
_NEW_COOKIE_STATE = "csrf_new_cookie"


def _token_for(secret: bytes, cookie_value: str) -> str:
    digest = hmac.new(secret, b"csrf:" + cookie_value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _browser_cookie(request: Request) -> str:
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value
    fresh: str | None = getattr(request.state, _NEW_COOKIE_STATE, None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        setattr(request.state, _NEW_COOKIE_STATE, fresh)
    return fresh


def form_token(request: Request) -> str:
    """The hidden-field value for forms on this page (sets the cookie if the browser has none)."""
    return _token_for(node_context(request).secret, _browser_cookie(request))


def attach_cookie(request: Request, response: Response) -> None:
    """Send the CSRF cookie if this request had to make one."""
    fresh: str | None = getattr(request.state, _NEW_COOKIE_STATE, None)
    if fresh is None:
        return
    response.set_cookie(
        CSRF_COOKIE,
        fresh,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        secure=node_context(request).settings.secure_cookies,
        samesite="lax",
        path="/",
    )


async def verify_csrf(request: Request) -> None:
    """A route dependency that refuses an unsafe form request without a valid token."""
    # Only POST can come cross-site without a CORS preflight (from a form or a simple fetch);
    # PUT, PATCH and DELETE always need one, which no other site gets from us.
    if request.method != "POST":
        return
    if any(
        request.url.path.startswith(prefix) for prefix in node_context(request).signed_api_prefixes
    ):
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in BROWSER_SENDABLE_TYPES:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Problem(CSRF_FAILED, lazy("The form was sent from another site."))
    cookie_value = request.cookies.get(CSRF_COOKIE)
    sent = ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not cookie_value or not sent:
        raise Problem(CSRF_FAILED, lazy("The form has no security token. Reload the page."))
    expected = _token_for(node_context(request).secret, cookie_value)
    if not hmac.compare_digest(expected, sent):
        raise Problem(CSRF_FAILED, lazy("The form's security token does not match."))
