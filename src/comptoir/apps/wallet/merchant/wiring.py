"""How `register` plugs the merchant API into a node: routes, webhook sender, end sweep."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comptoir.apps.wallet.merchant import api, service
from comptoir.apps.wallet.merchant.webhooks import WebhookSender
from comptoir.apps.wallet.service.context import Wallet

if TYPE_CHECKING:
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def mount(app: FastAPI, node: NodeContext, wallet: Wallet) -> None:
    sender = WebhookSender(wallet)
    app.state.wallet_webhooks = sender
    node.outbox.subscribe(service.WEBHOOK_TOPIC, service.WEBHOOK_HANDLER, sender)
    app.include_router(api.router)
    from comptoir.apps.wallet.merchant import pages

    app.include_router(pages.router)
    node.scheduler.every(1.0, "wallet.merchant.end-requests", lambda: service.sweep(wallet))
