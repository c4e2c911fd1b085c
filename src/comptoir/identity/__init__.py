"""Identity: the national digital identity for people and businesses.

Three parts, each wired by its own `register`: the registry of people and businesses with
enrolment and sign-in (`registry/`), the OpenID Connect provider with consent and the log of
who used a person's data (`oidc/`), and the issuer of verifiable credentials (`credentials/`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    from comptoir.identity import credentials, oidc, registry

    identity_cli: typer.Typer | None = None
    if cli is not None:
        identity_cli = typer.Typer(
            help="The identity registry, its relying parties and its credentials.",
            no_args_is_help=True,
        )
        cli.add_typer(identity_cli, name="identity")
    for part in (registry, oidc, credentials):
        part.register(app, identity_cli)
