"""`comptoir identity credentials`: the operator's commands for issued credentials.

    comptoir identity credentials list [--person UUID]    one JSON object a line, newest first
    comptoir identity credentials revoke CREDENTIAL_ID

Nothing printed carries a credential's values: the database does not hold them. A revocation is
recorded in the audit log with the actor "operator:cli".
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer

from comptoir.identity.credentials import service
from comptoir.identity.credentials.errors import CredentialError
from comptoir.kernel.clock import system_clock

ACTOR = "operator:cli"


def register_commands(identity_cli: typer.Typer) -> None:
    credentials_cli = typer.Typer(
        help="Verifiable credentials issued by the registry.", no_args_is_help=True
    )
    identity_cli.add_typer(credentials_cli, name="credentials")

    @credentials_cli.command("list")
    def list_credentials(
        person: Annotated[
            str | None, typer.Option(help="Only this person's credentials (their id).")
        ] = None,
    ) -> None:
        """Issued credentials, newest first, as JSON lines."""
        from comptoir.kernel.db import Database, upgrade
        from comptoir.kernel.settings import load_settings

        database = Database.from_url(load_settings().resolved_database_url)
        try:
            upgrade(database.engine)
            with database.reading() as session:
                found = (
                    service.credentials_of(session, person_id=_uuid("list", person))
                    if person
                    else service.recent_credentials(session, limit=1000)
                )
        finally:
            database.dispose()
        for item in found:
            typer.echo(
                json.dumps(
                    {
                        "id": str(item.id),
                        "person_id": str(item.person_id),
                        "kind": item.kind,
                        "channel": item.channel,
                        "issued_at": item.issued_at.isoformat(),
                        "expires_at": item.expires_at.isoformat(),
                        "revoked_at": item.revoked_at.isoformat() if item.revoked_at else None,
                    }
                )
            )

    @credentials_cli.command("revoke")
    def revoke(
        credential_id: Annotated[str, typer.Argument(help="The credential's id.")],
    ) -> None:
        """Revoke a credential: verifiers refuse it once they read the status list again."""
        from comptoir.kernel.db import Database, upgrade
        from comptoir.kernel.settings import load_settings

        database = Database.from_url(load_settings().resolved_database_url)
        try:
            upgrade(database.engine)
            with database.transaction() as session:
                service.revoke(
                    session,
                    credential_id=_uuid("revoke", credential_id),
                    actor=ACTOR,
                    clock=system_clock,
                )
        except CredentialError as error:
            typer.echo(
                f"comptoir identity credentials revoke: {error.code}: {error.text.render('en')}",
                err=True,
            )
            raise typer.Exit(1) from None
        finally:
            database.dispose()
        typer.echo(json.dumps({"revoked": credential_id}))


def _uuid(command: str, text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        typer.echo(
            f"comptoir identity credentials {command}: invalid_id: {text!r} is not an id", err=True
        )
        raise typer.Exit(1) from None
