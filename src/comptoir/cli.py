"""The `comptoir` command: serve the node, run the demo, and the operator's tools."""

from __future__ import annotations

import importlib
import json
import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

import comptoir
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import Settings, load_settings

cli = typer.Typer(
    name="comptoir",
    help="Comptoir: open digital public infrastructure for inclusive e-commerce.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
audit_cli = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
keys_cli = typer.Typer(help="This node's cryptographic keys.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(keys_cli, name="keys")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"comptoir {comptoir.__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Comptoir: identity, instant payments, an open commerce network, consumer protection."""


def _prepared_settings(**overrides: object) -> Settings:
    """Settings, a reachable and migrated database, and a usable signing key, or a clear stop."""
    from comptoir.kernel import db

    settings = load_settings(**overrides)
    engine = db.create_database_engine(settings.resolved_database_url)
    try:
        db.check_connection(engine)
        db.upgrade(engine)
    finally:
        engine.dispose()
    _check_signing_key(settings)
    return settings


def _check_signing_key(settings: Settings) -> None:
    from comptoir.kernel.crypto import load_private_key

    if settings.signing_key_path.exists() or settings.signing_key_file is not None:
        load_private_key(settings.signing_key_path, setting="COMPTOIR_SIGNING_KEY_FILE")


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from comptoir.app import create_app

    typer.echo(f"Comptoir is running at http://{host}:{port}/  (Ctrl+C stops it)")
    if workers > 1:
        # Each worker process builds its own app from the same environment.
        uvicorn.run(
            "comptoir.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level,
            proxy_headers=True,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level)


HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)]


@cli.command()
def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    blocks: Annotated[
        str | None, typer.Option(help="Comma-separated blocks to serve (default: all).")
    ] = None,
) -> None:
    """Migrate the database if needed, then serve the node."""
    overrides: dict[str, object] = {} if blocks is None else {"blocks": blocks}
    settings = _prepared_settings(**overrides, **_where_served(host, port))
    _serve(settings, host, port, workers)


@cli.command()
def demo(host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Set up the embedded demo (database, keys, demo data) and serve it."""
    from comptoir import demo as demo_data

    settings = load_settings(**_where_served(host, port))
    demo_data.ensure_node_keys(settings)
    settings = _prepared_settings(**_where_served(host, port))
    demo_data.seed(settings)
    from comptoir.kernel.web.operator import sign_in_link

    typer.echo(
        f"Operator's console (the link signs in once, within 15 minutes): "
        f"{sign_in_link(settings.base_url, settings.signing_secret())}"
    )
    _serve(settings, host, port, 1)


def _where_served(host: str, port: int) -> dict[str, object]:
    """Without COMPTOIR_BASE_URL, the node's public address is where it listens, so that the
    addresses it gives out (callbacks, links) reach it."""
    if os.environ.get("COMPTOIR_BASE_URL"):
        return {}
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    return {"base_url": f"http://{shown}:{port}"}


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    from comptoir.kernel import db

    settings = load_settings()
    engine = db.create_database_engine(settings.resolved_database_url)
    try:
        db.check_connection(engine)
        db.upgrade(engine, revision)
        typer.echo(f"database at revision {db.current_revision(engine)}")
    finally:
        engine.dispose()


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Revert the migrations down to REVISION ("base" removes every table)."""
    from comptoir.kernel import db

    settings = load_settings()
    engine = db.create_database_engine(settings.resolved_database_url)
    try:
        db.check_connection(engine)
        db.downgrade(engine, revision)
        typer.echo(f"database at revision {db.current_revision(engine) or 'base'}")
    finally:
        engine.dispose()


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exits 1 if any entry was edited or removed."""
    from comptoir.kernel import audit_check
    from comptoir.kernel.db import Database

    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        result = audit_check.verify(database)
    finally:
        database.dispose()
    if result.ok:
        typer.echo(f"audit log intact: {result.count} entries, head {result.head_hash}")
        return
    typer.echo(f"audit log broken at entry {result.first_bad_seq}: {result.problem}", err=True)
    raise typer.Exit(1)


class KeyKindChoice(StrEnum):
    ED25519 = "ed25519"
    X25519 = "x25519"
    P256 = "p256"


@keys_cli.command("generate")
def keys_generate(
    name: Annotated[str, typer.Option(help="File name under the keys folder.")] = "signing",
    kind: Annotated[KeyKindChoice, typer.Option(help="The kind of key.")] = KeyKindChoice.ED25519,
    force: Annotated[bool, typer.Option(help="Replace an existing key.")] = False,
) -> None:
    """Generate a private key in the data folder and print its public half."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from comptoir.kernel.crypto import (
        generate_key_file,
        jwk_from_key,
        public_key_to_base64,
    )

    settings = load_settings()
    path = settings.keys_dir / f"{name}.{kind.value}.pem"
    key = generate_key_file(path, kind.value, overwrite=force, setting="--name")
    typer.echo(f"private key: {path}")
    if isinstance(key, Ed25519PrivateKey | X25519PrivateKey):
        typer.echo(f"public key:  {public_key_to_base64(key)}")
    else:
        typer.echo(f"public key:  {json.dumps(jwk_from_key(key).public().to_dict())}")


operator_cli = typer.Typer(help="The operator's console.", no_args_is_help=True)
cli.add_typer(operator_cli, name="operator")


@operator_cli.command("link")
def operator_link() -> None:
    """Print a sign-in link to the operator's pages (valid for 15 minutes)."""
    from comptoir.kernel.web.operator import sign_in_link

    settings = load_settings()
    typer.echo(sign_in_link(settings.base_url, settings.signing_secret()))


def _register_block_commands() -> None:
    for name in comptoir.KNOWN_BLOCKS:
        importlib.import_module(f"comptoir.{name}").register(None, cli)


def main() -> None:
    _register_block_commands()
    try:
        cli()
    except ConfigurationError as exc:
        typer.echo(f"comptoir: {exc.setting}: {exc.sentence}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
