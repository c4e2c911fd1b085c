"""How `register` plugs wallet payments into a seller node: the asker, the webhook, the poll."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comptoir.apps.seller.models import Order
from comptoir.apps.seller.service.context import Seller
from comptoir.apps.seller.wallet_pay import service

if TYPE_CHECKING:
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def notify(seller: Seller, platform_id: str, order: Order) -> None:
    from comptoir.apps.seller.service.protocol import notify_status

    notify_status(seller, platform_id=platform_id, order=order)


def mount(app: FastAPI, node: NodeContext, seller: Seller) -> None:
    from comptoir.apps.seller.wallet_pay import pages, routes

    asker = service.Asker(seller, notify)
    app.state.seller_wallet_asker = asker
    node.outbox.subscribe(service.TOPIC, service.HANDLER, asker)
    app.include_router(routes.router)
    app.include_router(pages.router)
    node.scheduler.every(
        10.0, "seller.wallet.poll", lambda: service.poll(seller, notify, asker.transport)
    )
