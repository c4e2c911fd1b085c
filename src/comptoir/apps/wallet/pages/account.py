"""Choosing an institution, signing in and out, the balance and history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.parties import normalise_phone
from comptoir.apps.wallet.domain.signin import (
    CODE_DIGITS,
    Hold,
)
from comptoir.apps.wallet.pages.common import (
    SESSION_COOKIE,
    Visitor,
    clear_session_cookie,
    error_text,
    institution_or_404,
    render,
    see_other,
    set_session_cookie,
    visitor,
)
from comptoir.apps.wallet.service.history import history
from comptoir.apps.wallet.service.identity import registration
from comptoir.apps.wallet.service.institutions import list_institutions
from comptoir.apps.wallet.service.payer import list_payments
from comptoir.apps.wallet.service.requests import list_requests
from comptoir.apps.wallet.service.signin import (
    Outcome,
    request_code,
    sign_out,
    verify_code,
)
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.code_sign_in import held_text
from comptoir.kernel.i18n import _, local_moment
from comptoir.kernel.web.waiting_phone import WaitingPhone

router = APIRouter(include_in_schema=False)


@router.get("/wallets")
def institutions(request: Request) -> Response:
    return render(
        request, "wallet/index.html", {"institutions": list_institutions(wallet_of(request))}
    )


@router.get("/wallets/{institution_id}")
def institution_home(request: Request, institution_id: str) -> Response:
    institution_or_404(wallet_of(request), institution_id)
    return see_other(f"/wallets/{institution_id}/home")


def _waiting_phone(institution_id: str) -> WaitingPhone:
    return WaitingPhone("comptoir_wallet_signin_phone", f"/wallets/{institution_id}/signin")


def _refused_phone(institution_id: str) -> WaitingPhone:
    """A phone refused at the phone step, kept for a language switch (never in an address)."""
    return WaitingPhone("comptoir_wallet_refused_phone", f"/wallets/{institution_id}/signin")


def refused_step(institution_id: str) -> str:
    """Where switching language brings back a refused phone step, from its cookie."""
    return f"/wallets/{institution_id}/signin?step=phone"


def code_step(institution_id: str) -> str:
    """The code step's own address, where switching language brings the visitor back (no new
    code is sent from it; the phone comes from its cookie)."""
    return f"/wallets/{institution_id}/signin?step=code"


def _code_step_page(
    request: Request, context: dict[str, object], institution_id: str, *, status_code: int = 200
) -> HTMLResponse:
    """The code step, remembering its phone for the way back from a language switch."""
    response = render(request, "wallet/signin.html", context, status_code=status_code)
    _waiting_phone(institution_id).keep(request, response, str(context["phone"]))
    return response


@router.get("/wallets/{institution_id}/signin")
def signin_form(request: Request, institution_id: str, step: str = "", ended: str = "") -> Response:
    wallet = wallet_of(request)
    institution = institution_or_404(wallet, institution_id)
    waiting = _waiting_phone(institution_id).read(request) if step == "code" else ""
    if waiting:
        try:
            normalised = normalise_phone(waiting)
        except WalletError:
            normalised = ""
        if normalised:
            return render(
                request,
                "wallet/signin.html",
                {
                    "institution": institution,
                    "step": "code",
                    "phone": normalised,
                    "return_path": code_step(institution_id),
                },
            )
    context: dict[str, object] = {
        "institution": institution,
        "step": "phone",
        "oidc_available": registration(wallet, institution_id) is not None,
        "session_ended": bool(ended),
    }
    refused = _refused_phone(institution_id).read(request) if step == "phone" else ""
    if refused:
        # The refused phone as typed, and why, said again in today's language.
        context.update(phone=refused, return_path=refused_step(institution_id))
        try:
            normalise_phone(refused)
        except WalletError as error:
            context["error"] = error_text(error)
        return render(request, "wallet/signin.html", context)
    response = render(request, "wallet/signin.html", context)
    if _refused_phone(institution_id).cookie in request.cookies:
        _refused_phone(institution_id).forget(response)
    if ended:
        clear_session_cookie(response, institution_id)  # said once; a reload asks no more
    return response


@router.post("/wallets/{institution_id}/signin")
def signin_send_code(
    request: Request, institution_id: str, phone: Annotated[str, Form()] = ""
) -> Response:
    wallet = wallet_of(request)
    institution = institution_or_404(wallet, institution_id)
    try:
        asked = request_code(wallet, institution_id=institution_id, phone=phone)
    except WalletError as error:
        refused = {"institution": institution, "step": "phone", "phone": phone}
        refused["error"] = error_text(error)
        refused["oidc_available"] = registration(wallet, institution_id) is not None
        refused["return_path"] = refused_step(institution_id)
        response = render(request, "wallet/signin.html", refused, status_code=400)
        _refused_phone(institution_id).keep(request, response, phone)
        return response
    context: dict[str, object] = {
        "institution": institution,
        "step": "code",
        "phone": asked.phone,
        "return_path": code_step(institution_id),
    }
    if asked.held is None:
        # The code step at its own address: a reload, or a phone restoring the tab, shows it
        # again rather than sending the form (and asking for a new code) once more.
        to_code_step = see_other(code_step(institution_id))
        _waiting_phone(institution_id).keep(request, to_code_step, asked.phone)
        _refused_phone(institution_id).forget(to_code_step)
        return to_code_step
    if asked.held.reason is Hold.RESEND_WAIT:
        # Asked again too soon: the code step stays, for the code sent before still works.
        context["error"] = held_text(asked.held, wallet.clock.now(), when=local_moment)
        return _code_step_page(request, context, institution_id, status_code=429)
    del context["return_path"]  # the phone step is the page to come back to
    context.update(
        step="phone",
        oidc_available=registration(wallet, institution_id) is not None,
        error=held_text(asked.held, wallet.clock.now(), when=local_moment),
    )
    return render(request, "wallet/signin.html", context, status_code=429)


@router.post("/wallets/{institution_id}/signin/code")
def signin_check_code(
    request: Request,
    institution_id: str,
    phone: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    wallet = wallet_of(request)
    institution = institution_or_404(wallet, institution_id)
    context: dict[str, object] = {
        "institution": institution,
        "step": "code",
        "phone": phone,
        "return_path": code_step(institution_id),
    }
    typed = "".join(code.split())  # "123 456", as a message may show it, is the code too
    if len(typed) != CODE_DIGITS or not (typed.isascii() and typed.isdigit()):
        # A slip of the finger is not a guess: it costs none of the three tries.
        context["error"] = _("Enter the {digits}-figure code we sent you.", digits=CODE_DIGITS)
        return render(request, "wallet/signin.html", context, status_code=400)
    try:
        result = verify_code(wallet, institution_id=institution_id, phone=phone, code=typed)
    except WalletError as error:
        context.update(step="phone", error=error_text(error))
        return render(request, "wallet/signin.html", context, status_code=400)
    if result.outcome is Outcome.LOCKED:
        context["error"] = _(
            "Too many wrong codes. Signing in with this number is locked until {time}.",
            time=local_moment(result.locked_until),
        )
        return render(request, "wallet/signin.html", context, status_code=429)
    if result.outcome is Outcome.WRONG_CODE or result.token is None:
        context["error"] = _("This code is wrong or has expired. Check it, or ask for a new one.")
        return render(request, "wallet/signin.html", context, status_code=400)
    response = see_other(f"/wallets/{institution_id}/home")
    set_session_cookie(request, response, institution_id, result.token)
    _waiting_phone(institution_id).forget(response)
    return response


@router.post("/wallets/{institution_id}/signout")
def signout(request: Request, institution_id: str) -> Response:
    sign_out(wallet_of(request), token=request.cookies.get(SESSION_COOKIE))
    response = see_other(f"/wallets/{institution_id}/signin")
    clear_session_cookie(response, institution_id)
    return response


@router.get("/wallets/{institution_id}/home")
def home(request: Request, institution_id: str) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    wallet = wallet_of(request)
    customer_id = who.customer.id
    asked = list_requests(
        wallet, institution_id=institution_id, customer_id=customer_id, direction="incoming"
    )
    return render(
        request,
        "wallet/home.html",
        {
            "institution": who.institution,
            "customer": who.customer,
            "lines": history(wallet, institution_id=institution_id, customer_id=customer_id),
            "payments": list_payments(
                wallet, institution_id=institution_id, customer_id=customer_id, limit=10
            ),
            "open_requests": [r for r in asked if r.state in ("received", "pending")],
        },
    )
