"""The buyer app's pages under /shop/: search the whole network, carts per seller, quotes with
every fee, checkout, payment, and what follows an order. No JavaScript: a page that waits for
sellers' answers waits on the server, up to a short deadline."""

from __future__ import annotations

import asyncio
import io
import secrets
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from comptoir.apps.buyer.domain import REFUSALS, UNKNOWN_REFUSAL
from comptoir.apps.buyer.service import age, orders, searches
from comptoir.apps.buyer.service.context import AppView, the_app
from comptoir.apps.buyer.web import buyer_of, protocol_of
from comptoir.kernel.crypto.sdjwt import http_fetch
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, _, current_locale
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.navigation import Role

router = APIRouter(include_in_schema=False)
SHOPPER_COOKIE = "comptoir_shopper"
CATEGORIES = {
    "produce": N_("Fresh produce"),
    "spices": N_("Spices and preserves"),
    "crafts": N_("Crafts"),
    "clothing": N_("Clothing"),
    "tourism": N_("Tours and services"),
}
PLACES = (
    "Castries",
    "Soufrière",
    "Gros Islet",
    "Vieux Fort",
    "Roseau",
    "Basse-Terre",
    "Fort-de-France",
    "St. George's",
)
SELLER_STATES = {
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
ORDER_STATES = {
    "cart": N_("In your cart"),
    "quoted": N_("Quote received"),
    "initialised": N_("Ready to order"),
    "confirmed": N_("Ordered"),
    "cancelled": N_("Cancelled"),
}
FEES = {"DELIVERY": N_("Delivery fee"), "SERVICE": N_("Platform service fee")}


def _text(labels: dict[str, str], key: str | None) -> str:
    return LazyText(labels.get(key or "", key or "")).render()


def qr_svg(payload: str, title: str) -> Markup:
    """The payment QR code as inline SVG (segno): no script, no request, a few KB."""
    import segno

    out = io.BytesIO()
    segno.make(payload, error="m").save(
        out,
        kind="svg",
        scale=3,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        xmldecl=False,
        nl=False,
    )
    svg = out.getvalue().decode("utf-8").replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # noqa: S704 (segno's own output, with the title escaped by segno)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    values: dict[str, Any] = {
        "money": lambda minor, currency="XCD": format_money(
            Money(minor, currency), current_locale()
        ),
        "category_label": lambda key: _text(CATEGORIES, key),
        "seller_state": lambda key: _text(SELLER_STATES, key),
        "order_state": lambda key: _text(ORDER_STATES, key),
        "fee_label": lambda key: _text(FEES, key),
        "refusal": lambda code: LazyText(REFUSALS.get(code or "", UNKNOWN_REFUSAL)).render(),
        "categories": CATEGORIES,
        "places": PLACES,
    }
    values.update(context)
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _app(request: Request) -> AppView:
    found = the_app(buyer_of(request))
    if found is None:
        raise Problem(NOT_FOUND)
    return found


def _shopper(request: Request) -> str | None:
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token or len(token) > 100:
        return None
    return orders.shopper_digest(token)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None


@router.get("/shop/market")
def home(request: Request) -> Response:
    app = _app(request)
    return render(request, "buyer/home.html", {"app": app, "form": {}})


@router.get("/shop/search")
async def search(
    request: Request, words: str = "", category: str = "", place: str = ""
) -> Response:
    buyer = buyer_of(request)
    app = await run_in_threadpool(_app, request)
    words, place = words.strip()[:200], place.strip()[:100]
    category = category if category in CATEGORIES else ""
    if not (words or category or place):
        error = LazyText(
            N_("Write what you are looking for, or choose a category or a place.")
        ).render()
        return render(
            request, "buyer/home.html", {"app": app, "form": {}, "error": error}, status_code=400
        )
    search_id, body = await run_in_threadpool(
        lambda: searches.start_search(buyer, app=app, words=words, category=category, place=place)
    )
    started = time.monotonic()
    delivery = None
    try:
        delivery = await protocol_of(request).send(
            app.id,
            app.subscriber_id,
            app.unique_key_id,
            app.registry_url,
            app.gateway_url + "/discover",
            body,
        )
    except Exception:
        delivery = None
    if delivery is not None and delivery.acknowledged:
        # Sellers answer by callback until the deadline; then the page shows what came.
        await asyncio.sleep(max(0.0, buyer.search_seconds - (time.monotonic() - started)))
        return RedirectResponse(f"/shop/results/{search_id}", status_code=303)
    error = LazyText(N_("The network could not be reached. Please try again in a moment.")).render()
    return render(
        request,
        "buyer/home.html",
        {"app": app, "form": {"words": words}, "error": error},
        status_code=502,
    )


@router.get("/shop/results/{search_id}")
def results(request: Request, search_id: str) -> Response:
    app = _app(request)
    found = searches.search_results(buyer_of(request), search_id=_uuid(search_id))
    if found is None:
        raise Problem(NOT_FOUND)
    return render(
        request, "buyer/results.html", {"app": app, "search": found, "form": {"words": found.words}}
    )


@router.post("/shop/cart")
def add_to_cart(
    request: Request, result: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "1"
) -> Response:
    app = _app(request)
    buyer = buyer_of(request)
    found = searches.get_result(buyer, result_id=_uuid(result))
    if found is None:
        raise Problem(NOT_FOUND)
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(24)
    try:
        count = int(quantity) if quantity.strip().isdigit() else 0
        order_id = orders.add_to_cart(
            buyer, app=app, shopper=orders.shopper_digest(token), result=found, quantity=count
        )
    except orders.BuyerError as error:
        view = searches.search_results(buyer, search_id=found.search_id)
        return render(
            request,
            "buyer/results.html",
            {"app": app, "search": view, "form": {}, "error": error.text.render()},
            status_code=400,
        )
    response = RedirectResponse(f"/shop/orders/{order_id}", status_code=303)
    response.set_cookie(
        SHOPPER_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=node_context(request).settings.secure_cookies,
        path="/shop",
        max_age=30 * 86400,
    )
    return response


