"""The seller platform's pages: the list of platforms and their shops, the owner's sign-in,
items (with photos), terms, orders, and a public tracking page for each order."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.states import MOVES, OWNER_MOVES, OrderState
from comptoir.apps.seller.models import Business, Platform
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.service import orders, protocol, settings, signin
from comptoir.apps.seller.service.orders import order_quote
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "comptoir_seller"

STATE_LABELS = {
    "draft": N_("Not confirmed"),
    "confirmed": N_("Confirmed"),
    "packed": N_("Packed"),
    "ready": N_("Ready for pickup"),
    "shipped": N_("Out for delivery"),
    "delivered": N_("Delivered"),
    "cancelled": N_("Cancelled"),
    "return_requested": N_("Return requested"),
    "returned": N_("Returned"),
}
CATEGORY_LABELS = {
    "produce": N_("Fresh produce"),
    "spices": N_("Spices and preserves"),
    "crafts": N_("Crafts"),
    "clothing": N_("Clothing"),
    "tourism": N_("Tours and services"),
}
FEE_LABELS = {"DELIVERY": N_("Delivery fee"), "SERVICE": N_("Platform service fee")}
FULFILMENT_LABELS = {"PICKUP": N_("Pickup at the shop"), "DELIVERY": N_("Local delivery")}
PAYMENT_LABELS = {"COD": N_("Cash on delivery"), "WALLET": N_("Wallet payment")}


def _label(labels: dict[str, str], key: str) -> str:
    return LazyText(labels.get(key, key)).render()


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    values: dict[str, Any] = {
        "money": lambda minor, currency="XCD": format_money(
            Money(minor, currency), current_locale()
        ),
        "state_label": lambda key: _label(STATE_LABELS, key),
        "category_label": lambda key: _label(CATEGORY_LABELS, key),
        "fee_label": lambda key: _label(FEE_LABELS, key),
        "fulfilment_label": lambda key: _label(FULFILMENT_LABELS, key),
        "payment_label": lambda key: _label(PAYMENT_LABELS, key),
        "categories": catalogue.CATEGORIES,
    }
    values.update(context)
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _platform(request: Request, platform_id: str) -> Platform:
    with seller_of(request).database.reading() as session:
        found = session.get(Platform, platform_id)
    if found is None:
        raise Problem(NOT_FOUND)
    return found


def _owner(request: Request, platform_id: str) -> Business | RedirectResponse:
    business = signin.session_business(
        seller_of(request), platform_id=platform_id, token=request.cookies.get(SESSION_COOKIE)
    )
    if business is None:
        return see_other(f"/sellers/{platform_id}/signin")
    return business


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None


# Public pages


@router.get("/sellers")
def platforms(request: Request) -> Response:
    with seller_of(request).database.reading() as session:
        found = list(session.scalars(select(Platform).order_by(Platform.name)))
    return render(request, "seller/index.html", {"platforms": found})


@router.get("/sellers/{platform_id}")
def platform_page(request: Request, platform_id: str) -> Response:
    platform = _platform(request, platform_id)
    with seller_of(request).database.reading() as session:
        businesses = list(
            session.scalars(
                select(Business).where(Business.platform_id == platform_id).order_by(Business.name)
            )
        )
    return render(request, "seller/platform.html", {"platform": platform, "businesses": businesses})


@router.get("/sellers/{platform_id}/items/{item_id}/thumbnail")
def item_thumbnail(request: Request, platform_id: str, item_id: str) -> Response:
    found = catalogue.thumbnail(seller_of(request), platform_id=platform_id, item_id=_uuid(item_id))
    if found is None:
        raise Problem(NOT_FOUND)
    return Response(found, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})


@router.get("/sellers/{platform_id}/track/{order_id}")
def track(request: Request, platform_id: str, order_id: str) -> Response:
    platform = _platform(request, platform_id)
    order = orders.public_order(seller_of(request), platform_id=platform_id, order_id=order_id)
    if order is None or order.state == OrderState.DRAFT:
        raise Problem(NOT_FOUND)
    return render(request, "seller/track.html", {"platform": platform, "order": order})


# Signing in


@router.get("/sellers/{platform_id}/signin")
def signin_form(request: Request, platform_id: str) -> Response:
    platform = _platform(request, platform_id)
    return render(request, "seller/signin.html", {"platform": platform, "step": "phone"})


@router.post("/sellers/{platform_id}/signin")
def signin_phone(
    request: Request, platform_id: str, phone: Annotated[str, Form()] = ""
) -> Response:
    platform = _platform(request, platform_id)
    normalised = signin.normalise_phone(phone)
    if len(normalised) < 8:
        return render(
            request,
            "seller/signin.html",
            {
                "platform": platform,
                "step": "phone",
                "phone": phone,
                "error": LazyText(N_("Write the phone number with its country code.")).render(),
            },
            status_code=400,
        )
    signin.request_code(seller_of(request), platform_id=platform_id, phone=normalised)
    return render(
        request, "seller/signin.html", {"platform": platform, "step": "code", "phone": normalised}
    )


@router.post("/sellers/{platform_id}/signin/code")
def signin_code(
    request: Request,
    platform_id: str,
    phone: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    platform = _platform(request, platform_id)
    token = signin.verify_code(seller_of(request), platform_id=platform_id, phone=phone, code=code)
    if token is None:
        return render(
            request,
            "seller/signin.html",
            {
                "platform": platform,
                "step": "code",
                "phone": phone,
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
    return response


@router.post("/sellers/{platform_id}/signout")
def signout(request: Request, platform_id: str) -> Response:
    signin.sign_out(seller_of(request), token=request.cookies.get(SESSION_COOKIE))
    response = see_other(f"/sellers/{platform_id}")
    response.delete_cookie(SESSION_COOKIE, path=f"/sellers/{platform_id}")
    return response


# The owner's pages


@router.get("/sellers/{platform_id}/shop")
def shop(request: Request, platform_id: str) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    seller = seller_of(request)
    return render(
        request,
        "seller/shop.html",
        {
            "platform": _platform(request, platform_id),
            "business": owner,
            "items": catalogue.business_items(seller, business_id=owner.id),
            "orders": orders.business_orders(seller, business_id=owner.id)[:20],
        },
    )


def _item_form(
    request: Request,
    platform_id: str,
    owner: Business,
    item_id: str | None,
    form: dict[str, Any],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "seller/item.html",
        {
            "platform": _platform(request, platform_id),
            "business": owner,
            "item_id": item_id,
            "form": form,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/sellers/{platform_id}/shop/items/new")
def new_item_form(request: Request, platform_id: str) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    return _item_form(request, platform_id, owner, None, {"returnable": True, "stock": "0"})


ItemField = Annotated[str, Form()]


@router.post("/sellers/{platform_id}/shop/items/new")
def new_item(
    request: Request,
    platform_id: str,
    *,
    name: ItemField = "",
    description: ItemField = "",
    category: ItemField = "",
    price: ItemField = "",
    stock: ItemField = "",
    variants: ItemField = "",
    returnable: ItemField = "",
) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    form = catalogue.ItemInput(
        name, description, category, price, stock, returnable == "yes", variants
    )
    try:
        item_id = catalogue.add_item(
            seller_of(request), platform_id=platform_id, business_id=owner.id, form=form
        )
    except SellerError as error:
        return _item_form(
            request,
            platform_id,
            owner,
            None,
            form.__dict__,
            error=error.text.render(),
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop/items/{item_id}")


@router.get("/sellers/{platform_id}/shop/items/{item_id}")
def item_page(request: Request, platform_id: str, item_id: str) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    try:
        item = catalogue.get_item(seller_of(request), business_id=owner.id, item_id=_uuid(item_id))
    except SellerError:
        raise Problem(NOT_FOUND) from None
    form = {
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "price": Money(item.price, item.currency).to_fixed(),
        "stock": str(item.stock),
        "variants": ", ".join(item.variants),
        "returnable": item.returnable,
        "has_photo": item.thumbnail is not None,
    }
    return _item_form(request, platform_id, owner, item_id, form)


@router.post("/sellers/{platform_id}/shop/items/{item_id}")
def change_item(
    request: Request,
    platform_id: str,
    item_id: str,
    *,
    name: ItemField = "",
    description: ItemField = "",
    category: ItemField = "",
    price: ItemField = "",
    stock: ItemField = "",
    variants: ItemField = "",
    returnable: ItemField = "",
) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    form = catalogue.ItemInput(
        name, description, category, price, stock, returnable == "yes", variants
    )
    try:
        catalogue.change_item(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            item_id=_uuid(item_id),
            form=form,
        )
    except SellerError as error:
        return _item_form(
            request,
            platform_id,
            owner,
            item_id,
            form.__dict__,
            error=error.text.render(),
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop")


@router.post("/sellers/{platform_id}/shop/items/{item_id}/photo")
async def item_photo(
    request: Request, platform_id: str, item_id: str, photo: Annotated[UploadFile, File()]
) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    data = await photo.read(catalogue.MAX_PHOTO_BYTES + 1)
    try:
        catalogue.set_photo(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            item_id=_uuid(item_id),
            photo=data,
        )
    except SellerError as error:
        item = catalogue.get_item(seller_of(request), business_id=owner.id, item_id=_uuid(item_id))
        form = {
            "name": item.name,
            "description": item.description,
            "category": item.category,
            "price": Money(item.price, item.currency).to_fixed(),
            "stock": str(item.stock),
            "variants": ", ".join(item.variants),
            "returnable": item.returnable,
        }
        return _item_form(
            request, platform_id, owner, item_id, form, error=error.text.render(), status_code=400
        )
    return see_other(f"/sellers/{platform_id}/shop/items/{item_id}")


@router.get("/sellers/{platform_id}/shop/terms")
def terms_form(request: Request, platform_id: str) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    return render(
        request,
        "seller/terms.html",
        {
            "platform": _platform(request, platform_id),
            "business": owner,
            "form": _terms_form(owner),
        },
    )


def _terms_form(owner: Business) -> dict[str, Any]:
    return {
        "pickup": owner.pickup,
        "delivery": owner.delivery,
        "delivery_fee": Money(owner.delivery_fee, "XCD").to_fixed(),
        "cash_on_delivery": owner.cash_on_delivery,
        "payment_alias": owner.payment_alias or "",
        "return_days": str(owner.return_days),
    }


@router.post("/sellers/{platform_id}/shop/terms")
def change_terms(
    request: Request,
    platform_id: str,
    *,
    pickup: ItemField = "",
    delivery: ItemField = "",
    delivery_fee: ItemField = "",
    cash_on_delivery: ItemField = "",
    payment_alias: ItemField = "",
    return_days: ItemField = "",
) -> Response:
    owner = _owner(request, platform_id)
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
    try:
        settings.change_terms(
            seller_of(request), platform_id=platform_id, business_id=owner.id, form=form
        )
    except SellerError as error:
        return render(
            request,
            "seller/terms.html",
            {
                "platform": _platform(request, platform_id),
                "business": owner,
                "form": form.__dict__,
                "error": error.text.render(),
            },
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop")


@router.post("/sellers/{platform_id}/shop/credential")
def present_credential(request: Request, platform_id: str, credential: ItemField = "") -> Response:
    """The owner presents the identity block's "registered business" credential."""
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    text = credential.strip()
    if not text:
        return render(
            request,
            "seller/terms.html",
            {
                "platform": _platform(request, platform_id),
                "business": owner,
                "form": _terms_form(owner),
                "error": LazyText(N_("Paste the credential your registry gave you.")).render(),
            },
            status_code=400,
        )
    verified = settings.present_credential(
        seller_of(request), platform_id=platform_id, business_id=owner.id, presentation=text
    )
    message = (
        N_("Your business is verified: buyers now see the mark.")
        if verified
        else N_(
            "We keep your credential, but cannot check it yet; "
            "the mark will show once it is checked."
        )
    )
    refreshed = signin.session_business(
        seller_of(request), platform_id=platform_id, token=request.cookies.get(SESSION_COOKIE)
    )
    return render(
        request,
        "seller/terms.html",
        {
            "platform": _platform(request, platform_id),
            "business": refreshed or owner,
            "form": _terms_form(refreshed or owner),
            "notice": LazyText(message).render(),
        },
    )


@router.get("/sellers/{platform_id}/shop/orders/{order_id}")
def order_page(
    request: Request, platform_id: str, order_id: str, error: str | None = None
) -> Response:
    owner = _owner(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    order = orders.public_order(seller_of(request), platform_id=platform_id, order_id=order_id)
    if order is None or order.business_id != owner.id:
        raise Problem(NOT_FOUND)
    moves = [state for state in MOVES[OrderState(order.state)] if state in OWNER_MOVES]
    return render(
        request,
        "seller/order.html",
        {
            "platform": _platform(request, platform_id),
            "business": owner,
            "order": order,
            "quote": order_quote(order),
            "moves": moves,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.post("/sellers/{platform_id}/shop/orders/{order_id}")
def move_order(
    request: Request, platform_id: str, order_id: str, state: ItemField = ""
) -> Response:
    owner = _owner(request, platform_id)
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
        return order_page(request, platform_id, order_id, error=error.text.render())
    protocol.notify_status(seller_of(request), platform_id=platform_id, order=moved)
    return see_other(f"/sellers/{platform_id}/shop/orders/{order_id}")
