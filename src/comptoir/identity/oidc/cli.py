"""`comptoir identity client ...`: the operator registers relying parties.

Other tools script these, so the names, flags and outputs are stable:
  comptoir identity client add --name NAME --redirect-uri URL [--redirect-uri URL ...]
      --jwks FILE --scopes "openid profile phone" [--purpose TEXT]
      [--post-logout-redirect-uri URL ...] [--sector NAME]
      [--userinfo-signed-response-alg ES256|none]   (default ES256: a signed userinfo answer)
      (prints the new client as JSON, with its client_id)
  comptoir identity client list       (prints a JSON array)

and rotate the provider's signing key:
  comptoir identity keys rotate       (prints {"kid": NEW, "published": [KID, ...]}, current first)
  comptoir identity keys retire KID   (prints {"retired": KID, "published": [KID, ...]})
  comptoir identity keys list         (prints [{"kid", "status": current|previous, "created"}])

A refused key change is one line on stderr, "comptoir identity keys <command>: <code>:
<sentence>", exit code 1, and changes nothing. Key changes are recorded in the audit log with
the actor "operator:cli". Running servers take them up within seconds, without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.orm import Session

from comptoir.identity.oidc import keys
from comptoir.identity.oidc.service import clients, signing_keys
from comptoir.kernel.clock import system_clock
from comptoir.kernel.db import Database, check_connection, upgrade
from comptoir.kernel.settings import Settings, load_settings

Result = TypeVar("Result")

client_cli = typer.Typer(
    help="Relying parties of the OpenID provider.", no_args_is_help=True, add_completion=False
)
keys_cli = typer.Typer(
    help="The OpenID provider's signing keys.", no_args_is_help=True, add_completion=False
)
ACTOR = "operator:cli"


def _fail(sentence: str, code: int = 1) -> NoReturn:
    end = "" if sentence.endswith((".", "?", "!")) else "."
    typer.echo(f"comptoir identity client: {sentence}{end}", err=True)
    raise typer.Exit(code)


@client_cli.command("add")
def client_add(
    name: Annotated[str, typer.Option(help="The name people see on the consent screen.")],
    redirect_uri: Annotated[
        list[str], typer.Option(help="A redirect URI (repeat the option for several).")
    ],
    jwks: Annotated[Path, typer.Option(help="JWKS file with the client's public ES256 key(s).")],
    scopes: Annotated[
        str, typer.Option(help='What it may ask for, e.g. "openid profile phone".')
    ] = "openid",
    purpose: Annotated[str, typer.Option(help="Why it asks (shown to people).")] = "",
    post_logout_redirect_uri: Annotated[
        list[str] | None, typer.Option(help="Where to return after logout (repeatable).")
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            help="Share pairwise subjects with clients of the same sector (default: own)."
        ),
    ] = None,
    userinfo_signed_response_alg: Annotated[
        str,
        typer.Option(help="ES256: userinfo answers a signed JWT (the default); none: plain JSON."),
    ] = "ES256",
) -> None:
    """Register a relying party and print it as JSON, with its new client_id."""
    try:
        document = json.loads(jwks.read_text(encoding="utf-8"))
    except OSError as error:
        _fail(f"cannot read the JWKS file {jwks} ({error.strerror or error})", 2)
    except (ValueError, RecursionError):
        _fail(f"the JWKS file {jwks} is not JSON", 2)
    if not isinstance(document, dict):
        _fail(f"the JWKS file {jwks} is not a JSON object", 2)
    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        # An unreachable database is one sentence; a fresh data folder works at once, as
        # `serve` would have migrated it.
        check_connection(database.engine)
        upgrade(database.engine)
        with database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=redirect_uri,
                jwks=document,
                scopes=scopes,
                purpose=purpose,
                post_logout_redirect_uris=post_logout_redirect_uri or (),
                sector=sector,
                # "none" is JSON, as when a client registers no algorithm (OpenID Connect
                # Registration 1.0); the node's own default is the signed answer.
                userinfo_signed_response_alg=(
                    None
                    if userinfo_signed_response_alg.lower() == "none"
                    else userinfo_signed_response_alg
                ),
                actor=ACTOR,
                clock=system_clock,
            )
    except clients.ClientRegistrationError as error:
        _fail(f"--{error.field.replace('_', '-')}: {error.message}", 2)
    finally:
        database.dispose()
    typer.echo(json.dumps(added.to_json(), indent=2))


@client_cli.command("list")
def client_list() -> None:
    """Print the registered relying parties as a JSON array."""
    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        check_connection(database.engine)
        upgrade(database.engine)
        with database.reading() as session:
            found = clients.list_clients(session)
    finally:
        database.dispose()
    typer.echo(json.dumps([client.to_json() for client in found], indent=2))


def _keys_change(command: str, change: Callable[[Session, Settings], Result]) -> Result:
    """Make a key change in one transaction with its audit entry; a refusal is one line."""
    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            return change(session, settings)
    except keys.SigningKeyError as error:
        typer.echo(
            f"comptoir identity keys {command}: {error.code}: {error.text.render('en')}", err=True
        )
        raise typer.Exit(1) from None
    finally:
        database.dispose()


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the replaced one stays published until retired or rotated out."""
    rotation = _keys_change(
        "rotate",
        lambda session, settings: signing_keys.rotate(
            session, settings=settings, actor=ACTOR, clock=system_clock
        ),
    )
    published = rotation.keys.kids
    typer.echo(json.dumps({"kid": rotation.keys.current.kid, "published": published}, indent=2))


# A kid is base64url and may begin with "-": it must not be read as an option.
@keys_cli.command("retire", context_settings={"ignore_unknown_options": True})
def keys_retire(
    kid: Annotated[str, typer.Argument(help="The kid of a previous key (see `keys list`).")],
) -> None:
    """Stop publishing and accepting a previous signing key (after a suspected leak)."""
    kept = _keys_change(
        "retire",
        lambda session, settings: signing_keys.retire(
            session, settings=settings, kid=kid, actor=ACTOR, clock=system_clock
        ),
    )
    typer.echo(json.dumps({"retired": kid, "published": kept.kids}, indent=2))


@keys_cli.command("list")
def keys_list() -> None:
    """Print the published signing keys as a JSON array, the current one first."""
    typer.echo(json.dumps(keys.read_signing_keys(load_settings()).listing(), indent=2))
