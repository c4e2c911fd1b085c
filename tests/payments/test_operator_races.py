"""The operator's changes to a participant, made at the same instant, never lose one another.

Withdrawals read what the participant holds before they take it out, and a new net debit cap
is booked as the difference from the old one: both read, then write. On PostgreSQL two such
changes at once could both read the same state (two withdrawals both passing the check, two
caps both booking their difference from the same old cap); the participant's row is locked
for the change, so they queue. SQLite serialises writers anyway: the tests run on both.
"""

from __future__ import annotations

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.errors import Problem
from comptoir.kernel.fspiop import generate_rsa_jwk
from comptoir.kernel.money import Money
from comptoir.payments.domain import nanosecond_clock
from comptoir.payments.services import participants
from comptoir.payments.services.ledger_store import LedgerStore
from tests.payments.test_switch_concurrency import CAP, CURRENCY, connect, race

RACERS = 20


def _bank(database: Database) -> LedgerStore:
    clock = FrozenClock()
    store = LedgerStore(nanosecond_clock(clock))
    _, jwks = generate_rsa_jwk(kid="bank-a-1")
    connect(database, store, clock, [("bank-a", "http://127.0.0.1:9/bank-a", jwks)])
    return store


def _position(database: Database, store: LedgerStore) -> participants.Position:
    with database.transaction() as session:
        return participants.position(
            session, store=store, participant_id="bank-a", currency=CURRENCY
        )


def test_twenty_withdrawals_at_once_never_take_out_more_than_the_participant_holds(
    database: Database,
) -> None:
    store = _bank(database)  # holds 100.00
    amount = 1_000  # 10.00: ten of the twenty fit

    def withdraw(_index: int) -> None:
        with database.transaction() as session:
            participants.deposit_liquidity(
                session,
                store=store,
                participant_id="bank-a",
                amount=Money(-amount, CURRENCY),
                actor="test",
            )

    failures = race(RACERS, withdraw)

    assert len(failures) == RACERS - CAP // amount, failures
    assert all(isinstance(failure, Problem) for failure in failures), failures
    assert _position(database, store).liquidity == 0


def test_twenty_new_caps_at_once_leave_the_position_booked_against_the_last_one(
    database: Database,
) -> None:
    store = _bank(database)  # cap 100.00, nothing owed

    def set_cap(index: int) -> None:
        with database.transaction() as session:
            participants.set_net_debit_cap(
                session,
                store=store,
                participant_id="bank-a",
                cap=Money(CAP + 100 * (index + 1), CURRENCY),
                actor="test",
            )

    assert race(RACERS, set_cap) == []

    seen = _position(database, store)
    # Whichever cap came last, the ledger's cap account holds exactly it: nothing owed.
    assert seen.net_debit_cap in {CAP + 100 * (index + 1) for index in range(RACERS)}
    assert seen.position == 0
