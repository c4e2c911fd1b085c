"""`comptoir wallet`: the operator's commands for the institutions this node hosts.

    comptoir wallet institution add ID --name NAME --switch-jwks FILE [--switch-url URL]
        [--switch-id ID] [--currency XCD] [--send-fee 0.00]
        [--p2p-fee-bps 0] [--merchant-fee-bps 100]
    comptoir wallet institution list
    comptoir wallet institution oidc-register INSTITUTION [--client-id ID]
    comptoir wallet peer add INSTITUTION FSP_ID --jwks FILE
    comptoir wallet customer add INSTITUTION --phone +1758... --name NAME [--merchant]
        [--alias shop@INSTITUTION] [--balance 100.00]
    comptoir wallet customer remove-alias INSTITUTION ALIAS
    comptoir wallet customers INSTITUTION
    comptoir wallet books INSTITUTION

`institution add` prints the callback URL and the command that registers the institution with
the switch, then, as its last line, the path of the public JWK Set to give the switch. An error
is one line on stderr, "comptoir wallet <command>: <code>: <sentence>", and exit code 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import FeeSchedule
from comptoir.apps.wallet.merchant.cli import merchant_cli
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money, MoneyError

wallet_cli = typer.Typer(
    help="The reference wallet: institutions hosted on this node and their customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
institution_cli = typer.Typer(help="Banks, wallets and credit unions on this node.")
customer_cli = typer.Typer(help="An institution's customers.")
peer_cli = typer.Typer(help="Public keys of other DFSPs an institution trusts.")
wallet_cli.add_typer(institution_cli, name="institution", no_args_is_help=True)
wallet_cli.add_typer(customer_cli, name="customer", no_args_is_help=True)
wallet_cli.add_typer(peer_cli, name="peer", no_args_is_help=True)
wallet_cli.add_typer(merchant_cli, name="merchant", no_args_is_help=True)


def _fail(command: str, code: str, sentence: str) -> NoReturn:
    typer.echo(f"comptoir wallet {command}: {code}: {sentence}", err=True)
    raise typer.Exit(1)


@contextmanager
def _wallet(command: str) -> Iterator[Wallet]:
    """A wallet on the node's migrated database. The FSPIOP calls a command queues go to the
    outbox (their handler is declared), and the node's relay sends them, now or when it starts."""
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings

    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
        try:
            yield wallet
        except WalletError as error:
            _fail(command, error.code, error.text.render("en"))
    finally:
        database.dispose()


def _read_jwks(command: str, path: Path) -> dict[str, object]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        _fail(command, "cannot_read", f"cannot read {path} ({error.strerror or error}).")
    except ValueError:
        _fail(command, "bad_jwks", f"{path} is not JSON.")
    if not isinstance(document, dict):
        _fail(command, "bad_jwks", f"{path} does not hold a JWK Set.")
    return document


def _money(command: str, text: str, currency: str) -> int:
    try:
        money = Money.parse(text, currency)
    except MoneyError as error:
        _fail(command, "bad_amount", str(error))
    if money.is_negative():
        _fail(command, "bad_amount", f"{text} is negative.")
    return money.minor