@router.get("/shop/orders")
def order_list(request: Request) -> Response:
    app = _app(request)
    shopper = _shopper(request)
    found = [] if shopper is None else orders.shopper_orders(buyer_of(request), shopper=shopper)
    return render(request, "buyer/orders.html", {"app": app, "orders": found})


def _wallet_on_node(request: Request) -> bool:
    """Whether this node serves the reference wallet, as its service directory says."""
    links = node_context(request).directory.for_role(Role.SHOPPER)
    return any(link.href == "/wallets" for link in links)


@router.get("/shop/orders/{order_id}")
def order_page(
    request: Request, order_id: str, error: str | None = None, status_code: int = 200
) -> Response:
    app = _app(request)
    shopper = _shopper(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    try:
        order = orders.get_order(buyer_of(request), shopper=shopper, order_id=_uuid(order_id))
    except orders.BuyerError:
        raise Problem(NOT_FOUND) from None
    qr = None
    if order.payment and order.payment.get("qr") and order.quote:
        qr = qr_svg(order.payment["qr"], _("QR code to pay {shop}", shop=order.provider_name))
    return render(
        request,
        "buyer/order.html",
        {
            "app": app,
            "order": order,
            "qr": qr,
            "wallet_here": _wallet_on_node(request),
            "error": error,
            "age_challenge": age.new_challenge(
                buyer_of(request), secret=node_context(request).secret, order_id=order.id
            )
            if age.needs_proof(order.lines)
            else None,
        },
        status_code=status_code,
    )


@router.post("/shop/orders/{order_id}/quantity")
def change_quantity(
    request: Request,
    order_id: str,
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
) -> Response:
    shopper = _shopper(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    try:
        count = int(quantity) if quantity.strip().isdigit() else -1
        orders.change_quantity(
            buyer_of(request),
            shopper=shopper,
            order_id=_uuid(order_id),
            resource_id=item,
            quantity=count,
        )
    except orders.BuyerError as error:
        return order_page(request, order_id, error=error.text.render(), status_code=400)
    return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)


Field = Annotated[str, Form()]


def _age_refusal(
    request: Request, shopper: str, order_id: uuid.UUID, presentation: str, nonce: str
) -> str | None:
    """Why an order of goods sold to adults only cannot be placed yet; None if it can."""
    buyer = buyer_of(request)
    try:
        order = orders.get_order(buyer, shopper=shopper, order_id=order_id)
    except orders.BuyerError:
        return None  # `prepare` gives the refusal for an order that is not this shopper's
    if not age.needs_proof(order.lines):
        return None
    node = node_context(request)
    return age.refusal(
        buyer,
        order_id=order_id,
        presentation=presentation,
        nonce=nonce,
        secret=node.secret,
        issuer=node.settings.resolved_credential_issuer,
        fetch=http_fetch,
    )


@router.post("/shop/orders/{order_id}/{action}")
async def act(
    request: Request,
    order_id: str,
    action: str,
    *,
    fulfilment: Field = "",
    name: Field = "",
    phone: Field = "",
    address: Field = "",
    payment: Field = "",
    rating: Field = "",
    feedback: Field = "",
    question: Field = "",
    age_proof: Field = "",
    nonce: Field = "",
) -> Response:
    if action not in orders.ALLOWED:
        raise Problem(NOT_FOUND)
    buyer = buyer_of(request)
    app = await run_in_threadpool(_app, request)
    shopper = _shopper(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    key = _uuid(order_id)
    if action == "confirm":
        refused = await run_in_threadpool(
            lambda: _age_refusal(request, shopper, key, age_proof, nonce)
        )
        if refused is not None:
            message = LazyText(refused).render()
            return await run_in_threadpool(
                lambda: order_page(request, order_id, error=message, status_code=400)
            )
    try:
        outgoing = await run_in_threadpool(
            lambda: orders.prepare(
                buyer,
                app=app,
                shopper=shopper,
                order_id=key,
                action=action,
                fulfilment=fulfilment or None,
                details={"name": name, "phone": phone, "address": address},
                payment_method=payment or None,
                rating=int(rating) if rating.isdigit() else None,
                feedback=feedback,
                question=question,
            )
        )
    except orders.BuyerError as error:
        message = error.text.render()
        return await run_in_threadpool(
            lambda: order_page(request, order_id, error=message, status_code=400)
        )
    try:
        delivery = await protocol_of(request).send(
            app.id,
            app.subscriber_id,
            app.unique_key_id,
            app.registry_url,
            outgoing.url,
            outgoing.body,
        )
        acknowledged = delivery.acknowledged
        problem = (
            ""
            if acknowledged
            else (delivery.ack.error.error_message or "")
            if delivery.ack and delivery.ack.error
            else "NACK"
        )
        code = (
            (delivery.ack.error.error_code or "") if delivery.ack and delivery.ack.error else "NACK"
        )
    except Exception as failure:
        acknowledged, problem, code = False, str(failure), "UNREACHABLE"
    if not acknowledged:
        await run_in_threadpool(
            lambda: orders.cancel_wait(buyer, order_id=key, code=code, message=problem or "")
        )
    else:
        deadline = time.monotonic() + buyer.answer_seconds
        while time.monotonic() < deadline and await run_in_threadpool(
            lambda: orders.waiting(buyer, order_id=key)
        ):
            await asyncio.sleep(0.02)
    return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)
