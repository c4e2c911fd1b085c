"""`comptoir switch ...`: the operator's tools for the payment switch.

Other tools script these, so the names, flags and outputs are stable:
  comptoir switch participant add ID --name NAME --currency XCD --callback-url URL
      --jwks FILE --ndc AMOUNT
  comptoir switch participant add-currency ID --currency USD --ndc AMOUNT
  comptoir switch participant list
  comptoir switch liquidity ID AMOUNT [--currency XCD]   (the DFSP's currency when it holds one)
  comptoir switch ndc ID AMOUNT [--currency XCD]
  comptoir switch positions
  comptoir switch window close            (prints the closed window's id as the last word)
  comptoir switch window settle WINDOW
  comptoir switch window list
  comptoir switch report WINDOW --format csv|transfers-csv|pacs008|pacs002 [--currency XCD]
  comptoir switch jwks                    (the switch's public JWKS, for DFSPs)
They work on the database a running switch uses, which sees their effect at once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.orm import Session

from comptoir.kernel.clock import system_clock
from comptoir.kernel.db import Database, check_connection, upgrade
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.money import Money, MoneyError, format_money
from comptoir.kernel.settings import load_settings
from comptoir.payments.domain import AMOUNT_MAX, nanosecond_clock
from comptoir.payments.services import participants, registration, settlement
from comptoir.payments.services.ledger_store import LedgerStore

switch_cli = typer.Typer(
    name="switch",
    help="The payment switch: participants, liquidity, settlement windows and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
participant_cli = typer.Typer(help="Banks, wallets and credit unions.", no_args_is_help=True)
window_cli = typer.Typer(help="Settlement windows.", no_args_is_help=True)
switch_cli.add_typer(participant_cli, name="participant")
switch_cli.add_typer(window_cli, name="window")

ACTOR = "operator:cli"
Result = TypeVar("Result")


def _fail(sentence: str, code: int = 1) -> NoReturn:
    end = "" if sentence.endswith((".", "?", "!")) else "."
    typer.echo(f"comptoir switch: {sentence}{end}", err=True)
    raise typer.Exit(code)


@contextmanager
def _session() -> Iterator[Session]:
    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        # An unreachable database is one sentence; a fresh data folder works at once, as
        # `serve` would have migrated it.
        check_connection(database.engine)
        upgrade(database.engine)
        with database.transaction() as session:
            yield session
    except Problem as problem:
        detail = problem.detail.render("en") if problem.detail else ""
        _fail(detail or LazyText(problem.type.title).render("en"))
    finally:
        database.dispose()


def _run(work: Callable[[Session, LedgerStore], Result]) -> Result:
    with _session() as session:
        return work(session, LedgerStore(nanosecond_clock(system_clock)))


def _currency(text: str, flag: str) -> str:
    """An ISO 4217 code in current use (any case), or one sentence naming `flag`."""
    from comptoir.kernel.money import UnknownCurrency, minor_unit_digits

    try:
        minor_unit_digits(text.upper())
    except UnknownCurrency as exc:
        _fail(f"{flag}: {exc}", 2)
    return text.upper()


def _held_currency(session: Session, participant_id: str, currency: str | None) -> str:
    """`--currency` when given, else the one currency the participant holds."""
    if currency is not None:
        return _currency(currency, "--currency")
    held = participants.currencies_of(session, participant_id)
    if len(held) > 1:
        listed = f"{', '.join(held[:-1])} and {held[-1]}"
        _fail(f"{participant_id} holds {listed}: say which with --currency", 2)
    return held[0]


def _money(text: str, currency: str, what: str) -> Money:
    try:
        money = Money.parse(text, currency.upper())
    except MoneyError as exc:
        _fail(f"{what}: {exc}", 2)
    if abs(money.minor) > AMOUNT_MAX:
        largest = Money(AMOUNT_MAX, money.currency).to_fixed()
        _fail(f"{what}: {text} is more than the ledger holds (at most {largest})", 2)
    return money


@participant_cli.command("add")
def participant_add(
    participant_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[str, typer.Option(help="The institution's name.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. XCD.")],
    callback_url: Annotated[str, typer.Option(help="Where the switch sends callbacks.")],
    jwks: Annotated[Path, typer.Option(help="JWKS file with the RSA key of its signatures.")],
    ndc: Annotated[str, typer.Option(help="Net debit cap, in currency units (100.00).")],
) -> None:
    """Register a DFSP with its accounts, its signing key and its net debit cap."""
    from comptoir.kernel.fspiop import RsaKeyError, import_rsa_jwks

    try:
        document = json.loads(jwks.read_text(encoding="utf-8"))
        import_rsa_jwks(document)
    except OSError as exc:
        _fail(f"cannot read the JWKS file {jwks} ({exc.strerror or exc})", 2)
    except RsaKeyError as exc:
        _fail(f"the JWKS file {jwks} holds no usable RSA public key: {exc}", 2)
    except (ValueError, RecursionError):
        _fail(f"the JWKS file {jwks} is not JSON", 2)
    currency = _currency(currency, "--currency")
    cap = _money(ndc, currency, "--ndc")
    _run(
        lambda session, store: registration.add_participant(
            session,
            store=store,
            clock=system_clock,
            participant_id=participant_id,
            name=name,
            currency=currency,
            callback_url=callback_url,
            jwks=document,
            net_debit_cap=cap,
            actor=ACTOR,
        )
    )
    typer.echo(f"participant {participant_id} added ({currency}, NDC {cap.to_fixed()})")


@participant_cli.command("add-currency")
def participant_add_currency(
    participant_id: Annotated[str, typer.Argument(metavar="ID")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. USD.")],
    ndc: Annotated[str, typer.Option(help="Net debit cap, in currency units (100.00).")],
) -> None:
    """Open a registered DFSP's accounts in another currency, with their own net debit cap."""
    cap = _money(ndc, _currency(currency, "--currency"), "--ndc")
    _run(
        lambda session, store: registration.add_currency(
            session,
            store=store,
            clock=system_clock,
            participant_id=participant_id,
            net_debit_cap=cap,
            actor=ACTOR,
        )
    )
    typer.echo(f"participant {participant_id} holds {cap.currency} (NDC {cap.to_fixed()})")


