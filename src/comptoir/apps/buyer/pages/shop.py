"""The buyer app's shop pages: the front page, a search of the whole network whose sellers'
answers the page waits for on the server (no JavaScript), the results, and adding to a cart."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.buyer.pages.common import (
    CATEGORIES,
    SHOPPER_COOKIE,
    app_or_404,
    parse_uuid,
    render,
)
from comptoir.apps.buyer.service import orders, searches
from comptoir.apps.buyer.web import buyer_of, protocol_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale
from comptoir.kernel.money import typed_count
from comptoir.kernel.text import typed_text
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)


@router.get("/shop/market")
def home(request: Request) -> Response:
    app = app_or_404(request)
    return render(request, "buyer/home.html", {"app": app, "form": {}})


@router.get("/shop/search")
async def search(
    request: Request, words: str = "", category: str = "", place: str = ""
) -> Response:
    buyer = buyer_of(request)
    app = await run_in_threadpool(app_or_404, request)
    words, place = typed_text(words).strip()[:200], typed_text(place).strip()[:100]
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
    app = app_or_404(request)
    found = searches.search_results(buyer_of(request), search_id=parse_uuid(search_id))
    if found is None:
        raise Problem(NOT_FOUND)
    context = {"app": app, "search": found, "form": _form(found)}
    return render(request, "buyer/results.html", context)


def _form(search: searches.SearchView) -> dict[str, str]:
    """The search form as the shopper filled it, to search again from the results."""
    return {"words": search.words, "category": search.category, "place": search.place}


@router.post("/shop/cart")
def add_to_cart(
    request: Request, result: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "1"
) -> Response:
    app = app_or_404(request)
    buyer = buyer_of(request)
    found = searches.get_result(buyer, result_id=parse_uuid(result))
    if found is None:
        raise Problem(NOT_FOUND)
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(24)
    try:
        count = typed_count(quantity, locale=current_locale())
        if count is None:
            count = 0
        order_id = orders.add_to_cart(
            buyer, app=app, shopper=orders.shopper_digest(token), result=found, quantity=count
        )
    except orders.BuyerError as error:
        view = searches.search_results(buyer, search_id=found.search_id)
        if view is None:
            raise Problem(NOT_FOUND) from None
        message = error.text.render()
        return render(
            request,
            "buyer/results.html",
            {
                "app": app,
                "search": view,
                "form": _form(view),
                "error": message,
                # Said again beside the offer's quantity, which keeps what was typed.
                "refused": {"result": found.id, "quantity": quantity, "problem": message},
                "error_target": f"quantity-{found.id}",
            },
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
