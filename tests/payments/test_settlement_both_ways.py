"""A window with payments both ways settles each DFSP's net, not its gross: 50.00 one way and
20.00 the other move 30.00 of liquidity, once, and bring both positions back to zero."""

from __future__ import annotations

from comptoir.kernel.db import Database
from comptoir.payments.services import participants, settlement
from tests.payments.test_refund_races import commit_payment, switch_of
from tests.payments.test_switch_concurrency import CAP, CURRENCY


def test_payments_both_ways_settle_their_net_and_the_report_says_it(database: Database) -> None:
    store, context, bank, wallet = switch_of(database)
    commit_payment(database, context, bank, wallet, 5_000)
    commit_payment(database, context, wallet, bank, 2_000)

    with database.transaction() as session:
        window_id = settlement.close_window(session, clock=context.clock, actor="test").id
    with database.transaction() as session:
        settled = settlement.settle_window(
            session, store=store, clock=context.clock, window_id=window_id, actor="test"
        )
        nets = {(net.participant_id, net.currency): net.net for net in settled.positions}
        after = {
            fsp.fsp_id: participants.position(
                session, store=store, participant_id=fsp.fsp_id, currency=CURRENCY
            )
            for fsp in (bank, wallet)
        }

    assert nets == {(bank.fsp_id, CURRENCY): -3_000, (wallet.fsp_id, CURRENCY): 3_000}
    assert (after[bank.fsp_id].liquidity, after[bank.fsp_id].position) == (CAP - 3_000, 0)
    assert (after[wallet.fsp_id].liquidity, after[wallet.fsp_id].position) == (CAP + 3_000, 0)
    assert after[bank.fsp_id].reserved == after[wallet.fsp_id].reserved == 0
