"""`comptoir network ...`: the operator's tools for the commerce network.

Other tools script these, so the names, flags and outputs are stable:
  comptoir network subscriber add SUBSCRIBER_ID --type BAP|BPP|BG --url CALLBACK_BASE_URL
      --domain DOMAIN --unique-key-id UKID --signing-public-key BASE64
      [--encryption-public-key BASE64] [--city CODE] [--country CODE]
  comptoir network subscriber approve SUBSCRIBER_ID
  comptoir network subscriber revoke SUBSCRIBER_ID
  comptoir network subscriber list      (one line each: id, type, status, domain, url, key ids)
  comptoir network info                 (this node's registry and gateway, as JSON)

A subscriber added here is INITIATED: it is listed by lookup and may sign messages only once
`approve` makes it SUBSCRIBED. Revoking makes it UNSUBSCRIBED and revokes its keys for good.
Exit codes: 0 done; 1 refused (unknown subscriber, already registered, revoked); 2 bad input.
They work on the database a running node uses, which sees their effect within two seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.orm import Session

from comptoir.kernel.clock import system_clock
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.settings import load_settings

network_cli = typer.Typer(
    name="network",
    help="The commerce network (Beckn): registry subscribers and this node's gateway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
subscriber_cli = typer.Typer(
    help="Buyer apps, seller platforms and gateways.", no_args_is_help=True
)
network_cli.add_typer(subscriber_cli, name="subscriber")

ACTOR = "operator:cli"
Result = TypeVar("Result")


class SubscriberTypeOption(StrEnum):
    BAP = "BAP"
    BPP = "BPP"
    BG = "BG"


def _fail(sentence: str, code: int = 1) -> NoReturn:
    typer.echo(f"comptoir network: {sentence}", err=True)
    raise typer.Exit(code)


@contextmanager
def _session() -> Iterator[Session]:
    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        # A fresh data folder works at once, as `serve` would have migrated it.
        upgrade(database.engine)
        with database.transaction() as session:
            yield session
    except Problem as problem:
        detail = problem.detail.render("en") if problem.detail else ""
        _fail(
            detail or LazyText(problem.type.title).render("en"),
            2 if problem.status == 422 else 1,
        )
    finally:
        database.dispose()


def _run(work: Callable[[Session], Result]) -> Result:
    with _session() as session:
        return work(session)


@subscriber_cli.command("add")
def subscriber_add(
    subscriber_id: Annotated[str, typer.Argument(metavar="SUBSCRIBER_ID")],
    type_: Annotated[SubscriberTypeOption, typer.Option("--type", help="BAP, BPP or BG.")],
    url: Annotated[str, typer.Option(help="Base URL its Beckn actions are served under.")],
    domain: Annotated[str, typer.Option(help="Domain code, e.g. retail.")],
    unique_key_id: Annotated[str, typer.Option(help="The key id in its signatures' keyId.")],
    signing_public_key: Annotated[str, typer.Option(help="Ed25519 public key, base64.")],
    encryption_public_key: Annotated[
        str | None, typer.Option(help="X25519 public key, base64.")
    ] = None,
    city: Annotated[str | None, typer.Option(help="City code it serves (all if absent).")] = None,
    country: Annotated[str | None, typer.Option(help="Country code it serves.")] = None,
) -> None:
    """Register a participant (INITIATED until approved)."""
    from comptoir.network.registry import service

    key = service.NewKey(unique_key_id, signing_public_key, encryption_public_key)
    _run(
        lambda session: service.add_subscriber(
            session,
            clock=system_clock,
            subscriber_id=subscriber_id,
            type_=type_.value,
            url=url,
            domain=domain,
            city=city,
            country=country,
            key=key,
            actor=ACTOR,
        )
    )
    typer.echo(f"subscriber {subscriber_id} added ({type_.value}, INITIATED)")


@subscriber_cli.command("approve")
def subscriber_approve(
    subscriber_id: Annotated[str, typer.Argument(metavar="SUBSCRIBER_ID")],
) -> None:
    """Approve a participant: it becomes SUBSCRIBED."""
    from comptoir.network.registry import service

    _run(
        lambda session: service.approve(
            session, clock=system_clock, subscriber_id=subscriber_id, actor=ACTOR
        )
    )
    typer.echo(f"subscriber {subscriber_id} SUBSCRIBED")


@subscriber_cli.command("revoke")
def subscriber_revoke(
    subscriber_id: Annotated[str, typer.Argument(metavar="SUBSCRIBER_ID")],
) -> None:
    """Revoke a participant and its keys: it becomes UNSUBSCRIBED."""
    from comptoir.network.registry import service

    _run(
        lambda session: service.revoke(
            session, clock=system_clock, subscriber_id=subscriber_id, actor=ACTOR
        )
    )
    typer.echo(f"subscriber {subscriber_id} UNSUBSCRIBED")


@subscriber_cli.command("list")
def subscriber_list() -> None:
    """Every participant, one line each."""
    from comptoir.network.registry import queries

    def lines(session: Session) -> list[str]:
        return [
            "\t".join(
                (
                    view.subscriber.subscriber_id,
                    view.subscriber.type,
                    view.subscriber.status,
                    view.subscriber.domain,
                    view.subscriber.url,
                    ",".join(key.unique_key_id for key in view.keys),
                )
            )
            for view in queries.list_subscribers(session)
        ]

    for line in _run(lines):
        typer.echo(line)


@network_cli.command("info")
def info() -> None:
    """This node's registry and gateway: addresses, subscriber id, key id, public key."""
    from comptoir.network.node import identities

    node = identities(load_settings(), system_clock)
    typer.echo(
        json.dumps(
            {
                "registry_url": node.registry_url,
                "gateway_url": node.gateway_url,
                "gateway_subscriber_id": node.gateway.subscriber_id,
                "registry_subscriber_id": node.registry.subscriber_id,
                "unique_key_id": node.gateway.unique_key_id,
                "signing_public_key": node.gateway.signing_public_key,
            },
            indent=2,
        )
    )
