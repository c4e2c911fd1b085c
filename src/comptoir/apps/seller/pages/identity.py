"""Shop owners sign in with Comptoir ID: the button's request and the provider's return."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.pages.common import SESSION_COOKIE, platform_or_404, render, see_other
from comptoir.apps.seller.service import identity
from comptoir.apps.seller.web import seller_of
from comptoir.kernel import audit
from comptoir.kernel.i18n import _, current_locale
from comptoir.kernel.oidc import BackChannelClient, OidcError
from comptoir.kernel.oidc.browser import (
    PENDING_LIFETIME_SECONDS,
    PHONE_NUMBER_NEEDED,
    begin_sign_in,
    finish_sign_in,
    open_pending,
    seal_pending,
)
from comptoir.kernel.web.context import node_context

PENDING_COOKIE = "comptoir_seller_oidc"
HTTP_TIMEOUT_SECONDS = 10.0

router = APIRouter(include_in_schema=False)


def _purpose(platform_id: str) -> str:
    return f"seller:{platform_id}"


def _cookie_path(platform_id: str) -> str:
    return f"/sellers/{platform_id}/signin/oidc"


def _refused(request: Request, platform_id: str, message: str, status: int) -> Response:
    platform = platform_or_404(request, platform_id)
    context = {
        "platform": platform,
        "step": "phone",
        "error": message,
        "oidc_available": identity.registration(seller_of(request), platform_id) is not None,
    }
    response = render(request, "seller/signin.html", context, status_code=status)
    response.delete_cookie(PENDING_COOKIE, path=_cookie_path(platform_id))
    return response


def _unreachable(request: Request, platform_id: str) -> Response:
    message = _("Comptoir ID cannot be reached right now. Try again, or use a one-time code.")
    return _refused(request, platform_id, message, 502)


@router.post("/sellers/{platform_id}/signin/oidc")
def oidc_start(request: Request, platform_id: str) -> Response:
    seller = seller_of(request)
    platform_or_404(request, platform_id)
    registered = identity.registration(seller, platform_id)
    if registered is None:
        message = _("Signing in with Comptoir ID is not set up here yet. Use a one-time code.")
        return _refused(request, platform_id, message, 409)
    node = node_context(request)
    client_id, client_key = registered
    try:
        with BackChannelClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            pending = begin_sign_in(
                issuer=node.settings.resolved_identity_issuer,
                client_id=client_id,
                client_key=client_key,
                redirect_uri=identity.redirect_uri(seller, platform_id),
                scope=identity.SCOPE,
                http=http,
                clock=node.clock,
                ui_locales=current_locale(),
                # The phone number is what finds the account: the person may not untick it.
                claims=PHONE_NUMBER_NEEDED,
            )
    except (OidcError, httpx.HTTPError):
        return _unreachable(request, platform_id)
    response = see_other(pending.start.authorization_url)
    response.set_cookie(
        PENDING_COOKIE,
        seal_pending(pending, secret=node.secret, purpose=_purpose(platform_id)),
        max_age=PENDING_LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",
        secure=node.settings.secure_cookies,
        path=_cookie_path(platform_id),
    )
    return response


@router.get("/sellers/{platform_id}/signin/oidc/callback")
def oidc_callback(request: Request, platform_id: str) -> Response:
    seller = seller_of(request)
    platform_or_404(request, platform_id)
    node = node_context(request)
    pending = open_pending(
        request.cookies.get(PENDING_COOKIE),
        secret=node.secret,
        purpose=_purpose(platform_id),
        clock=node.clock,
    )
    registered = identity.registration(seller, platform_id)
    if pending is None or registered is None:
        message = _("This sign-in has expired or was not started here. Please start again.")
        return _refused(request, platform_id, message, 400)
    client_id, client_key = registered
    redirect = identity.redirect_uri(seller, platform_id)
    try:
        with BackChannelClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            claims = finish_sign_in(
                pending,
                f"{redirect}?{request.url.query}",
                issuer=node.settings.resolved_identity_issuer,
                client_id=client_id,
                client_key=client_key,
                redirect_uri=redirect,
                http=http,
                clock=node.clock,
            )
    except OidcError as error:
        with seller.database.transaction() as session:
            audit.record(
                session,
                actor="anonymous",
                action="seller.signin.oidc_refused",
                subject=platform_id,
                details={"error": error.error, "reason": error.description[:200]},
                clock=node.clock,
            )
        if error.error == "access_denied":
            message = _("You did not agree to share your phone number, so you are not signed in.")
        else:
            message = _("Comptoir ID's answer could not be trusted. You are not signed in.")
        return _refused(request, platform_id, message, 400)
    except httpx.HTTPError:
        return _unreachable(request, platform_id)
    try:
        token = identity.open_session_for_phone(
            seller, platform_id=platform_id, phone=claims.get("phone_number")
        )
    except SellerError as error:
        return _refused(request, platform_id, error.text.render(), 403)
    response = see_other(f"/sellers/{platform_id}/shop")
    response.delete_cookie(PENDING_COOKIE, path=_cookie_path(platform_id))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=node.settings.secure_cookies,
        path=f"/sellers/{platform_id}",
    )
    return response
