"""The signed-in person of a request: a signed, HttpOnly, SameSite=Lax cookie naming a session.

The cookie holds the session's id and an HMAC of it under the node's secret, so it cannot be
forged; the session row makes it revocable (`POST /identity/logout` ends it at once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from comptoir.identity.registry import domain
from comptoir.identity.registry.service.sessions import live_session
from comptoir.kernel.web.context import node_context

SESSION_COOKIE = "comptoir_identity"


@dataclass(frozen=True)
class SignedInPerson:
    person_id: uuid.UUID
    authenticated_at: datetime  # UTC
    method: str  # "otp" or "passkey"


def _mac(secret: bytes, session_id: uuid.UUID) -> str:
    digest = hmac.new(secret, b"identity-session:" + session_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def cookie_value(secret: bytes, session_id: uuid.UUID) -> str:
    return f"{session_id}.{_mac(secret, session_id)}"


def session_id_from(secret: bytes, value: str | None) -> uuid.UUID | None:
    """The session id in a cookie, if its signature holds."""
    if not value or len(value) > 200 or "." not in value:
        return None
    id_text, mac = value.split(".", 1)
    try:
        session_id = uuid.UUID(id_text)
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(secret, session_id), mac):
        return None
    return session_id


def signed_in_person(
    request: HTTPConnection, *, session: Session | Connection | None = None
) -> SignedInPerson | None:
    """The person signed in on this browser, or None. Pass the request's own database
    `session` (or Core connection) to read it there rather than in a transaction of its own."""
    node = node_context(request)
    session_id = session_id_from(node.secret, request.cookies.get(SESSION_COOKIE))
    if session_id is None:
        return None
    if session is not None:
        found = live_session(session, session_id=session_id, now=node.clock.now())
    else:
        with node.database.reading() as reading:
            found = live_session(reading, session_id=session_id, now=node.clock.now())
    if found is None:
        return None
    return SignedInPerson(found.person_id, found.authenticated_at, found.method)


def current_session_id(request: HTTPConnection) -> uuid.UUID | None:
    node = node_context(request)
    return session_id_from(node.secret, request.cookies.get(SESSION_COOKIE))


def set_session_cookie(request: HTTPConnection, response: Response, session_id: uuid.UUID) -> None:
    node = node_context(request)
    response.set_cookie(
        SESSION_COOKIE,
        cookie_value(node.secret, session_id),
        max_age=int(domain.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(request: HTTPConnection, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        secure=node_context(request).settings.secure_cookies,
        samesite="lax",
    )
