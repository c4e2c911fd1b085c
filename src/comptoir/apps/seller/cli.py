"""`comptoir seller ...`: set up seller platforms and their businesses, as an operator."""

from __future__ import annotations

from typing import Annotated

import typer

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.service.context import Seller
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings

seller_cli = typer.Typer(help="Seller platforms (Beckn BPPs) on this node.", no_args_is_help=True)
platform_cli = typer.Typer(help="Seller platforms.", no_args_is_help=True)
business_cli = typer.Typer(help="Businesses on a platform.", no_args_is_help=True)
seller_cli.add_typer(platform_cli, name="platform")
seller_cli.add_typer(business_cli, name="business")


def _seller() -> Seller:

    settings = load_settings()
    return Seller(
        database=Database.from_url(settings.resolved_database_url),
        keys_dir=settings.keys_dir,
        base_url=settings.base_url,
    )


@platform_cli.command("add")
def platform_add(
    platform_id: Annotated[str, typer.Argument(help="Short id, e.g. island-market.")],
    name: Annotated[str, typer.Option(help="The platform's name.")],
    subscriber_id: Annotated[str, typer.Option(help="Its Beckn subscriber id.")],
    registry_url: Annotated[
        str, typer.Option(help="The network registry, e.g. https://node/registry.")
    ],
    gateway_url: Annotated[
        str, typer.Option(help="The network gateway, e.g. https://node/gateway.")
    ],
    service_fee: Annotated[str, typer.Option(help="Fee per order, e.g. 1.00.")] = "0",
    currency: Annotated[
        str, typer.Option(help="ISO 4217 code its prices and fees are in, e.g. XCD or EUR.")
    ] = "XCD",
) -> None:
    """Create a platform and its keys; prints what to register with the network registry."""
    from comptoir.apps.seller.service.platforms import create_platform
    from comptoir.kernel.money import Money, MoneyError, known_currencies

    currency = currency.strip().upper()
    if currency not in known_currencies():
        typer.echo(
            f"comptoir seller: --currency: {currency!r} is not an ISO 4217 currency code.",
            err=True,
        )
        raise typer.Exit(2)
    try:
        fee = Money.parse(service_fee, currency).minor
    except MoneyError as error:
        typer.echo(f"comptoir seller: --service-fee: {error}", err=True)
        raise typer.Exit(2) from None
    if fee < 0:
        typer.echo("comptoir seller: --service-fee: a fee cannot be negative.", err=True)
        raise typer.Exit(2)
    seller = _seller()
    try:
        created = create_platform(
            seller,
            platform_id=platform_id,
            name=name,
            subscriber_id=subscriber_id,
            registry_url=registry_url,
            gateway_url=gateway_url,
            service_fee=fee,
            currency=currency,
        )
    except SellerError as error:
        typer.echo(f"comptoir: {error.text.render()}", err=True)
        raise typer.Exit(1) from None
    finally:
        seller.database.dispose()
    typer.echo(f"subscriber_id:      {created.subscriber_id}")
    typer.echo(f"unique_key_id:      {created.unique_key_id}")
    typer.echo(f"signing_public_key: {created.signing_public_key}")
    typer.echo(f"encr_public_key:    {created.encryption_public_key}")
    typer.echo(f"url:                {created.bpp_uri}")


@platform_cli.command("publish")
def platform_publish(platform_id: Annotated[str, typer.Argument()]) -> None:
    """Publish the platform's catalogues to the gateway's index (catalog/publish)."""
    from comptoir.apps.seller.service.protocol import publish_catalogue

    seller = _seller()
    try:
        count = publish_catalogue(seller, platform_id=platform_id)
    except SellerError as error:
        typer.echo(f"comptoir: {error.text.render()}", err=True)
        raise typer.Exit(1) from None
    finally:
        seller.database.dispose()
    typer.echo(f"{count} catalogues queued for the gateway (sent by the running server)")


@platform_cli.command("oidc-register")
def platform_oidc_register(
    platform_id: Annotated[str, typer.Argument()],
    client_id: Annotated[
        str | None,
        typer.Option(help="The client_id the identity provider's operator gave (step 2)."),
    ] = None,
) -> None:
    """Make the platform a client of the identity provider ("Sign in with Comptoir ID").

    Step 1, without --client-id: make the platform's ES256 key (kept on this node) and print
    its redirect URI and the path of its public JWKS, for the provider's operator to register
    (`comptoir identity client add ... --scopes "openid phone"`). Step 2: record the client_id
    they give back with --client-id.
    """
    from comptoir.apps.seller.service.context import get_platform
    from comptoir.apps.seller.service.identity import SCOPE, client_file, redirect_uri

    seller = _seller()
    try:
        with seller.database.reading() as session:
            name = get_platform(session, platform_id).name
    except SellerError as error:
        typer.echo(f"comptoir: {error.text.render()}", err=True)
        raise typer.Exit(1) from None
    finally:
        seller.database.dispose()
    files = client_file(seller, platform_id)
    files.ensure_key()
    if client_id is not None:
        if not client_id.strip():
            typer.echo("comptoir: --client-id is empty.", err=True)
            raise typer.Exit(1)
        files.record_client_id(client_id.strip())
        typer.echo(f"{name} signs shop owners in with Comptoir ID as {client_id.strip()}.")
        return
    typer.echo(f"name:         {name}")
    typer.echo(f"redirect_uri: {redirect_uri(seller, platform_id)}")
    typer.echo(f"scopes:       {SCOPE}")
    typer.echo(f"jwks:         {files.public_path}")