@participant_cli.command("list")
def participant_list() -> None:
    """Participants with their positions against their net debit caps."""
    for position in _run(lambda session, store: participants.positions(session, store=store)):
        typer.echo(_position_line(position))


def _position_line(position: participants.Position) -> str:
    def show(minor: int) -> str:
        return format_money(Money(minor, position.currency), "en")

    return (
        f"{position.participant_id}\t{position.currency}\tposition {show(position.position)}"
        f"\treserved {show(position.reserved)}\tNDC {show(position.net_debit_cap)}"
        f"\tliquidity {show(position.liquidity)}"
    )


@switch_cli.command("positions")
def positions() -> None:
    """Every participant's position, reservations, cap and liquidity."""
    participant_list()


# A withdrawal is a negative AMOUNT ("-25.00"): it must not be read as an option.
@switch_cli.command("liquidity", context_settings={"ignore_unknown_options": True})
def liquidity(
    participant_id: Annotated[str, typer.Argument(metavar="ID")],
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="In currency units; negative withdraws.")
    ],
    currency: Annotated[
        str | None,
        typer.Option(help="ISO 4217 code; needed only when the DFSP holds several."),
    ] = None,
) -> None:
    """Deposit into (or withdraw from) a DFSP's liquidity account."""

    def deposit(session: Session, store: LedgerStore) -> participants.Position:
        money = _money(amount, _held_currency(session, participant_id, currency), "AMOUNT")
        return participants.deposit_liquidity(
            session, store=store, participant_id=participant_id, amount=money, actor=ACTOR
        )

    typer.echo(_position_line(_run(deposit)))


@switch_cli.command("ndc")
def net_debit_cap(
    participant_id: Annotated[str, typer.Argument(metavar="ID")],
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The new cap, in currency units.")
    ],
    currency: Annotated[
        str | None,
        typer.Option(help="ISO 4217 code; needed only when the DFSP holds several."),
    ] = None,
) -> None:
    """Change a DFSP's net debit cap."""

    def move_cap(session: Session, store: LedgerStore) -> Money:
        cap = _money(amount, _held_currency(session, participant_id, currency), "AMOUNT")
        participants.set_net_debit_cap(
            session, store=store, participant_id=participant_id, cap=cap, actor=ACTOR
        )
        return cap

    cap = _run(move_cap)
    typer.echo(f"net debit cap of {participant_id}: {cap.to_fixed()} {cap.currency}")


@window_cli.command("close")
def window_close() -> None:
    """Close the open settlement window and open the next; prints the closed window's id."""

    def close(session: Session, _store: LedgerStore) -> tuple[uuid.UUID, int]:
        closed = settlement.close_window(session, clock=system_clock, actor=ACTOR)
        return closed.id, settlement.committed_counts(session, [closed.id]).get(closed.id, 0)

    closed_id, committed = _run(close)
    if not committed:
        # Said aside, on stderr: scripts read the id as stdout's last word.
        typer.echo("comptoir switch: the closed window holds no committed transfer.", err=True)
    typer.echo(f"closed settlement window {closed_id}")


@window_cli.command("settle")
def window_settle(window: Annotated[str, typer.Argument(metavar="WINDOW")]) -> None:
    """Settle a closed window: net positions move between liquidity accounts."""
    window_id = _window_id(window)
    result = _run(
        lambda session, store: settlement.settle_window(
            session, store=store, clock=system_clock, window_id=window_id, actor=ACTOR
        )
    )
    typer.echo(f"settled window {window_id}: {len(result.transfers)} transfers")


@window_cli.command("list")
def window_list() -> None:
    """The most recent settlement windows."""
    for window in _run(lambda session, _store: settlement.list_windows(session)):
        typer.echo(f"{window.id}\t{window.state}\t{window.opened_at.isoformat()}")


class ReportFormat(StrEnum):
    CSV = "csv"
    TRANSFERS_CSV = "transfers-csv"
    PACS008 = "pacs008"
    PACS002 = "pacs002"


@switch_cli.command("report")
def report(
    window: Annotated[str, typer.Argument(metavar="WINDOW")],
    format: Annotated[ReportFormat, typer.Option("--format", help="What to print.")],
    currency: Annotated[
        str | None, typer.Option(help="For pacs008: the currency, when the window has several.")
    ] = None,
) -> None:
    """Print a window's report: net positions (csv), transfers, or ISO 20022 XML."""
    from comptoir.payments import exports

    window_id = _window_id(window)
    try:
        text = _run(
            lambda session, _store: exports.render(
                session, window_id=window_id, kind=format.value, currency=currency
            )
        )
    except exports.ExportError as exc:
        _fail(f"{format.value}: {exc}")
    typer.echo(text, nl=not text.endswith("\n"))


@switch_cli.command("jwks")
def jwks() -> None:
    """The switch's public JWKS: DFSPs check the switch's own signatures with it."""
    from comptoir.payments.switch.keys import switch_public_jwks

    typer.echo(json.dumps(switch_public_jwks(load_settings()), indent=2))


def _window_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        _fail(f"{text} is not a settlement window id", 2)
