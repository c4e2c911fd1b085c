"""A participant takes out of its liquidity only what settling will not need: what it owes in
the windows not yet settled, and what it has reserved, stays, so a settlement never leaves a
liquidity account below zero."""

from __future__ import annotations

import pytest

from comptoir.kernel.db import Database
from comptoir.kernel.errors import Problem
from comptoir.kernel.money import Money
from comptoir.payments.services import participants, settlement
from comptoir.payments.services.ledger_store import LedgerStore
from tests.payments.test_refund_races import commit_payment, switch_of
from tests.payments.test_switch_concurrency import CAP, CURRENCY


def _said(problem: Problem) -> str:
    assert problem.detail is not None
    return problem.detail.render("en")


def _withdraw(database: Database, store: LedgerStore, fsp_id: str, minor: int) -> None:
    with database.transaction() as session:
        participants.deposit_liquidity(
            session,
            store=store,
            participant_id=fsp_id,
            amount=Money(-minor, CURRENCY),
            actor="test",
        )


def test_a_participant_that_owes_cannot_withdraw_what_settling_will_take(
    database: Database,
) -> None:
    store, context, payer, payee = switch_of(database)
    commit_payment(database, context, payer, payee, 9_000)  # the payer owes 90.00

    with pytest.raises(Problem) as refused:
        _withdraw(database, store, payer.fsp_id, CAP)  # all of its 100.00
    assert _said(refused.value) == (
        "A withdrawal of 100.00 is more than the 10.00 that bank-a may take out: "
        "90.00 of the 100.00 it holds covers what it owes and has reserved."
    )
    _withdraw(database, store, payer.fsp_id, 1_000)  # the 10.00 it does not owe

    with database.transaction() as session:
        window_id = settlement.close_window(session, clock=context.clock, actor="test").id
    with database.transaction() as session:
        settlement.settle_window(
            session, store=store, clock=context.clock, window_id=window_id, actor="test"
        )
    with database.transaction() as session:
        after = participants.position(
            session, store=store, participant_id=payer.fsp_id, currency=CURRENCY
        )
    assert (after.liquidity, after.position) == (0, 0)


def test_a_withdrawal_past_what_it_holds_is_still_refused_as_such(database: Database) -> None:
    store, _, payer, _ = switch_of(database)
    with pytest.raises(Problem) as refused:
        _withdraw(database, store, payer.fsp_id, CAP + 1)
    assert _said(refused.value) == (
        "A withdrawal of 100.01 is more than the 100.00 that bank-a holds."
    )