@institution_cli.command("add")
def institution_add(
    institution_id: Annotated[str, typer.Argument(metavar="ID", help="Its FSPIOP FspId.")],
    name: Annotated[str, typer.Option(help="Its name, as customers see it.")],
    switch_jwks: Annotated[Path, typer.Option(help="The switch's public JWK Set (a file).")],
    switch_url: Annotated[
        str | None, typer.Option(help="The switch's FSPIOP API (default: BASE_URL/switch).")
    ] = None,
    switch_id: Annotated[
        str | None, typer.Option(help="The switch's FspId (default: COMPTOIR_SWITCH_ID).")
    ] = None,
    currency: Annotated[str, typer.Option(help="The currency of its accounts.")] = "XCD",
    send_fee: Annotated[str, typer.Option(help="Flat fee on each payment sent.")] = "0",
    p2p_fee_bps: Annotated[int, typer.Option(help="Fee on transfers received by people.")] = 0,
    merchant_fee_bps: Annotated[
        int, typer.Option(help="Fee on payments received by merchants, in basis points.")
    ] = 100,
) -> None:
    """Create an institution and its RSA signing key. The switch's public JWK Set comes from
    the switch's operator (`comptoir switch jwks > switch.jwks.json` on the switch's node)."""
    from comptoir.apps.wallet.service.institutions import create_institution
    from comptoir.kernel.settings import load_settings

    command = "institution add"
    jwks = _read_jwks(command, switch_jwks)
    try:
        fees = FeeSchedule(
            currency=currency,
            send_fee=_money(command, send_fee, currency),
            p2p_fee_bps=p2p_fee_bps,
            merchant_fee_bps=merchant_fee_bps,
        )
    except (ValueError, MoneyError) as error:
        _fail(command, "bad_fees", f"{error}.")
    with _wallet(command) as wallet:
        created = create_institution(
            wallet,
            institution_id=institution_id,
            name=name,
            switch_jwks=jwks,
            switch_url=switch_url,
            switch_fsp_id=switch_id or load_settings().switch_id,
            currency=currency,
            fees=fees,
        )
    view = created.institution
    typer.echo(f"institution {view.id} created ({view.name}), key {created.key_id}")
    typer.echo(f"private key:  {created.private_key_path}")
    typer.echo(f"callback URL: {view.callback_url}")
    typer.echo(
        f"register it:  comptoir switch participant add {view.id} --name {json.dumps(view.name)} "
        f"--currency {view.currency} --callback-url {view.callback_url} "
        f"--jwks {created.public_jwks_path} --ndc AMOUNT"
    )
    typer.echo(str(created.public_jwks_path))


@institution_cli.command("list")
def institution_list() -> None:
    """List the institutions on this node."""
    from comptoir.apps.wallet.service.institutions import list_institutions

    with _wallet("institution list") as wallet:
        for view in list_institutions(wallet):
            typer.echo(f"{view.id}\t{view.name}\t{view.currency}\t{view.callback_url}")


@institution_cli.command("oidc-register")
def institution_oidc_register(
    institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")],
    client_id: Annotated[
        str | None,
        typer.Option(help="The client_id the identity provider's operator gave (step 2)."),
    ] = None,
) -> None:
    """Make the institution a client of the identity provider ("Sign in with Comptoir ID").

    Step 1, without --client-id: make the institution's ES256 key (kept on this node) and print
    its redirect URI and the path of its public JWKS, to send to the provider's operator, who
    runs `comptoir identity client add --name ... --redirect-uri ... --jwks FILE --scopes
    "openid phone"`. Step 2: record the client_id they give back with --client-id.
    """
    from comptoir.apps.wallet.service.context import get_institution
    from comptoir.apps.wallet.service.identity import SCOPE, client_file, redirect_uri

    command = "institution oidc-register"
    with _wallet(command) as wallet:
        try:
            with wallet.database.reading() as session:
                name = get_institution(session, institution_id).name
        except WalletError as error:
            _fail(command, error.code, error.text.render("en"))
        files = client_file(wallet, institution_id)
        files.ensure_key()
        if client_id is not None:
            if not client_id.strip():
                _fail(command, "bad_client_id", "--client-id is empty.")
            files.record_client_id(client_id.strip())
            typer.echo(f"{name} signs its customers in with Comptoir ID as {client_id.strip()}.")
            return
        typer.echo(f"name: {name}")
        typer.echo(f"redirect_uri: {redirect_uri(wallet, institution_id)}")
        typer.echo(f"scopes: {SCOPE}")
        typer.echo(f"jwks: {files.public_path}")


