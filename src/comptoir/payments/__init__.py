"""Payments: the instant-payment switch between banks, wallets and credit unions.

The block speaks the Mojaloop FSPIOP API to its participants (`switch/`), keeps their money in
a double-entry, append-only ledger with TigerBeetle's semantics (`domain/`, stored by
`services/ledger_store.py`), settles in windows, and encodes merchant QR codes.
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
    if cli is not None:
        from comptoir.payments.cli import qr_cli
        from comptoir.payments.switch_cli import switch_cli

        cli.add_typer(qr_cli, name="qr")
        cli.add_typer(switch_cli, name="switch")
    if app is not None:
        _register_web(app)


def _register_web(app: FastAPI) -> None:
    from comptoir.kernel.fspiop import FspiopError
    from comptoir.kernel.web.direct import DirectRoutes
    from comptoir.kernel.web.navigation import Role, ServiceLink
    from comptoir.payments import operator_actions, pages, transfer_pages
    from comptoir.payments.domain import nanosecond_clock
    from comptoir.payments.services import transfers
    from comptoir.payments.services.ledger_store import LedgerStore
    from comptoir.payments.switch import outbound, routes
    from comptoir.payments.switch.group_commit import GroupCommitter
    from comptoir.payments.switch.keys import load_or_create_switch_key

    node: NodeContext = app.state.node
    sender = outbound.Sender(
        switch_id=node.settings.switch_id,
        key=load_or_create_switch_key(node.settings),
        clock=node.clock,
    )
    store = LedgerStore(nanosecond_clock(node.clock))
    switch = routes.Switch(
        database=node.database,
        sender=sender,
        transfers=transfers.TransferContext(store=store, sender=sender, clock=node.clock),
        clock=node.clock,
        # On PostgreSQL, row locks let unrelated transfers overlap their round trips, which
        # one committer thread would serialise (measured slower); SQLite has one writer anyway.
        committer=GroupCommitter(node.database)
        if node.database.engine.dialect.name == "sqlite"
        else None,
    )
    app.state.switch = switch
    app.include_router(routes.router)
    app.include_router(routes.fallback)
    # Every path under /switch/ is the FSPIOP API, even one it does not have (3002).
    node.signed_api_prefixes.append(routes.router.prefix + "/")
    # The FSPIOP routes are answered before the router and the pages' middleware. Whatever
    # their content type, posts go to them and not to the pages' CSRF check: a participant
    # authenticates with its signature, never a cookie, and a POST with no Content-Type (or a
    # wrong one) is an FSPIOP error (3102, 3101), not a form that expired.
    app.add_middleware(
        DirectRoutes,
        routes=routes.router.routes,
        errors={FspiopError: routes.fspiop_error_response},
        form_posts=True,
    )
    app.add_exception_handler(FspiopError, routes.fspiop_error_response)
    node.outbox.subscribe(outbound.TOPIC, outbound.HANDLER, outbound.Deliverer(node.database))

    def expire() -> None:
        with node.database.transaction() as session:
            transfers.expire_due(session, switch.transfers)

    node.scheduler.every(1.0, "payments.expire-transfers", expire)
    node.templates.add_directory(Path(__file__).parent / "templates")
    app.include_router(pages.router)
    app.include_router(operator_actions.router)
    app.include_router(transfer_pages.router)
    node.directory.add(
        Role.OPERATOR,
        ServiceLink(
            N_("Payment switch"),
            "/operator/switch",
            N_(
                "Participants and their positions against their net debit caps, settlement "
                "windows and transfers."
            ),
        ),
    )
    node.directory.add(
        Role.BANK,
        ServiceLink(
            N_("Connect to the payment switch"),
            "/operator/switch/connect",
            N_("How a bank, wallet or credit union joins over the FSPIOP API."),
        ),
    )
