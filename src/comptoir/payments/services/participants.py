"""Participants (DFSPs) of the switch: their accounts, net debit caps, liquidity and positions.

Joining the switch is `registration`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel import audit
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.payments.domain import (
    Account,
    AccountCode,
    Transfer,
    TransferCode,
    TransferResult,
)
from comptoir.payments.errors import (
    LEDGER_REFUSED,
    PARTICIPANT_INVALID,
    PARTICIPANT_UNKNOWN,
)
from comptoir.payments.models import HubAccountRow, ParticipantCurrencyRow, ParticipantRow
from comptoir.payments.services.ledger_store import LedgerStore

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


def currencies_of(session: Session, participant_id: str) -> list[str]:
    """The currencies the participant holds, in alphabetical order (at least one)."""
    held = session.scalars(
        select(ParticipantCurrencyRow.currency)
        .where(ParticipantCurrencyRow.participant_id == participant_id)
        .order_by(ParticipantCurrencyRow.currency)
    ).all()
    if not held:
        raise Problem(
            PARTICIPANT_UNKNOWN, lazy("No participant has the id {id}.", id=participant_id)
        )
    return list(held)


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
        now = position(
            session, store=store, participant_id=participant_id, currency=amount.currency
        )
        held = now.liquidity
        # What it owes in the windows not yet settled, and has reserved, stays: settling takes
        # it from this account, which must not then go below zero.
        owed = max(0, now.position + now.reserved)
        if -amount.minor <= held < -amount.minor + owed:
            raise Problem(
                PARTICIPANT_INVALID,
                lazy(
                    "A withdrawal of {amount} is more than the {free} that {id} may take out: "
                    "{owed} of the {held} it holds covers what it owes and has reserved.",
                    amount=Money(-amount.minor, amount.currency).to_fixed(),
                    free=Money(max(held - owed, 0), amount.currency).to_fixed(),
                    owed=Money(min(owed, max(held, 0)), amount.currency).to_fixed(),
                    held=Money(max(held, 0), amount.currency).to_fixed(),
                    id=participant_id,
                ),
            )
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
