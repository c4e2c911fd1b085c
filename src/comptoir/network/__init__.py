"""Network: the open commerce network on Beckn v2.0 (registry and gateway).

The registry (`registry/`) lists the participants and their keys and answers the Beckn
registry API at `/registry/subscribe` and `/registry/lookup`; the gateway (`gateway/`) serves
Beckn actions under `/gateway/`. Both sign with the node's Ed25519 key; the protocol itself
(messages, signatures, validation) is the kernel's `comptoir.kernel.beckn`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.kernel.i18n import N_
from comptoir.kernel.web.navigation import Role, ServiceLink

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext

logger = logging.getLogger(__name__)


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Wire the routes into APP and the commands into CLI."""
    if cli is not None:
        from comptoir.network.cli import network_cli

        cli.add_typer(network_cli, name="network")
    if app is not None:
        _register_web(app)


def _register_web(app: FastAPI) -> None:
    from sqlalchemy.exc import DBAPIError

    from comptoir.kernel.beckn import BecknReceiver, BecknSender
    from comptoir.network import pages
    from comptoir.network.gateway.api import Gateway
    from comptoir.network.node import DatabaseKeySource, ensure_gateway, identities
    from comptoir.network.registry.api import Registry

    node: NodeContext = app.state.node
    names = identities(node.settings, node.clock)
    keys = DatabaseKeySource(node.database)
    registry = Registry(
        database=node.database,
        clock=node.clock,
        receiver=BecknReceiver(identity=names.registry, keys=keys),
        sender=BecknSender(names.registry),
        keys=keys,
    )
    gateway = Gateway(
        database=node.database,
        clock=node.clock,
        receiver=BecknReceiver(identity=names.gateway, keys=keys),
        sender=BecknSender(names.gateway),
    )
    app.state.network_identities = names
    app.state.network_keys = keys
    app.router.routes.extend([*registry.routes(), *gateway.routes()])
    try:
        ensure_gateway(node.database, names, node.clock)
    except DBAPIError as error:
        # A database not migrated yet (a test's bare app): the next start registers it.
        logger.warning("the gateway is not registered yet: %s", type(error).__name__)
    node.templates.add_directory(Path(__file__).parent / "templates")
    app.include_router(pages.router)
    node.directory.add(
        Role.OPERATOR,
        ServiceLink(
            N_("Commerce network"),
            "/operator/network",
            N_("Buyer apps, seller platforms and gateways: their keys, approval and revocation."),
        ),
    )
    node.directory.add(
        Role.SELLER,
        ServiceLink(
            N_("Join the commerce network"),
            "/network",
            N_("How a buyer app or seller platform joins the Beckn network and its gateway."),
        ),
    )
