"""The buyer app's order pages: the shopper's orders, one order with its quote, payment and
what follows, and the actions on it (quantity, checkout, confirm with an age proof when the
goods ask for one, cancel, track, rate, complain), each waiting for the seller's answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.buyer.models import BuyerOrder
from comptoir.apps.buyer.pages.common import app_or_404, parse_uuid, qr_svg, render, shopper_of
from comptoir.apps.buyer.service import age, answers, drafts, orders
from comptoir.apps.buyer.web import buyer_of, protocol_of
from comptoir.kernel.crypto.sdjwt import http_fetch
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import LazyText, _, current_locale
from comptoir.kernel.money import typed_count
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.navigation import Role
from comptoir.kernel.web.routes import language_chosen

router = APIRouter(include_in_schema=False)


@router.get("/shop/orders")
def order_list(request: Request) -> Response:
    app = app_or_404(request)
    shopper = shopper_of(request)
    found = [] if shopper is None else orders.shopper_orders(buyer_of(request), shopper=shopper)
    return render(request, "buyer/orders.html", {"app": app, "orders": found})


def _wallet_on_node(request: Request) -> bool:
    """Whether this node serves the reference wallet, as its service directory says."""
    links = node_context(request).directory.for_role(Role.SHOPPER)
    return any(link.href == "/wallets" for link in links)


@router.get("/shop/orders/{order_id}")
def order_page(request: Request, order_id: str) -> Response:
    return _show_order(request, order_id)


def _show_order(
    request: Request,
    order_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    refused_line: Mapping[str, str] | None = None,
    error_target: str | None = None,
) -> Response:
    """The order; after a refused form, its error, what the shopper typed (`typed`) and what
    is wrong with each field (`problems`, shown beside it, the error at the top leading to
    `error_target`); after a refused quantity, the line's item, the quantity typed and why
    (`refused_line`)."""
    app = app_or_404(request)
    order = _shoppers_order(request, order_id)
    draft = drafts.checkout_draft(order)
    if typed is None and draft is not None:
        # The form as it was left (before a language switch, or refused): said again here.
        typed = draft.typed
        shown = {
            field: text.render() for field, text in drafts.draft_problems(order, draft).items()
        }
        problems = problems or shown
        error = error or " ".join(dict.fromkeys(shown.values())) or None
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
            "typed": typed,
            "problems": problems or {},
            "refused_line": refused_line,
            "error_target": error_target,
            "returnable": orders.returnable(order),
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
    shopper = shopper_of(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    try:
        count = typed_count(quantity, locale=current_locale())
        if count is None:
            count = -1
        orders.change_quantity(
            buyer_of(request),
            shopper=shopper,
            order_id=parse_uuid(order_id),
            resource_id=item,
            quantity=count,
        )
    except orders.BuyerError as error:
        message = error.text.render()
        refused = {"item": item, "quantity": quantity, "problem": message}
        return _show_order(request, order_id, error=message, status_code=400, refused_line=refused)
    return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)


def _shoppers_order(request: Request, order_id: str) -> BuyerOrder:
    """This browser's shopper's order; 404 for no shopper, or another's or an unknown order."""
    shopper = shopper_of(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    try:
        return orders.get_order(buyer_of(request), shopper=shopper, order_id=parse_uuid(order_id))
    except orders.BuyerError:
        raise Problem(NOT_FOUND) from None


@router.get("/shop/orders/{order_id}/return")
def return_step(request: Request, order_id: str) -> Response:
    """The step before a return is asked for: what goes back, and a button that asks for it
    (the request itself is the form's POST to `update`). Nothing changes here; an order that
    cannot be returned now goes back to its page, which says where it stands."""
    app = app_or_404(request)
    order = _shoppers_order(request, order_id)
    if not orders.returnable(order):
        return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)
    return render(request, "buyer/return.html", {"app": app, "order": order})


Field = Annotated[str, Form()]


def _switched_language(request: Request, order_id: str, lang: str) -> Response:
    """Back to the order in `lang`, as the shell's own language switch does it."""
    return language_chosen(request, lang, f"/shop/orders/{order_id}")


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
    lang: Field = "",
    refused: Field = "",
) -> Response:
    if action not in orders.ALLOWED:
        raise Problem(NOT_FOUND)
    buyer = buyer_of(request)
    app = await run_in_threadpool(app_or_404, request)
    shopper = shopper_of(request)
    if shopper is None:
        raise Problem(NOT_FOUND)
    key = parse_uuid(order_id)
    typed = {"name": name, "phone": phone, "address": address, "payment": payment}
    if action == "init" and lang:
        # The checkout form's own language buttons: what was typed is kept on the order, and
        # the page comes back in the chosen language from there, never through its URL.
        await run_in_threadpool(
            lambda: drafts.keep_checkout_draft(
                buyer, shopper=shopper, order_id=key, typed=typed, refused=bool(refused)
            )
        )
        return _switched_language(request, order_id, lang)
    if action == "confirm":
        age_refused = await run_in_threadpool(
            lambda: _age_refusal(request, shopper, key, age_proof, nonce)
        )
        if age_refused is not None:
            message = LazyText(age_refused).render()
            return await run_in_threadpool(
                lambda: _show_order(request, order_id, error=message, status_code=400)
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
        done = await run_in_threadpool(
            lambda: orders.already_done(buyer, shopper=shopper, order_id=key, action=action)
        )
        if done:  # a second press on a slow line: the first one went through
            return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)
        problems = {field: text.render() for field, text in error.fields.items()}
        # Every problem at once at the top too, each sentence once ("name and phone" is one).
        message = " ".join(dict.fromkeys(problems.values())) or error.text.render()
        if action == "init":
            # Kept for the header's language switch, which brings the order page back.
            await run_in_threadpool(
                lambda: drafts.keep_checkout_draft(
                    buyer, shopper=shopper, order_id=key, typed=typed, refused=True
                )
            )
        # The rating form is shown again as sent: the words for the seller are kept.
        shown = {**typed, "feedback": feedback}
        target = "r-5" if "rating" in problems else None  # the first star
        return await run_in_threadpool(
            lambda: _show_order(
                request,
                order_id,
                error=message,
                status_code=400,
                typed=shown,
                problems=problems,
                error_target=target,
            )
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
            lambda: answers.cancel_wait(buyer, order_id=key, code=code, message=problem or "")
        )
    else:
        deadline = time.monotonic() + buyer.answer_seconds
        while time.monotonic() < deadline and await run_in_threadpool(
            lambda: answers.waiting(buyer, order_id=key)
        ):
            await asyncio.sleep(0.02)
    return RedirectResponse(f"/shop/orders/{order_id}", status_code=303)