@business_cli.command("recheck-credentials")
def business_recheck_credentials() -> None:
    """Read the registry's status lists again now: a business whose credential was revoked
    loses the verified mark (the server also does this every hour)."""
    from comptoir.apps.seller.service.verification import recheck_credentials
    from comptoir.kernel.crypto.sdjwt import http_fetch

    settings = load_settings()
    seller = _seller()
    try:
        lost = recheck_credentials(
            seller, issuer=settings.resolved_credential_issuer, fetch=http_fetch
        )
    finally:
        seller.database.dispose()
    typer.echo(f"{lost} businesses lost the verified mark")


@business_cli.command("add")
def business_add(
    platform_id: Annotated[str, typer.Argument()],
    slug: Annotated[str, typer.Argument(help="Short id, e.g. marie-spices.")],
    name: Annotated[str, typer.Option()],
    phone: Annotated[str, typer.Option(help="The owner's phone, for signing in.")],
    city: Annotated[str, typer.Option()] = "Castries",
    description: Annotated[str, typer.Option()] = "",
    alias: Annotated[str | None, typer.Option(help="Wallet alias for payments.")] = None,
    delivery_fee: Annotated[str, typer.Option()] = "0",
) -> None:
    """Add a business to a platform."""
    from comptoir.apps.seller.service.context import get_platform
    from comptoir.apps.seller.service.platforms import add_business
    from comptoir.apps.seller.service.signin import normalise_phone, possible_phone
    from comptoir.kernel.money import Money, MoneyError

    owner_phone = normalise_phone(phone)
    if not possible_phone(owner_phone):
        typer.echo(
            f"comptoir seller: --phone: {phone!r} is not a phone number with its country code, "
            "such as +1 758 555 0101.",
            err=True,
        )
        raise typer.Exit(2)
    seller = _seller()
    try:
        with seller.database.reading() as session:
            currency = get_platform(session, platform_id).currency
        try:
            fee = Money.parse(delivery_fee, currency).minor
        except MoneyError as error:
            typer.echo(f"comptoir seller: --delivery-fee: {error}", err=True)
            raise typer.Exit(2) from None
        business_id = add_business(
            seller,
            platform_id=platform_id,
            slug=slug,
            name=name,
            phone=owner_phone,
            city=city,
            description=description,
            payment_alias=alias,
            delivery_fee=fee,
        )
    except SellerError as error:
        typer.echo(f"comptoir: {error.text.render()}", err=True)
        raise typer.Exit(1) from None
    finally:
        seller.database.dispose()
    typer.echo(str(business_id))


@business_cli.command("stock")
def business_stock(
    platform_id: Annotated[str, typer.Argument()],
    slug: Annotated[str, typer.Argument()],
    catalogue_file: Annotated[str, typer.Argument(help="JSON list of items.")],
) -> None:
    """Load items from a JSON file: [{name, category, price, description, stock, returnable,
    variants, age_restricted}]. A file with any problem adds nothing; every problem is listed."""
    from pathlib import Path

    from sqlalchemy import select

    from comptoir.apps.seller.models import Business
    from comptoir.apps.seller.service.catalogue_file import read_catalogue
    from comptoir.apps.seller.service.context import get_platform
    from comptoir.apps.seller.service.items import add_items

    try:
        text = Path(catalogue_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"comptoir: cannot read {catalogue_file}: {error}", err=True)
        raise typer.Exit(1) from None
    seller = _seller()
    try:
        with seller.database.reading() as session:
            currency = get_platform(session, platform_id).currency
            business = session.scalar(
                select(Business).where(Business.platform_id == platform_id, Business.slug == slug)
            )
        if business is None:
            typer.echo("comptoir: there is no such business", err=True)
            raise typer.Exit(1)
        catalogue = read_catalogue(text, currency)
        if catalogue.problems:
            for problem in catalogue.problems:
                typer.echo(f"comptoir: {catalogue_file}: {problem}", err=True)
            typer.echo(f"comptoir: nothing was added from {catalogue_file}", err=True)
            raise typer.Exit(1)
        added = add_items(
            seller, platform_id=platform_id, business_id=business.id, forms=catalogue.items
        )
    except SellerError as error:
        typer.echo(f"comptoir: {error.text.render()}", err=True)
        raise typer.Exit(1) from None
    finally:
        seller.database.dispose()
    typer.echo(f"{len(added)} items added to {slug}")
