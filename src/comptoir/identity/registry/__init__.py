"""Identity: the registry part. People and businesses, enrolment (by oneself with a one-time
code, or assisted by an agent), sign-in, and the locks a person puts on their ways in."""

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
    if app is not None:
        from comptoir.identity.registry import pages

        node: NodeContext = app.state.node
        node.templates.add_directory(Path(__file__).parent / "templates")
        app.include_router(pages.router)
        node.directory.add(
            Role.SHOPPER,
            ServiceLink(
                N_("Your digital identity"),
                "/identity/me",
                N_(
                    "Register with your phone, log in with a code, see what the registry holds "
                    "about you and register your business."
                ),
            ),
        )
        node.directory.add(
            Role.OPERATOR,
            ServiceLink(
                N_("Business registrations"),
                "/operator/identity/businesses",
                N_("Verify the businesses people registered, before credentials are issued."),
            ),
        )
    if cli is not None:
        from comptoir.identity.registry.cli import register_commands

        register_commands(cli)
