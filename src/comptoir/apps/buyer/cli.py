"""`comptoir buyer ...`: set up this node's buyer app, as an operator."""

from __future__ import annotations

from typing import Annotated

import typer

from comptoir.kernel.settings import load_settings

buyer_cli = typer.Typer(help="The buyer app (a Beckn BAP) on this node.", no_args_is_help=True)


@buyer_cli.command("setup")
def setup(
    app_id: Annotated[str, typer.Argument(help="Short id, e.g. shop.")],
    name: Annotated[str, typer.Option(help="The app's name.")],
    subscriber_id: Annotated[str, typer.Option(help="Its Beckn subscriber id.")],
    registry_url: Annotated[str, typer.Option(help="The network registry.")],
    gateway_url: Annotated[str, typer.Option(help="The network gateway.")],
) -> None:
    """Create the buyer app and its keys; prints what to register with the network registry."""
    from comptoir.apps.buyer.service.context import Buyer, create_app
    from comptoir.kernel.db import Database

    settings = load_settings()
    buyer = Buyer(
        database=Database.from_url(settings.resolved_database_url),
        keys_dir=settings.keys_dir,
        base_url=settings.base_url,
    )
    try:
        created = create_app(
            buyer,
            app_id=app_id,
            name=name,
            subscriber_id=subscriber_id,
            registry_url=registry_url,
            gateway_url=gateway_url,
        )
    except ValueError as error:
        typer.echo(f"comptoir: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        buyer.database.dispose()
    typer.echo(f"subscriber_id:      {created.view.subscriber_id}")
    typer.echo(f"unique_key_id:      {created.view.unique_key_id}")
    typer.echo(f"signing_public_key: {created.signing_public_key}")
    typer.echo(f"encr_public_key:    {created.encryption_public_key}")
    typer.echo(f"url:                {created.url}")
