"""Signing in with Comptoir ID: the button's request and the provider's return."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.pages.common import (
    error_text,
    institution_or_404,
    render,
    see_other,
    set_session_cookie,
)
from comptoir.apps.wallet.service import identity
from comptoir.apps.wallet.web import wallet_of
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

PENDING_COOKIE = "comptoir_wallet_oidc"
CONSENTS_PATH = "/identity/me/consents"  # where a person withdraws what they shared
HTTP_TIMEOUT_SECONDS = 10.0

router = APIRouter(include_in_schema=False)


def _purpose(institution_id: str) -> str:
    return f"wallet:{institution_id}"


def _cookie_path(institution_id: str) -> str:
    return f"/wallets/{institution_id}/signin/oidc"


def _refused(
    request: Request, institution_id: str, message: str, status: int, *, consents: str = ""
) -> Response:
    institution = institution_or_404(wallet_of(request), institution_id)
    context = {
        "institution": institution,
        "step": "phone",
        "error": message,
        "oidc_available": identity.registration(wallet_of(request), institution_id) is not None,
        "consents_url": consents,
    }
    response = render(request, "wallet/signin.html", context, status_code=status)
    response.delete_cookie(PENDING_COOKIE, path=_cookie_path(institution_id))
    return response


@router.post("/wallets/{institution_id}/signin/oidc")
def oidc_start(request: Request, institution_id: str) -> Response:
    wallet = wallet_of(request)
    institution_or_404(wallet, institution_id)
    registered = identity.registration(wallet, institution_id)
    if registered is None:
        return _refused(
            request,
            institution_id,
            _("Signing in with Comptoir ID is not set up here yet. Use a one-time code."),
            409,
        )
    node = node_context(request)
    client_id, client_key = registered
    try:
        with BackChannelClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            pending = begin_sign_in(
                issuer=node.settings.resolved_identity_issuer,
                client_id=client_id,
                client_key=client_key,
                redirect_uri=identity.redirect_uri(wallet, institution_id),
                scope=identity.SCOPE,
                http=http,
                clock=node.clock,
                ui_locales=current_locale(),
                # The phone number is what finds the account: the person may not untick it.
                claims=PHONE_NUMBER_NEEDED,
            )
    except (OidcError, httpx.HTTPError):
        return _refused(
            request,
            institution_id,
            _("Comptoir ID cannot be reached right now. Try again, or use a one-time code."),
            502,
        )
    response = see_other(pending.start.authorization_url)
    response.set_cookie(
        PENDING_COOKIE,
        seal_pending(pending, secret=node.secret, purpose=_purpose(institution_id)),
        max_age=PENDING_LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",
        secure=node.settings.secure_cookies,
        path=_cookie_path(institution_id),
    )
    return response


@router.get("/wallets/{institution_id}/signin/oidc/callback")
def oidc_callback(request: Request, institution_id: str) -> Response:
    wallet = wallet_of(request)
    institution_or_404(wallet, institution_id)
    node = node_context(request)
    pending = open_pending(
        request.cookies.get(PENDING_COOKIE),
        secret=node.secret,
        purpose=_purpose(institution_id),
        clock=node.clock,
    )
    registered = identity.registration(wallet, institution_id)
    if pending is None or registered is None:
        return _refused(
            request,
            institution_id,
            _("This sign-in has expired or was not started here. Please start again."),
            400,
        )
    client_id, client_key = registered
    redirect = identity.redirect_uri(wallet, institution_id)
    callback_url = f"{redirect}?{request.url.query}"
    try:
        with BackChannelClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            claims = finish_sign_in(
                pending,
                callback_url,
                issuer=node.settings.resolved_identity_issuer,
                client_id=client_id,
                client_key=client_key,
                redirect_uri=redirect,
                http=http,
                clock=node.clock,
            )
    except OidcError as error:
        with wallet.database.transaction() as session:
            audit.record(
                session,
                actor="anonymous",
                action="wallet.signin.oidc_refused",
                subject=institution_id,
                details={"error": error.error, "reason": error.description[:200]},
                clock=node.clock,
            )
        if error.error == "access_denied":
            message = _("You did not agree to share your phone number, so you are not signed in.")
        else:
            message = _("Comptoir ID's answer could not be trusted. You are not signed in.")
        return _refused(request, institution_id, message, 400)
    except httpx.HTTPError:
        return _refused(
            request,
            institution_id,
            _("Comptoir ID cannot be reached right now. Try again, or use a one-time code."),
            502,
        )
    try:
        token = identity.open_session_for_phone(
            wallet, institution_id=institution_id, phone=claims.get("phone_number")
        )
    except WalletError as error:
        # Without the phone number (unticked when sharing), every later sign-in gives the same
        # answer until the person shares it: say where that is done.
        consents = ""
        if error.code == "no_phone":
            consents = node.settings.resolved_identity_issuer.rstrip("/") + CONSENTS_PATH
        return _refused(request, institution_id, error_text(error), 403, consents=consents)
    response = see_other(f"/wallets/{institution_id}/home")
    response.delete_cookie(PENDING_COOKIE, path=_cookie_path(institution_id))
    set_session_cookie(request, response, institution_id, token)
    return response
