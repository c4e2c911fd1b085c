"""`comptoir wallet merchant api-key ALIAS`: give a merchant customer an API key.

It prints the key and the webhook secret once (only the key's digest is kept), then the
address of the API.
"""

from __future__ import annotations

from typing import Annotated

import typer

from comptoir.apps.wallet.domain.errors import WalletError

merchant_cli = typer.Typer(help="Merchant customers' API keys.", no_args_is_help=True)


@merchant_cli.command("api-key")
def api_key(
    alias: Annotated[str, typer.Argument(help="The merchant's alias, e.g. shop@bank.")],
) -> None:
    """Issue an API key for the merchant with this alias."""
    from comptoir.apps.wallet.merchant.service import issue_key
    from comptoir.apps.wallet.service.context import Wallet
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings

    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
        try:
            issued = issue_key(wallet, alias=alias)
        except WalletError as error:
            typer.echo(
                f"comptoir wallet merchant api-key: {error.code}: {error.text.render('en')}",
                err=True,
            )
            raise typer.Exit(1) from None
    finally:
        database.dispose()
    typer.echo(f"api key: {issued.api_key}")
    typer.echo(f"webhook secret: {issued.webhook_secret}")
    typer.echo(f"api: {settings.base_url.rstrip('/')}/wallets/{issued.institution_id}/api/v1")