@peer_cli.command("add")
def peer_add(
    institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")],
    fsp_id: Annotated[str, typer.Argument(metavar="FSP_ID")],
    jwks: Annotated[Path, typer.Option(help="The DFSP's public JWK Set (a file).")],
) -> None:
    """Trust a DFSP's keys for the messages the switch forwards from it."""
    from comptoir.apps.wallet.service.institutions import trust_peer

    document = _read_jwks("peer add", jwks)
    with _wallet("peer add") as wallet:
        trust_peer(wallet, institution_id=institution_id, fsp_id=fsp_id, jwks=document)
    typer.echo(f"{institution_id} trusts the keys of {fsp_id}")


@customer_cli.command("add")
def customer_add(
    institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")],
    phone: Annotated[str, typer.Option(help="Phone number in E.164, e.g. +17585550101.")],
    name: Annotated[str, typer.Option(help="The customer's name.")],
    merchant: Annotated[bool, typer.Option("--merchant", help="A merchant account.")] = False,
    alias: Annotated[str | None, typer.Option(help="An alias, e.g. shop@INSTITUTION.")] = None,
    balance: Annotated[str, typer.Option(help="Opening balance, e.g. 100.00.")] = "0",
) -> None:
    """Open an account and register its phone (and alias) with the switch."""
    from comptoir.apps.wallet.service.customers import add_customer
    from comptoir.apps.wallet.service.institutions import find_institution

    command = "customer add"
    with _wallet(command) as wallet:
        institution = find_institution(wallet, institution_id)
        if institution is None:
            _fail(
                command,
                "unknown_institution",
                lazy(
                    "There is no institution {institution} on this node.",
                    institution=institution_id,
                ).render("en"),
            )
        view = add_customer(
            wallet,
            institution_id=institution_id,
            phone=phone,
            name=name,
            merchant=merchant,
            alias=alias,
            opening_balance=_money(command, balance, institution.currency),
        )
    identifiers = ", ".join(f"{i.party_type} {i.party_id}" for i in view.identifiers)
    typer.echo(f"customer {view.id} {view.name}: {view.balance.to_fixed()} {view.balance.currency}")
    typer.echo(f"registering with the switch: {identifiers}")


@customer_cli.command("remove-alias")
def customer_remove_alias(
    institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")],
    alias: Annotated[str, typer.Argument(metavar="ALIAS")],
) -> None:
    """Take an alias out of the switch's directory."""
    from comptoir.apps.wallet.service.customers import remove_alias

    with _wallet("customer remove-alias") as wallet:
        remove_alias(wallet, institution_id=institution_id, alias=alias)
    typer.echo(f"removing {alias} from the switch's directory")


@wallet_cli.command("customers")
def customers(institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")]) -> None:
    """List an institution's customers with their balances and identifiers."""
    from comptoir.apps.wallet.service.customers import list_customers

    with _wallet("customers") as wallet:
        views = list_customers(wallet, institution_id=institution_id)
    for view in views:
        identifiers = " ".join(
            f"{i.party_type}:{i.party_id}({i.registration})" for i in view.identifiers
        )
        typer.echo(
            f"{view.phone}\t{view.name}\t{view.kind}\t"
            f"{view.balance.to_fixed()} {view.balance.currency}\t{identifiers}"
        )


@wallet_cli.command("books")
def books(institution_id: Annotated[str, typer.Argument(metavar="INSTITUTION")]) -> None:
    """Print every account's balance (minor units) and check that the books balance."""
    from comptoir.apps.wallet.service.history import book_balances

    with _wallet("books") as wallet:
        balances = book_balances(wallet, institution_id=institution_id)
    for code, amount in sorted(balances.items()):
        typer.echo(f"{code}\t{amount}")
    total = sum(balances.values())
    typer.echo(f"total\t{total}\t{'balanced' if total == 0 else 'UNBALANCED'}")
    if total:
        raise typer.Exit(1)
