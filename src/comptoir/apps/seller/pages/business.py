"""The owner's terms (delivery, payment, returns), credential and orders."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.states import OrderState, owner_choices
from comptoir.apps.seller.models import Business
from comptoir.apps.seller.pages import form_drafts
from comptoir.apps.seller.pages.common import (
    SESSION_COOKIE,
    FormField,
    owner_or_signin,
    platform_or_404,
    render,
    see_other,
)
from comptoir.apps.seller.service import orders, protocol, settings, signin, verification
from comptoir.apps.seller.service.orders import order_quote
from comptoir.apps.seller.wallet_pay import service as wallet_pay
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.crypto.sdjwt import http_fetch
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale
from comptoir.kernel.money import Money, written_amount
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)


TERMS_TEXT_FIELDS: Final = ("delivery_fee", "payment_alias", "return_days")
TERMS_TICKED_FIELDS: Final = ("pickup", "delivery", "cash_on_delivery")


def _terms_path(platform_id: str) -> str:
    return f"/sellers/{platform_id}/shop/terms"


@router.get("/sellers/{platform_id}/shop/terms")
def terms_form(request: Request, platform_id: str, kept: str = "") -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    platform = platform_or_404(request, platform_id)
    draft = form_drafts.kept_form(request, "terms") if kept else None
    if draft is not None:  # back from a language switch, as typed
        form: dict[str, Any] = {field: draft.values.get(field, "") for field in TERMS_TEXT_FIELDS}
        form |= {field: draft.values.get(field) == "yes" for field in TERMS_TICKED_FIELDS}
        return _terms_page(request, platform_id, owner, form, draft.refused)
    page = render(
        request,
        "seller/terms.html",
        {
            "platform": platform,
            "business": owner,
            "form": _terms_form(owner, platform.currency),
            "challenge": _challenge(request, platform_id, owner),
        },
    )
    form_drafts.forget_form(request, page, _terms_path(platform_id))  # opened afresh: as saved
    return page


def _terms_page(
    request: Request,
    platform_id: str,
    owner: Business,
    form: dict[str, Any],
    refused: SellerError | None,
    *,
    status_code: int = 200,
) -> Response:
    """The terms' form as typed; after a refusal, every field's problem beside it."""
    problems = {field: text.render() for field, text in (refused.fields if refused else {}).items()}
    context: dict[str, Any] = {
        "platform": platform_or_404(request, platform_id),
        "business": owner,
        "form": form,
        "challenge": _challenge(request, platform_id, owner),
    }
    if refused is not None:  # every problem at once at the top too, as a summary
        context |= {
            "error": " ".join(dict.fromkeys(problems.values())) or refused.text.render(),
            "error_fields": problems,
            "terms_refused": True,
        }
    return render(request, "seller/terms.html", context, status_code=status_code)


def _challenge(request: Request, platform_id: str, owner: Business) -> verification.Challenge:
    return verification.new_challenge(
        seller_of(request),
        secret=node_context(request).secret,
        platform_id=platform_id,
        business_id=owner.id,
    )


def _terms_form(owner: Business, currency: str) -> dict[str, Any]:
    return {
        "pickup": owner.pickup,
        "delivery": owner.delivery,
        "delivery_fee": written_amount(
            Money(owner.delivery_fee, currency), locale=current_locale()
        ),
        "cash_on_delivery": owner.cash_on_delivery,
        "payment_alias": owner.payment_alias or "",
        "return_days": str(owner.return_days),
    }


@router.post("/sellers/{platform_id}/shop/terms")
def change_terms(
    request: Request,
    platform_id: str,
    *,
    pickup: FormField = "",
    delivery: FormField = "",
    delivery_fee: FormField = "",
    cash_on_delivery: FormField = "",
    payment_alias: FormField = "",
    return_days: FormField = "",
    lang: FormField = "",
    refused: FormField = "",
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    form = settings.TermsInput(
        pickup == "yes",
        delivery == "yes",
        delivery_fee,
        cash_on_delivery == "yes",
        payment_alias,
        return_days,
    )
    if lang:  # the header's language buttons (`switch_keeps`): kept, not saved
        currency = platform_or_404(request, platform_id).currency
        values = {field: str(getattr(form, field)) for field in TERMS_TEXT_FIELDS}
        values |= {field: "yes" if getattr(form, field) else "" for field in TERMS_TICKED_FIELDS}
        return form_drafts.switched_language(
            request,
            form_key="terms",
            values=values,
            problems=settings.terms_problems(form, currency) if refused else None,
            lang=lang,
            page=_terms_path(platform_id),
        )
    try:
        settings.change_terms(
            seller_of(request), platform_id=platform_id, business_id=owner.id, form=form
        )
    except SellerError as error:
        return _terms_page(request, platform_id, owner, form.__dict__, error, status_code=400)
    saved = see_other(f"/sellers/{platform_id}/shop")
    form_drafts.forget_form(request, saved, _terms_path(platform_id))
    return saved


@router.post("/sellers/{platform_id}/shop/credential")
def present_credential(
    request: Request, platform_id: str, credential: FormField = "", nonce: FormField = ""
) -> Response:
    """The owner presents the identity block's "registered business" credential."""
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    platform = platform_or_404(request, platform_id)
    text = credential.strip()
    if not text:
        return render(
            request,
            "seller/terms.html",
            {
                "platform": platform,
                "business": owner,
                "form": _terms_form(owner, platform.currency),
                "challenge": _challenge(request, platform_id, owner),
                "error": LazyText(N_("Paste the credential your registry gave you.")).render(),
            },
            status_code=400,
        )
    node = node_context(request)
    verdict = verification.present_credential(
        seller_of(request),
        platform_id=platform_id,
        business_id=owner.id,
        presentation=text,
        nonce=nonce,
        secret=node.secret,
        issuer=node.settings.resolved_credential_issuer,
        fetch=http_fetch,
    )
    refreshed = signin.session_business(
        seller_of(request), platform_id=platform_id, token=request.cookies.get(SESSION_COOKIE)
    )
    context: dict[str, Any] = {
        "platform": platform,
        "business": refreshed or owner,
        "form": _terms_form(refreshed or owner, platform.currency),
        "challenge": _challenge(request, platform_id, owner),
    }
    if verdict.verified:
        context["notice"] = LazyText(
            N_("Your business is verified: buyers now see the mark.")
        ).render()
        return render(request, "seller/terms.html", context)
    refusal = verification.REFUSALS[verdict.refusal or "invalid"]
    context["error"] = LazyText(refusal).render()
    return render(request, "seller/terms.html", context, status_code=400)


