"""Identity: the credentials part. SD-JWT verifiable credentials ("registered business",
"age over 18") issued over OpenID4VCI or downloaded, revocable through a status list, and
checked by the verification endpoint (participant apps use `comptoir.kernel.crypto.sdjwt`).
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
    """Wire this part's routes into APP and its commands into CLI (the `identity` group)."""
    if cli is not None:
        from comptoir.identity.credentials.cli import register_commands

        register_commands(cli)
    if app is None:
        return
    from comptoir.identity.credentials import pages, service, vci
    from comptoir.identity.credentials.keys import load_or_create_issuer_key

    node: NodeContext = app.state.node
    app.state.credential_issuer_key = load_or_create_issuer_key(node.settings)
    node.templates.add_directory(Path(__file__).parent / "templates")
    app.include_router(vci.router)
    # Wallets post to these without a browser's CSRF cookie: see `vci`.
    app.router.routes.extend(vci.PROTOCOL_ROUTES)
    app.include_router(pages.router)

    def purge() -> None:
        issuer = service.Issuer(
            node.settings.base_url.rstrip("/"), app.state.credential_issuer_key, node.clock
        )
        with node.database.transaction() as session:
            service.purge_expired(session, issuer=issuer)

    node.scheduler.every(3600.0, "identity.credentials.purge-offers", purge)
    node.directory.add(
        Role.OPERATOR,
        ServiceLink(
            N_("Issued credentials"),
            "/operator/identity/credentials",
            N_("Verifiable credentials the registry issued, and their revocation."),
        ),
    )
