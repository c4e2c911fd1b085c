"""Settlement windows: deferred multilateral net settlement of committed transfers.

A window collects the transfers committed while it is open. Closing it opens the next one;
its report nets each participant's sends and receipts. Settling it moves the net amounts
between the participants' liquidity accounts through the hub's settlement account and gives
each participant its position back, so the cap applies afresh to the next window.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session, SessionTransaction

from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    AccountCode,
    Transfer,
    TransferCode,
    TransferFlags,
    TransferResult,
)
from comptoir.payments.errors import LEDGER_REFUSED, WINDOW_STATE, WINDOW_UNKNOWN
from comptoir.payments.models import SettlementWindowRow, TransferRow
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.participants import hub_accounts, participant_currency

OPEN = "OPEN"
CLOSED = "CLOSED"
PENDING_SETTLEMENT = "PENDING_SETTLEMENT"
SETTLED = "SETTLED"


@dataclass(frozen=True)
class NetPosition:
    participant_id: str
    currency: str
    sent: int
    received: int

    @property
    def net(self) -> int:
        """Positive: the participant is owed this much; negative: it owes it."""
        return self.received - self.sent


@dataclass(frozen=True)
class WindowReport:
    window: SettlementWindowRow
    transfers: list[TransferRow]
    positions: list[NetPosition]


# Read by every commit: built once (SQLAlchemy then reuses the statement's cache key).
_OPEN = select(SettlementWindowRow).where(SettlementWindowRow.state == OPEN).with_for_update()
_OPEN_SHARED = _OPEN.with_for_update(read=True)


def open_window(session: Session, *, clock: Clock, shared: bool = False) -> SettlementWindowRow:
    """The open window, created if there is none (there is always exactly one).

    A commit reads it `shared` (FOR SHARE on PostgreSQL): many commits at once, but a close,
    which locks it exclusively, waits for them, so no transfer lands in a closed window."""
    if shared:
        # Once read in a transaction, the open window stays open (and locked FOR SHARE) until
        # it ends: the commits a group commit batches together read it once.
        known: SettlementWindowRow | None = session.info.get(_OPEN_WINDOW_READ)
        if known is not None:
            return known
    window = session.scalars(_OPEN_SHARED if shared else _OPEN).first()
    if window is None:
        window = SettlementWindowRow(
            id=new_id(), state=OPEN, opened_at=clock.now(), closed_at=None, settled_at=None
        )
        session.add(window)
        session.flush()
    if shared:
        session.info[_OPEN_WINDOW_READ] = window
    return window


_OPEN_WINDOW_READ = "comptoir.payments.open_window"


# Forgotten when the transaction ends, and on any rollback, even of a savepoint: one that
# created the window, or took its lock, may have undone that.
@event.listens_for(Session, "after_soft_rollback")
def _forget_open_window_after_rollback(session: Session, _previous: SessionTransaction) -> None:
    session.info.pop(_OPEN_WINDOW_READ, None)


@event.listens_for(Session, "after_commit")
def _forget_open_window_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_OPEN_WINDOW_READ, None)


def get_window(session: Session, window_id: uuid.UUID) -> SettlementWindowRow:
    window = session.get(SettlementWindowRow, window_id)
    if window is None:
        raise Problem(WINDOW_UNKNOWN, lazy("No settlement window has the id {id}.", id=window_id))
    return window


def close_window(session: Session, *, clock: Clock, actor: str) -> SettlementWindowRow:
    """Close the open window and open the next; the closed one is returned."""
    session.info.pop(_OPEN_WINDOW_READ, None)  # no longer the open one
    window = open_window(session, clock=clock)
    window.state = CLOSED
    window.closed_at = clock.now()
    session.flush()
    open_window(session, clock=clock)
    audit.record(
        session,
        actor=actor,
        action="payments.window.closed",
        subject=f"window:{window.id}",
        clock=clock,
    )
    return window


def list_windows(session: Session, *, limit: int = 50) -> list[SettlementWindowRow]:
    return list(
        session.scalars(
            select(SettlementWindowRow).order_by(SettlementWindowRow.opened_at.desc()).limit(limit)
        )
    )


def committed_counts(session: Session, window_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many committed transfers each of these windows holds (none: not in the answer)."""
    if not window_ids:
        return {}
    rows = session.execute(
        select(TransferRow.window_id, func.count())
        .where(TransferRow.window_id.in_(window_ids), TransferRow.state == "COMMITTED")
        .group_by(TransferRow.window_id)
    )
    return {window_id: count for window_id, count in rows if window_id is not None}


