"""Identity: the OpenID Connect provider (FAPI 2.0 security profile), consent and the log of
who used a person's data.

Protocol endpoints (`api.py`) sit under /identity/oidc/ beside the discovery document at
/.well-known/openid-configuration; the person's pages are /identity/me/consents and
/identity/me/releases; the operator registers relying parties at /operator/identity/clients
or with `comptoir identity client add`, and rotates the signing key with `comptoir identity
keys rotate`.
"""

from __future__ import annotations

from datetime import timedelta
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
        from comptoir.identity.oidc.cli import client_cli, keys_cli

        cli.add_typer(client_cli, name="client")
        cli.add_typer(keys_cli, name="keys")
    if app is not None:
        _register_web(app)


def _register_web(app: FastAPI) -> None:
    from comptoir.identity.oidc import api, pages
    from comptoir.identity.oidc.provider import ENDPOINTS, Provider
    from comptoir.identity.oidc.service.replay import forget_expired
    from comptoir.kernel.web.direct import DirectRoutes

    node: NodeContext = app.state.node
    app.state.oidc_provider = Provider.for_settings(node.settings, clock=node.clock)
    app.router.routes.extend(api.routes())
    # Relying parties' form posts to the authorization and logout endpoints: no CSRF check.
    app.router.routes.extend([*pages.authorize.routes(), *pages.logout.routes()])
    # The protocol endpoints are answered before the router and the pages' middleware. Their
    # clients are servers that post forms (PAR, token) and hold no cookie: no CSRF to check.
    app.add_middleware(
        DirectRoutes,
        routes=api.routes(),
        pages={ENDPOINTS["authorize"]: pages.authorize.authorize_directly},
        default_locale=node.settings.default_locale,
        time_zone=node.settings.time_zone,
        form_posts=True,
    )
    app.include_router(pages.router)
    node.templates.add_directory(Path(__file__).parent / "templates")

    def forget() -> None:
        with node.database.transaction() as session:
            forget_expired(session, now=node.clock.now() - timedelta(seconds=1))

    node.scheduler.every(60.0, "identity.oidc.forget-seen-jti", forget)
    node.directory.add(
        Role.SHOPPER,
        ServiceLink(
            N_("Who used my data"),
            "/identity/me/releases",
            N_("Every service that received your information, when, and what it received."),
        ),
    )
    node.directory.add(
        Role.SHOPPER,
        ServiceLink(
            N_("My consents"),
            "/identity/me/consents",
            N_("What you allowed each service to receive; revoke it at any time."),
        ),
    )
    node.directory.add(
        Role.OPERATOR,
        ServiceLink(
            N_("Relying parties"),
            "/operator/identity/clients",
            N_("Services that sign people in with their national identity, and their scopes."),
        ),
    )
