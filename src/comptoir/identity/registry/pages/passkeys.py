"""Passkey pages: registering one (signed in) and logging in with one.

WebAuthn needs the browser's `navigator.credentials`, so these two steps use a small script
(`/identity/passkeys.js`, same origin); everything else works without JavaScript, and a code
by SMS always remains. The challenge travels in a short-lived cookie signed with the node's
secret and bound to its purpose; it is cleared once used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import (
    error_context,
    person_or_redirect,
    render,
    see_other,
)
from comptoir.identity.registry.service import passkeys
from comptoir.identity.registry.session import SignedInPerson, set_session_cookie
from comptoir.kernel.errors import UNAUTHORIZED, Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import parse_id
from comptoir.kernel.web.context import NodeContext, node_context

router = APIRouter(include_in_schema=False)

CHALLENGE_COOKIE = "comptoir_webauthn"
CHALLENGE_SECONDS = 300
SCRIPT = (Path(__file__).parent.parent / "static" / "passkeys.js").read_bytes()
MAX_BODY = 64 * 1024


def _rp(node: NodeContext) -> passkeys.RelyingParty:
    return passkeys.RelyingParty.of(node.settings.base_url)


def _mac(secret: bytes, text: str) -> str:
    digest = hmac.new(secret, b"webauthn:" + text.encode(), hashlib.sha256).digest()
    return passkeys.b64url(digest)


def _issue_challenge(request: Request, response: Response, purpose: str, challenge: bytes) -> None:
    node = node_context(request)
    body = f"{purpose}.{passkeys.b64url(challenge)}.{int(time.time()) + CHALLENGE_SECONDS}"
    response.set_cookie(
        CHALLENGE_COOKIE,
        f"{body}.{_mac(node.secret, body)}",
        max_age=CHALLENGE_SECONDS,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="strict",
        path="/identity",
    )


def _challenge(request: Request, purpose: str) -> bytes:
    value = request.cookies.get(CHALLENGE_COOKIE, "")
    parts = value.split(".")
    if len(parts) == 4:
        body, mac = ".".join(parts[:3]), parts[3]
        if (
            hmac.compare_digest(_mac(node_context(request).secret, body), mac)
            and parts[0] == purpose
            and parts[2].isdigit()
            and int(parts[2]) > time.time()
        ):
            return base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    raise RegistryError(
        "passkey_expired", lazy("The passkey request has expired. Please try again.")
    )


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RegistryError("passkey_refused", lazy("The passkey answer is too large."))
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        raise RegistryError(
            "passkey_refused",
            lazy("The passkey could not be checked. Try again, or log in with a code by SMS."),
        )
    return body


def _error(error: RegistryError) -> JSONResponse:
    response = JSONResponse({"error": error.code, "detail": error.text.render()}, 400)
    response.delete_cookie(CHALLENGE_COOKIE, path="/identity")
    return response


@router.get("/identity/passkeys.js")
def script() -> Response:
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600"},
    )


# --- registering a passkey (signed in) ---------------------------------------------------------


@router.get("/identity/me/passkeys")
def passkey_page(request: Request) -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    with node_context(request).database.reading() as session:
        found = passkeys.passkeys_of(session, person_id=who.person_id)
    return render(request, "identity/passkeys.html", {"passkeys": found})


def _signed_in(request: Request) -> SignedInPerson:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        raise Problem(UNAUTHORIZED, lazy("Log in first."))
    return who


@router.post("/identity/me/passkeys/options")
def registration_options(request: Request) -> Response:
    who = _signed_in(request)
    node = node_context(request)
    challenge = secrets.token_bytes(32)
    with node.database.reading() as session:
        options = passkeys.registration_options(
            session, person_id=who.person_id, rp=_rp(node), challenge=challenge
        )
    response = Response(options, media_type="application/json")
    _issue_challenge(request, response, "register", challenge)
    return response


@router.post("/identity/me/passkeys")
async def register_passkey(request: Request) -> Response:
    who = _signed_in(request)
    node = node_context(request)
    try:
        body = await _json_body(request)
        challenge = _challenge(request, "register")
        with node.database.transaction() as session:
            passkeys.add_passkey(
                session,
                person_id=who.person_id,
                credential=body["credential"],
                challenge=challenge,
                rp=_rp(node),
                label=str(body.get("label") or "Passkey")[:100],
                clock=node.clock,
            )
    except RegistryError as error:
        return _error(error)
    response = JSONResponse({"redirect": "/identity/me/passkeys"})
    response.delete_cookie(CHALLENGE_COOKIE, path="/identity")
    return response


@router.post("/identity/me/passkeys/{passkey_id}/remove")
def remove_passkey(request: Request, passkey_id: str) -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            passkeys.remove_passkey(
                session,
                person_id=who.person_id,
                passkey_id=parse_id(passkey_id),
                clock=node.clock,
            )
    except (RegistryError, ValueError) as error:
        with node.database.reading() as session:
            found = passkeys.passkeys_of(session, person_id=who.person_id)
        context: dict[str, Any] = {"passkeys": found}
        if isinstance(error, RegistryError):
            context.update(error_context(error))
        return render(request, "identity/passkeys.html", context, status_code=400)
    return see_other("/identity/me/passkeys")


# --- logging in with a passkey -----------------------------------------------------------------


@router.post("/identity/login/passkey/options")
def authentication_options(request: Request) -> Response:
    challenge = secrets.token_bytes(32)
    options = passkeys.authentication_options(rp=_rp(node_context(request)), challenge=challenge)
    response = Response(options, media_type="application/json")
    _issue_challenge(request, response, "login", challenge)
    return response


@router.post("/identity/login/passkey")
async def log_in_with_passkey(request: Request) -> Response:
    node = node_context(request)
    try:
        body = await _json_body(request)
        challenge = _challenge(request, "login")
        with node.database.transaction() as session:
            login = passkeys.log_in_with_passkey(
                session,
                credential=body["credential"],
                challenge=challenge,
                rp=_rp(node),
                clock=node.clock,
            )
    except RegistryError as error:
        return _error(error)
    response = JSONResponse({"redirect": domain.safe_next(str(body.get("next") or ""))})
    response.delete_cookie(CHALLENGE_COOKIE, path="/identity")
    set_session_cookie(request, response, login.session_id)
    return response
