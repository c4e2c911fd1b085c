"""The reference seller platform: a Beckn BPP hosting many micro-businesses.

One codebase serves several platforms on one node, each with its own Beckn subscriber id,
Ed25519 key and endpoints (`/sellers/{platform}/beckn/{action}`). It talks to the network only
through the Beckn protocol (the kernel's signed sender and verifying receiver), never by
importing the network block (DESIGN.md, section 2).
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
    """Mount the Beckn endpoints and the pages, subscribe the outbox sender, list the
    platforms for sellers, and add the `seller` commands."""
    if app is not None:
        from comptoir.apps.seller import beckn_io, beckn_routes, pages
        from comptoir.apps.seller.service.context import Seller

        node: NodeContext = app.state.node
        seller = Seller(
            database=node.database,
            keys_dir=node.settings.keys_dir,
            base_url=node.settings.base_url,
            clock=node.clock,
        )
        app.state.seller = seller
        app.state.seller_receivers = beckn_io.Receivers(keys_dir=seller.keys_dir, clock=node.clock)
        node.outbox.subscribe(
            beckn_io.TOPIC,
            beckn_io.HANDLER,
            beckn_io.BecknOutbox(keys_dir=seller.keys_dir, clock=node.clock),
        )
        node.templates.add_directory(Path(__file__).parent / "templates")
        app.include_router(beckn_routes.router)
        app.include_router(pages.router)

        def recheck_credentials() -> None:
            from comptoir.apps.seller.service.verification import recheck_credentials
            from comptoir.kernel.crypto.sdjwt import http_fetch

            recheck_credentials(
                seller, issuer=node.settings.resolved_credential_issuer, fetch=http_fetch
            )

        # A credential the registry revokes loses its mark within the hour.
        node.scheduler.every(3600.0, "seller.credentials.recheck", recheck_credentials)
        from comptoir.apps.seller.wallet_pay.wiring import mount as mount_wallet_payments

        mount_wallet_payments(app, node, seller)
        node.directory.add(
            Role.SELLER,
            ServiceLink(
                N_("Sell on the open network"),
                "/sellers",
                N_(
                    "List your goods and services, take orders from every buyer app, and get "
                    "paid by wallet or cash on delivery."
                ),
            ),
        )
    if cli is not None:
        from comptoir.apps.seller.cli import seller_cli

        cli.add_typer(seller_cli, name="seller")
