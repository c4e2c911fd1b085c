"""The reference buyer app: a Beckn BAP, with its pages under /shop/.

It reaches seller platforms only through the Beckn protocol (the kernel's signed sender and
verifying receiver, the registry's keys, the gateway's fan-out), never by importing the
network block or the seller app (DESIGN.md, section 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.kernel.i18n import N_
from comptoir.kernel.web.navigation import Role, ServiceLink

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Mount the callback endpoints and the pages, list the shop for shoppers, and add the
    `buyer` commands."""
    if app is not None:
        from comptoir.apps.buyer import beckn_io, beckn_routes, pages
        from comptoir.apps.buyer.service import drafts
        from comptoir.apps.buyer.service.context import Buyer

        node: NodeContext = app.state.node
        buyer = Buyer(
            database=node.database,
            keys_dir=node.settings.keys_dir,
            base_url=node.settings.base_url,
            clock=node.clock,
        )
        app.state.buyer = buyer
        app.state.buyer_protocol = beckn_io.Protocol(keys_dir=buyer.keys_dir, clock=node.clock)
        node.templates.add_directory(Path(__file__).parent / "templates")
        app.include_router(beckn_routes.router)
        app.include_router(pages.router)
        node.scheduler.every(
            3600.0, "buyer.forget-stale-drafts", lambda: drafts.forget_stale_drafts(buyer)
        )
        node.directory.add(
            Role.SHOPPER,
            ServiceLink(
                N_("Shop from local businesses"),
                "/shop/market",
                N_(
                    "Search every seller on the open network at once, see every fee, and pay "
                    "with your wallet or in cash on delivery."
                ),
            ),
        )
    if cli is not None:
        from comptoir.apps.buyer.cli import buyer_cli

        cli.add_typer(buyer_cli, name="buyer")