def report(session: Session, window_id: uuid.UUID) -> WindowReport:
    """Every transfer of the window and each participant's net position in each currency."""
    window = get_window(session, window_id)
    transfers = list(
        session.scalars(
            select(TransferRow)
            .where(TransferRow.window_id == window_id)
            .order_by(TransferRow.completed_at, TransferRow.id)
        )
    )
    sent: dict[tuple[str, str], int] = defaultdict(int)
    received: dict[tuple[str, str], int] = defaultdict(int)
    for transfer in transfers:
        if transfer.state == "COMMITTED":
            sent[(transfer.payer_fsp, transfer.currency)] += transfer.amount
            received[(transfer.payee_fsp, transfer.currency)] += transfer.amount
    keys = sorted(set(sent) | set(received))
    positions = [
        NetPosition(participant, currency, sent[(participant, currency)], received[key])
        for key in keys
        for participant, currency in [key]
    ]
    return WindowReport(window=window, transfers=transfers, positions=positions)


def window_ulids(session: Session, window_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The ULIDs that the window's transfers, and the transfers they refund (in whichever
    window those are), came as, by stored id; a transfer sent with a UUID is not in it."""
    refunded = select(TransferRow.refund_of).where(
        TransferRow.window_id == window_id, TransferRow.refund_of.is_not(None)
    )
    rows = session.execute(
        select(TransferRow.id, TransferRow.ulid).where(
            TransferRow.ulid.is_not(None),
            or_(TransferRow.window_id == window_id, TransferRow.id.in_(refunded)),
        )
    )
    return {key: ulid for key, ulid in rows if ulid is not None}


def settle_window(
    session: Session, *, store: LedgerStore, clock: Clock, window_id: uuid.UUID, actor: str
) -> WindowReport:
    """Settle a closed window: CLOSED → PENDING_SETTLEMENT → SETTLED, in one transaction.

    For each participant and currency, its liquidity pays (or receives) its net through the
    hub's settlement account, and its position gets the same amount back, all as one linked
    chain: either every movement happens or none does.
    """
    window = get_window(session, window_id)
    if window.state != CLOSED:
        raise Problem(
            WINDOW_STATE,
            lazy("Only a closed window can be settled; this one is {state}.", state=window.state),
        )
    window.state = PENDING_SETTLEMENT
    session.flush()
    result = report(session, window_id)
    movements: list[Transfer] = []
    movers: list[str] = []  # whose accounts each movement touches, to name a refusal
    for net in result.positions:
        if net.net == 0:
            continue
        accounts = participant_currency(session, net.participant_id, net.currency)
        hub = hub_accounts(session, store, net.currency)[AccountCode.HUB_SETTLEMENT]
        owes = net.net < 0
        amount = abs(net.net)
        # Liquidity: the payer's goes down, the payee's up. Position: the reverse, back to 0.
        liquidity_move = (
            (accounts.liquidity_account_id, hub) if owes else (hub, accounts.liquidity_account_id)
        )
        position_move = (
            (hub, accounts.position_account_id) if owes else (accounts.position_account_id, hub)
        )
        for debit, credit in (liquidity_move, position_move):
            movers.append(net.participant_id)
            movements.append(
                Transfer(
                    id=new_id(),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount=amount,
                    ledger=net.currency,
                    code=int(TransferCode.SETTLEMENT),
                    flags=int(TransferFlags.LINKED),
                    user_data_128=window_id,
                )
            )
    if movements:
        movements[-1] = movements[-1]._replace(flags=0)
        failures = store.create_transfers(session, movements)
        if failures:
            # In a linked chain every movement fails; the cause is the one that is not
            # merely "linked_event_failed".
            index, failure = next(
                ((i, r) for i, r in failures if r is not TransferResult.LINKED_EVENT_FAILED),
                failures[0],
            )
            raise Problem(
                LEDGER_REFUSED,
                lazy(
                    "Settlement refused by the ledger for {participant}: {result}. A "
                    "participant's reservations may not pass its cap once it is settled; "
                    "settle when its transfers in flight have ended.",
                    participant=movers[index],
                    result=failure.value,
                ),
            )
    window.state = SETTLED
    window.settled_at = clock.now()
    audit.record(
        session,
        actor=actor,
        action="payments.window.settled",
        subject=f"window:{window_id}",
        details={"transfers": len(result.transfers), "movements": len(movements)},
        clock=clock,
    )
    return WindowReport(window=window, transfers=result.transfers, positions=result.positions)
