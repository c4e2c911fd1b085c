"""Participants (DFSPs) of the switch: registration, net debit caps, liquidity, positions."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.payments.domain import (
    Account,
    AccountCode,
    AccountFlags,
    Transfer,
    TransferCode,
    TransferResult,
)
from comptoir.payments.errors import (
    LEDGER_REFUSED,
    PARTICIPANT_EXISTS,
    PARTICIPANT_INVALID,
    PARTICIPANT_UNKNOWN,
)
from comptoir.payments.models import HubAccountRow, ParticipantCurrencyRow, ParticipantRow
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.participant_cache import forget_participant

# FSPIOP's FspId is a string of 1 to 32 characters; we keep to a safe, URL-friendly subset.
PARTICIPANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
HUB_CODES = (AccountCode.HUB_RECONCILIATION, AccountCode.HUB_SETTLEMENT, AccountCode.HUB_FEES)


@dataclass(frozen=True)
class Position:
    """Where a participant stands in one currency, all in minor units."""

    participant_id: str
    currency: str
    net_debit_cap: int
    position: int  # what it owes the others now (negative: what it is owed), posted
    reserved: int  # prepared but not yet committed
    liquidity: int  # what it has deposited to back its position

    @property
    def headroom(self) -> int:
        """How much more it may prepare before it passes its net debit cap."""
        return self.net_debit_cap - self.position - self.reserved


def _refused(result: TransferResult) -> Problem:
    return Problem(
        LEDGER_REFUSED, lazy("The ledger refused the movement: {result}.", result=result.value)
    )


def hub_accounts(session: Session, store: LedgerStore, currency: str) -> dict[int, uuid.UUID]:
    """The hub's accounts in a currency, created the first time a currency is used."""
    rows = session.scalars(select(HubAccountRow).where(HubAccountRow.currency == currency)).all()
    found = {row.code: row.account_id for row in rows}
    missing = [code for code in HUB_CODES if code not in found]
    if missing:
        accounts = [Account(id=new_id(), ledger=currency, code=int(code)) for code in missing]
        failures = store.create_accounts(session, accounts)
        if failures:
            raise RuntimeError(f"cannot create the hub's {currency} accounts: {failures}")
        for code, account in zip(missing, accounts, strict=True):
            session.add(HubAccountRow(currency=currency, code=int(code), account_id=account.id))
            found[code] = account.id
        session.flush()
    return found


def validate_callback_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        parts, host = urlsplit(""), None
    if len(url) > 500:
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The callback address must be at most 500 characters long."),
        )
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The callback address {url} is not an http(s) URL.", url=url),
        )
    # The resource's path is appended to the address, so a query or a fragment would swallow it.
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy(
                "The callback address {url} must not have a query or a fragment: the switch "
                "adds the resource's path to it.",
                url=url,
            ),
        )
    return url.rstrip("/")


def add_participant(
    session: Session,
    *,
    store: LedgerStore,
    clock: Clock,
    participant_id: str,
    name: str,
    currency: str,
    callback_url: str,
    jwks: dict[str, Any],
    net_debit_cap: Money,
    actor: str,
) -> ParticipantRow:
    """Connect a DFSP: its record, its three accounts in `currency`, and its net debit cap."""
    if not PARTICIPANT_ID.fullmatch(participant_id):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy(
                "The participant id {id} must be 1 to 32 letters, digits, dots, dashes or "
                "underscores.",
                id=participant_id,
            ),
        )
    if not name.strip() or not name.isprintable() or len(name) > 200:
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The participant's name must be printable text of 1 to 200 characters."),
        )
    if net_debit_cap.currency != currency or net_debit_cap.is_negative():
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The net debit cap must be a positive amount in {currency}.", currency=currency),
        )
    if session.get(ParticipantRow, participant_id) is not None:
        raise Problem(
            PARTICIPANT_EXISTS,
            lazy("The participant {id} is already registered.", id=participant_id),
        )
    participant = ParticipantRow(
        id=participant_id,
        name=name,
        callback_url=validate_callback_url(callback_url),
        jwks=jwks,
        active=True,
        created_at=clock.now(),
    )
    session.add(participant)
    session.flush()
    forget_participant(session, participant_id)
    _open_currency(session, store=store, participant_id=participant_id, currency=currency)
    set_net_debit_cap(
        session, store=store, participant_id=participant_id, cap=net_debit_cap, actor=actor
    )
    audit.record(
        session,
        actor=actor,
        action="payments.participant.added",
        subject=f"participant:{participant_id}",
        details={"name": name, "currency": currency, "callback_url": participant.callback_url},
        clock=clock,
    )
    return participant