@router.get("/sellers/{platform_id}/shop/orders/{order_id}")
def order_page(request: Request, platform_id: str, order_id: str) -> Response:
    return _show_order(request, platform_id, order_id)


def _show_order(
    request: Request, platform_id: str, order_id: str, error: str | None = None
) -> Response:
    """The order; after a refused move, its error (never taken from the address)."""
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    order = orders.public_order(seller_of(request), platform_id=platform_id, order_id=order_id)
    if order is None or order.business_id != owner.id:
        raise Problem(NOT_FOUND)
    moves = owner_choices(OrderState(order.state), order.fulfilment)
    return render(
        request,
        "seller/order.html",
        {
            "platform": platform_or_404(request, platform_id),
            "business": owner,
            "order": order,
            "quote": order_quote(order),
            "moves": moves,
            "error": error,
            "wallet_payment": wallet_pay.payment_status(seller_of(request), order.id),
        },
        status_code=400 if error else 200,
    )


@router.post("/sellers/{platform_id}/shop/orders/{order_id}")
def move_order(
    request: Request, platform_id: str, order_id: str, state: FormField = ""
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    try:
        moved = orders.owner_move(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            order_id=order_id,
            wanted=state,
            actor=f"seller:{owner.id}",
        )
    except SellerError as error:
        now = orders.public_order(seller_of(request), platform_id=platform_id, order_id=order_id)
        if now is not None and now.business_id == owner.id and now.state == state:
            # The same button pressed twice on a slow line: the first press moved it.
            return see_other(f"/sellers/{platform_id}/shop/orders/{order_id}")
        return _show_order(request, platform_id, order_id, error=error.text.render())
    protocol.notify_status(seller_of(request), platform_id=platform_id, order=moved)
    return see_other(f"/sellers/{platform_id}/shop/orders/{order_id}")
