"""Public pages: the platforms, their shops, item photos, order tracking, and signing in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from comptoir.apps.seller.domain.states import OrderState
from comptoir.apps.seller.models import Business, Platform
from comptoir.apps.seller.pages.common import (
    SESSION_COOKIE,
    parse_uuid,
    platform_or_404,
    render,
    see_other,
)
from comptoir.apps.seller.service import identity, orders, signin
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.code_sign_in import held_text
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, local_moment
from comptoir.kernel.one_time_codes import Hold
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.waiting_phone import WaitingPhone

router = APIRouter(include_in_schema=False)


@router.get("/sellers")
def platforms(request: Request) -> Response:
    with seller_of(request).database.reading() as session:
        found = list(session.scalars(select(Platform).order_by(Platform.name)))
    return render(request, "seller/index.html", {"platforms": found})


@router.get("/sellers/{platform_id}")
def platform_page(request: Request, platform_id: str) -> Response:
    platform = platform_or_404(request, platform_id)
    with seller_of(request).database.reading() as session:
        businesses = list(
            session.scalars(
                select(Business).where(Business.platform_id == platform_id).order_by(Business.name)
            )
        )
    return render(request, "seller/platform.html", {"platform": platform, "businesses": businesses})


@router.get("/sellers/{platform_id}/items/{item_id}/thumbnail")
def item_thumbnail(request: Request, platform_id: str, item_id: str) -> Response:
    found = catalogue.thumbnail(
        seller_of(request), platform_id=platform_id, item_id=parse_uuid(item_id)
    )
    if found is None:
        raise Problem(NOT_FOUND)
    return Response(found, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})


@router.get("/sellers/{platform_id}/track/{order_id}")
def track(request: Request, platform_id: str, order_id: str) -> Response:
    platform = platform_or_404(request, platform_id)
    order = orders.public_order(seller_of(request), platform_id=platform_id, order_id=order_id)
    if order is None or order.state == OrderState.DRAFT:
        raise Problem(NOT_FOUND)
    return render(request, "seller/track.html", {"platform": platform, "order": order})


# Signing in


def _waiting_phone(platform_id: str) -> WaitingPhone:
    return WaitingPhone("comptoir_seller_signin_phone", f"/sellers/{platform_id}/signin")


def _refused_phone(platform_id: str) -> WaitingPhone:
    """A phone refused at the phone step, kept for a language switch (never in an address)."""
    return WaitingPhone("comptoir_seller_refused_phone", f"/sellers/{platform_id}/signin")


def refused_step(platform_id: str) -> str:
    """Where switching language brings back a refused phone step, from its cookie."""
    return f"/sellers/{platform_id}/signin?step=phone"


def _phone_problem(phone: str) -> str | None:
    """Why a typed phone cannot be asked a code for, in the reader's language; None if it can."""
    normalised = signin.normalise_phone(phone)
    if len(normalised) < 8 or not signin.possible_phone(normalised):
        return LazyText(N_("Write the phone number with its country code.")).render()
    return None


def code_step(platform_id: str) -> str:
    """The code step's own address, where switching language brings the owner back (no new
    code is sent from it; the phone comes from its cookie)."""
    return f"/sellers/{platform_id}/signin?step=code"


def _code_step_page(
    request: Request, context: dict[str, object], platform_id: str, *, status_code: int = 200
) -> Response:
    """The code step, remembering its phone for the way back from a language switch."""
    response = render(request, "seller/signin.html", context, status_code=status_code)
    _waiting_phone(platform_id).keep(request, response, str(context["phone"]))
    return response


@router.get("/sellers/{platform_id}/signin")
def signin_form(request: Request, platform_id: str, step: str = "") -> Response:
    platform = platform_or_404(request, platform_id)
    waiting = _waiting_phone(platform_id).read(request) if step == "code" else ""
    normalised = signin.normalise_phone(waiting)
    if waiting and signin.possible_phone(normalised):
        return render(
            request,
            "seller/signin.html",
            {
                "platform": platform,
                "step": "code",
                "phone": normalised,
                "return_path": code_step(platform_id),
            },
        )
    oidc_available = identity.registration(seller_of(request), platform_id) is not None
    context = {"platform": platform, "step": "phone", "oidc_available": oidc_available}
    refused = _refused_phone(platform_id).read(request) if step == "phone" else ""
    if refused:
        # The refused phone as typed, and why, said again in today's language.
        context.update(phone=refused, return_path=refused_step(platform_id))
        context.update(error=_phone_problem(refused))
        return render(request, "seller/signin.html", context)
    response = render(request, "seller/signin.html", context)
    if _refused_phone(platform_id).cookie in request.cookies:
        _refused_phone(platform_id).forget(response)
    return response


@router.post("/sellers/{platform_id}/signin")
def signin_phone(
    request: Request, platform_id: str, phone: Annotated[str, Form()] = ""
) -> Response:
    platform = platform_or_404(request, platform_id)
    problem = _phone_problem(phone)
    if problem is not None:
        response = render(
            request,
            "seller/signin.html",
            {
                "platform": platform,
                "step": "phone",
                "phone": phone,
                "error": problem,
                "oidc_available": identity.registration(seller_of(request), platform_id)
                is not None,
                "return_path": refused_step(platform_id),
            },
            status_code=400,
        )
        _refused_phone(platform_id).keep(request, response, phone)
        return response
    normalised = signin.normalise_phone(phone)
    seller = seller_of(request)
    asked = signin.request_code(seller, platform_id=platform_id, phone=normalised)
    context: dict[str, object] = {
        "platform": platform,
        "step": "code",
        "phone": asked.phone,
        "return_path": code_step(platform_id),
    }
    if asked.held is None:
        response = _code_step_page(request, context, platform_id)
        _refused_phone(platform_id).forget(response)
        return response
    if asked.held.reason is Hold.RESEND_WAIT:
        # Asked again too soon: the code step stays, for the code sent before still works.
        context["error"] = held_text(asked.held, seller.clock.now(), when=local_moment)
        return _code_step_page(request, context, platform_id, status_code=429)
    del context["return_path"]  # the phone step is the page to come back to
    context.update(
        step="phone",
        oidc_available=identity.registration(seller, platform_id) is not None,
        error=held_text(asked.held, seller.clock.now(), when=local_moment),
    )
    return render(request, "seller/signin.html", context, status_code=429)


@router.post("/sellers/{platform_id}/signin/code")
def signin_code(
    request: Request,
    platform_id: str,
    phone: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    platform = platform_or_404(request, platform_id)
    token = signin.verify_code(seller_of(request), platform_id=platform_id, phone=phone, code=code)
    if token is None:
        return render(
            request,
            "seller/signin.html",
            {
                "platform": platform,
                "step": "code",
                "phone": phone,
                "return_path": code_step(platform_id),
                "error": LazyText(
                    N_(
                        "This code is wrong or has expired. "
                        "After three wrong codes, wait ten minutes."
                    )
                ).render(),
            },
            status_code=400,
        )
    response = see_other(f"/sellers/{platform_id}/shop")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=node_context(request).settings.secure_cookies,
        path=f"/sellers/{platform_id}",
    )
    _waiting_phone(platform_id).forget(response)
    return response


@router.post("/sellers/{platform_id}/signout")
def signout(request: Request, platform_id: str) -> Response:
    signin.sign_out(seller_of(request), token=request.cookies.get(SESSION_COOKIE))
    response = see_other(f"/sellers/{platform_id}")
    response.delete_cookie(SESSION_COOKIE, path=f"/sellers/{platform_id}")
    return response


# The owner's pages