def _open_currency(
    session: Session, *, store: LedgerStore, participant_id: str, currency: str
) -> ParticipantCurrencyRow:
    hub_accounts(session, store, currency)
    position = Account(
        id=new_id(),
        ledger=currency,
        code=int(AccountCode.POSITION),
        flags=int(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
    )
    liquidity = Account(id=new_id(), ledger=currency, code=int(AccountCode.LIQUIDITY))
    cap = Account(id=new_id(), ledger=currency, code=int(AccountCode.NDC))
    failures = store.create_accounts(session, [position, liquidity, cap])
    if failures:
        raise RuntimeError(f"cannot create the accounts of {participant_id}: {failures}")
    row = ParticipantCurrencyRow(
        participant_id=participant_id,
        currency=currency,
        position_account_id=position.id,
        liquidity_account_id=liquidity.id,
        ndc_account_id=cap.id,
        net_debit_cap=0,
    )
    session.add(row)
    session.flush()
    forget_participant(session, participant_id)
    return row


def participant_currency(
    session: Session, participant_id: str, currency: str, *, for_update: bool = False
) -> ParticipantCurrencyRow:
    """The participant's accounts and cap in `currency`; `for_update` locks the row (on
    PostgreSQL) until the transaction ends, so that changes which read, then write, queue."""
    row = session.get(
        ParticipantCurrencyRow, (participant_id, currency), with_for_update=for_update
    )
    if row is None:
        if session.get(ParticipantRow, participant_id) is None:
            raise Problem(
                PARTICIPANT_UNKNOWN, lazy("No participant has the id {id}.", id=participant_id)
            )
        raise Problem(
            PARTICIPANT_INVALID,
            lazy(
                "The participant {id} does not hold {currency}.",
                id=participant_id,
                currency=currency,
            ),
        )
    return row


def set_net_debit_cap(
    session: Session, *, store: LedgerStore, participant_id: str, cap: Money, actor: str
) -> None:
    """Move the cap to `cap`: the NDC account credits (or takes back from) the position."""
    # Locked: the change is booked as the difference from the cap read here.
    row = participant_currency(session, participant_id, cap.currency, for_update=True)
    change = cap.minor - row.net_debit_cap
    if change:
        debit, credit = (
            (row.ndc_account_id, row.position_account_id)
            if change > 0
            else (row.position_account_id, row.ndc_account_id)
        )
        failures = store.create_transfers(
            session,
            [
                Transfer(
                    id=new_id(),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount=abs(change),
                    ledger=cap.currency,
                    code=int(TransferCode.NET_DEBIT_CAP),
                )
            ],
        )
        if failures:
            raise _refused(failures[0][1])
        row.net_debit_cap = cap.minor
    audit.record(
        session,
        actor=actor,
        action="payments.participant.net_debit_cap",
        subject=f"participant:{participant_id}",
        details={"currency": cap.currency, "net_debit_cap": cap.minor},
    )


def deposit_liquidity(
    session: Session, *, store: LedgerStore, participant_id: str, amount: Money, actor: str
) -> Position:
    """Record money the participant put into the settlement account (or took out, if negative)."""
    # Locked: a withdrawal is checked against what this transaction reads the participant holds.
    row = participant_currency(session, participant_id, amount.currency, for_update=True)
    if amount.is_zero():
        raise Problem(PARTICIPANT_INVALID, lazy("A deposit must not be zero."))
    if amount.minor < 0:
        held = position(
            session, store=store, participant_id=participant_id, currency=amount.currency
        ).liquidity
        if -amount.minor > held:
            raise Problem(
                PARTICIPANT_INVALID,
                lazy(
                    "A withdrawal of {amount} is more than the {held} that {id} holds.",
                    amount=Money(-amount.minor, amount.currency).to_fixed(),
                    held=Money(max(held, 0), amount.currency).to_fixed(),
                    id=participant_id,
                ),
            )
    reconciliation = hub_accounts(session, store, amount.currency)[AccountCode.HUB_RECONCILIATION]
    debit, credit, code = (
        (reconciliation, row.liquidity_account_id, TransferCode.DEPOSIT)
        if amount.minor > 0
        else (row.liquidity_account_id, reconciliation, TransferCode.WITHDRAWAL)
    )
    failures = store.create_transfers(
        session,
        [
            Transfer(
                id=new_id(),
                debit_account_id=debit,
                credit_account_id=credit,
                amount=abs(amount.minor),
                ledger=amount.currency,
                code=int(code),
            )
        ],
    )
    if failures:
        raise _refused(failures[0][1])
    audit.record(
        session,
        actor=actor,
        action="payments.liquidity.deposited",
        subject=f"participant:{participant_id}",
        details={"currency": amount.currency, "amount": amount.minor},
    )
    return position(session, store=store, participant_id=participant_id, currency=amount.currency)


def position(
    session: Session, *, store: LedgerStore, participant_id: str, currency: str
) -> Position:
    row = participant_currency(session, participant_id, currency)
    accounts = store.accounts(session, [row.position_account_id, row.liquidity_account_id])
    pos = accounts[row.position_account_id]
    liquidity = accounts[row.liquidity_account_id]
    # The cap arrives as a credit on the position account; take it out to see the net position.
    received = pos.credits_posted - row.net_debit_cap
    return Position(
        participant_id=participant_id,
        currency=currency,
        net_debit_cap=row.net_debit_cap,
        position=pos.debits_posted - received,
        reserved=pos.debits_pending,
        liquidity=liquidity.credits_posted - liquidity.debits_posted,
    )


def positions(session: Session, *, store: LedgerStore) -> list[Position]:
    rows = session.scalars(
        select(ParticipantCurrencyRow).order_by(
            ParticipantCurrencyRow.participant_id, ParticipantCurrencyRow.currency
        )
    ).all()
    return [
        position(session, store=store, participant_id=row.participant_id, currency=row.currency)
        for row in rows
    ]


def get_participant(session: Session, participant_id: str) -> ParticipantRow:
    participant = session.get(ParticipantRow, participant_id)
    if participant is None:
        raise Problem(
            PARTICIPANT_UNKNOWN, lazy("No participant has the id {id}.", id=participant_id)
        )
    return participant
