"""The reference wallet: a bank, mobile-money wallet or credit union that joins the switch.

One codebase serves several institutions on one node, each with its own FSPIOP id, RSA key,
customers and books. It talks to the switch only through the FSPIOP API v2.0 (signed HTTP),
never by importing the payments block (DESIGN.md, section 2): a bank that never saw this
code could join the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.kernel.i18n import N_

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Mount the FSPIOP endpoints and the pages, subscribe the outbox sender, list the
    wallet for shoppers and banks, and add the `wallet` commands."""
    if app is not None:
        from comptoir.apps.wallet import fspiop_client, fspiop_routes, pages
        from comptoir.apps.wallet.service import form_drafts
        from comptoir.apps.wallet.service.context import Wallet
        from comptoir.apps.wallet.service.refusals import outgoing_refused
        from comptoir.kernel.web.navigation import Role, ServiceLink

        node: NodeContext = app.state.node
        wallet = Wallet(
            database=node.database,
            keys_dir=node.settings.keys_dir,
            base_url=node.settings.base_url,
            clock=node.clock,
        )
        sender = fspiop_client.FspiopSender(
            keys_dir=wallet.keys_dir,
            clock=node.clock,
            on_refused=lambda event_id, payload, error: outgoing_refused(
                wallet, event_id, payload, error
            ),
        )
        app.state.wallet = wallet
        app.state.wallet_sender = sender
        node.outbox.subscribe(fspiop_client.TOPIC, fspiop_client.HANDLER, sender)
        node.templates.add_directory(Path(__file__).parent / "templates")
        app.include_router(fspiop_routes.router)
        app.include_router(pages.router)
        node.scheduler.every(
            3600.0, "wallet.forget-ended-drafts", lambda: form_drafts.forget_ended_drafts(wallet)
        )
        from comptoir.apps.wallet.merchant.wiring import mount as mount_merchant_api

        mount_merchant_api(app, node, wallet)
        node.directory.add(
            Role.SHOPPER,
            ServiceLink(
                N_("Your wallet"),
                "/wallets",
                N_("Pay anyone by phone number, alias or QR code, and see every fee first."),
            ),
        )
        node.directory.add(
            Role.BANK,
            ServiceLink(
                N_("Reference wallet"),
                "/wallets",
                N_(
                    "A ready-made bank and mobile-money wallet that joins the instant-payment "
                    "switch over the open FSPIOP API."
                ),
            ),
        )
    if cli is not None:
        from comptoir.apps.wallet.cli import wallet_cli

        cli.add_typer(wallet_cli, name="wallet")
