"""The ledger's behaviour: two-phase transfers, timeouts, idempotent retries, linked chains,
timestamps, the hand-off of changes to the store, restoring from the store, and the check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    Account,
    AccountBalance,
    AccountCode,
    AccountFlags,
    AccountResult,
    CorruptLogError,
    Discrepancy,
    Ledger,
    PendingStatus,
    Transfer,
    TransferFlags,
    TransferResult,
    check_balances,
    ledger_totals,
    nanosecond_clock,
    rebuild_balances,
)
from tests.payments.world import SECOND, START, World

R = TransferResult
F = TransferFlags


# -- single-phase and two-phase transfers ------------------------------------------------------


def test_a_single_phase_transfer_moves_the_posted_balances_of_both_accounts() -> None:
    world = World()

    world.ok(world.transfer(amount=250))

    assert world.balance(world.payer) == (0, 250, 0, 1_000)
    assert world.balance(world.payee) == (0, 0, 0, 250)


def test_a_pending_transfer_reserves_the_amount_and_a_post_moves_it() -> None:
    world = World()

    pending = world.pending(amount=300)
    assert world.balance(world.payer) == (300, 0, 0, 1_000)
    assert world.balance(world.payee) == (0, 0, 300, 0)
    assert world.ledger.pending_status(pending.id) is PendingStatus.PENDING

    world.ok(world.post(pending))
    assert world.balance(world.payer) == (0, 300, 0, 1_000)
    assert world.balance(world.payee) == (0, 0, 0, 300)
    assert world.ledger.pending_status(pending.id) is PendingStatus.POSTED


def test_a_post_of_part_of_the_amount_releases_the_rest() -> None:
    world = World()
    pending = world.pending(amount=300)

    world.ok(world.post(pending, amount=120))

    assert world.balance(world.payer) == (0, 120, 0, 1_000)
    assert world.balance(world.payee) == (0, 0, 0, 120)


def test_a_post_is_stored_with_the_accounts_and_amount_it_resolved_from_the_pending() -> None:
    world = World()
    pending = world.pending(amount=300)
    post = world.ok(world.post(pending))

    stored = world.ledger.lookup_transfer(post.id)

    assert stored is not None
    assert (stored.debit_account_id, stored.credit_account_id) == (world.payer, world.payee)
    assert (stored.amount, stored.ledger, stored.code) == (300, "XCD", pending.code)


def test_a_void_releases_the_whole_reservation() -> None:
    world = World()
    pending = world.pending(amount=300)

    world.ok(world.void(pending))

    assert world.balance(world.payer) == (0, 0, 0, 1_000)
    assert world.balance(world.payee) == (0, 0, 0, 0)
    assert world.ledger.pending_status(pending.id) is PendingStatus.VOIDED


def test_a_reservation_counts_against_the_net_debit_cap() -> None:
    world = World()
    world.pending(amount=800)

    assert world.ledger.create_transfers([world.transfer(amount=201)]) == [(0, R.EXCEEDS_CREDITS)]
    world.ok(world.transfer(amount=200))


def test_the_pending_status_of_something_that_is_not_a_pending_transfer_is_none() -> None:
    world = World()
    single = world.ok(world.transfer())

    assert world.ledger.pending_status(single.id) is None
    assert world.ledger.pending_status(new_id()) is None


# -- timeouts ----------------------------------------------------------------------------------


def test_expire_pending_voids_what_has_timed_out_and_nothing_else() -> None:
    world = World()
    short = world.pending(amount=100, timeout=10)
    long = world.pending(amount=200, timeout=60)
    forever = world.pending(amount=300)

    world.now += 11 * SECOND
    voids = world.ledger.expire_pending()

    assert [void.pending_id for void in voids] == [short.id]
    void = voids[0]
    assert void.flags == F.VOID_PENDING_TRANSFER | F.EXPIRY
    assert (void.debit_account_id, void.credit_account_id, void.amount) == (
        world.payer,
        world.payee,
        100,
    )
    assert void.timestamp >= world.now
    assert world.ledger.lookup_transfer(void.id) == void
    assert world.ledger.pending_status(short.id) is PendingStatus.EXPIRED
    assert world.ledger.pending_status(long.id) is PendingStatus.PENDING
    assert world.ledger.pending_status(forever.id) is PendingStatus.PENDING
    assert world.balance(world.payer) == (500, 0, 0, 1_000)


def test_expire_pending_takes_an_explicit_time_and_never_expires_twice() -> None:
    world = World()
    pending = world.pending(timeout=10)

    assert world.ledger.expire_pending(world.now + 9 * SECOND) == []
    assert len(world.ledger.expire_pending(world.now + 11 * SECOND)) == 1
    assert world.ledger.expire_pending(world.now + 99 * SECOND) == []
    assert world.ledger.pending_status(pending.id) is PendingStatus.EXPIRED


def test_an_expired_transfer_can_be_neither_posted_nor_voided() -> None:
    world = World()
    pending = world.pending(timeout=10)
    world.now += 11 * SECOND
    world.ledger.expire_pending()

    post, void = world.post(pending), world.void(pending)
    assert world.ledger.create_transfers([post]) == [(0, R.PENDING_TRANSFER_EXPIRED)]
    assert world.ledger.create_transfers([void]) == [(0, R.PENDING_TRANSFER_EXPIRED)]


def test_a_transfer_posted_before_its_timeout_is_not_expired_later() -> None:
    world = World()
    pending = world.pending(timeout=10)
    world.ok(world.post(pending))

    world.now += 11 * SECOND

    assert world.ledger.expire_pending() == []
    assert world.ledger.pending_status(pending.id) is PendingStatus.POSTED


# -- idempotency -------------------------------------------------------------------------------


def test_a_retry_answers_exists_and_has_no_second_effect() -> None:
    world = World()
    transfer = world.ok(world.transfer(amount=100))
    before = world.ledger.accounts()

    assert world.ledger.create_transfers([transfer, transfer]) == [
        (0, R.EXISTS),
        (1, R.EXISTS),
    ]
    assert world.ledger.accounts() == before


def test_the_same_id_twice_in_one_batch_is_created_once() -> None:
    world = World()
    transfer = world.transfer(amount=100)

    assert world.ledger.create_transfers([transfer, transfer]) == [(1, R.EXISTS)]
    assert world.balance(world.payee) == (0, 0, 0, 100)


def test_a_retry_of_a_post_that_left_its_fields_at_zero_answers_exists() -> None:
    world = World()
    post = world.ok(world.post(world.pending(amount=300)))

    assert world.ledger.create_transfers([post]) == [(0, R.EXISTS)]
    assert world.ledger.create_transfers([post._replace(amount=300)]) == [(0, R.EXISTS)]
    assert world.ledger.create_transfers([post._replace(amount=299)]) == [
        (0, R.EXISTS_WITH_DIFFERENT_AMOUNT)
    ]


def test_a_retry_after_the_ledger_changed_still_answers_exists() -> None:
    world = World()
    transfer = world.ok(world.transfer(amount=1_000))  # the whole cap

    assert world.ledger.create_transfers([transfer]) == [(0, R.EXISTS)]


def test_a_transfer_refused_for_lack_of_funds_stays_refused_for_good() -> None:
    world = World()
    transfer = world.transfer(amount=1_001)
    assert world.ledger.create_transfers([transfer]) == [(0, R.EXCEEDS_CREDITS)]
    world.ok(world.transfer(debit=world.ndc, credit=world.payer, amount=5_000))

    assert world.ledger.create_transfers([transfer]) == [(0, R.ID_ALREADY_FAILED)]
    assert world.ledger.lookup_failure(transfer.id) is R.EXCEEDS_CREDITS
    assert world.ledger.lookup_transfer(transfer.id) is None


def test_a_transfer_refused_for_its_own_content_may_be_sent_again_corrected() -> None:
    world = World()
    transfer = world.transfer(amount=0)
    assert world.ledger.create_transfers([transfer]) == [(0, R.AMOUNT_MUST_NOT_BE_ZERO)]

    world.ok(transfer._replace(amount=10))
    assert world.ledger.lookup_failure(transfer.id) is None


def test_an_account_created_again_answers_exists() -> None:
    world = World()
    account = Account(id=new_id(), ledger="XCD", code=AccountCode.HUB_FEES)

    assert world.ledger.create_accounts([account, account]) == [(1, AccountResult.EXISTS)]


# -- linked chains -----------------------------------------------------------------------------


def test_a_linked_chain_succeeds_together() -> None:
    world = World()
    fee = world.transfer(amount=5, flags=F.LINKED, credit=world.ndc)
    payment = world.transfer(amount=100)

    assert world.ledger.create_transfers([fee, payment]) == []
    assert world.balance(world.payer) == (0, 105, 0, 1_000)


def test_a_broken_chain_changes_nothing_and_answers_for_each_of_its_transfers() -> None:
    world = World()
    before_accounts, before_log = world.ledger.accounts(), world.ledger.transfers()
    first = world.transfer(amount=5, flags=F.LINKED)
    pending = world.transfer(amount=100, flags=F.LINKED | F.PENDING)
    post = world.resolve(pending, F.LINKED | F.POST_PENDING_TRANSFER)
    too_much = world.transfer(amount=2_000, flags=F.LINKED)
    after = world.transfer(amount=1)
    unlinked = world.transfer(amount=7)

    failures = world.ledger.create_transfers([first, pending, post, too_much, after, unlinked])

    assert failures == [
        (0, R.LINKED_EVENT_FAILED),
        (1, R.LINKED_EVENT_FAILED),
        (2, R.LINKED_EVENT_FAILED),
        (3, R.EXCEEDS_CREDITS),
        (4, R.LINKED_EVENT_FAILED),
    ]
    assert world.ledger.transfers() == [*before_log, world.ledger.lookup_transfer(unlinked.id)]
    assert world.ledger.pending_status(pending.id) is None
    payer, payee = (
        world.ledger.lookup_account(world.payer),
        world.ledger.lookup_account(world.payee),
    )
    assert payer == before_accounts[1]._replace(debits_posted=7)
    assert payee == before_accounts[2]._replace(credits_posted=7)


def test_the_transfers_of_a_broken_chain_may_be_sent_again() -> None:
    world = World()
    first = world.transfer(amount=5, flags=F.LINKED)
    bad = world.transfer(amount=0)
    world.ledger.create_transfers([first, bad])

    assert world.ledger.create_transfers([first, bad._replace(amount=1)]) == []


def test_a_chain_sent_again_answers_exists_first_and_changes_nothing() -> None:
    # As in TigerBeetle, `exists` is not `ok`: it breaks the chain it is part of.
    world = World()
    chain = [world.transfer(flags=F.LINKED), world.transfer()]
    assert world.ledger.create_transfers(chain) == []
    before = world.ledger.accounts()

    assert world.ledger.create_transfers(chain) == [
        (0, R.EXISTS),
        (1, R.LINKED_EVENT_FAILED),
    ]
    assert world.ledger.accounts() == before


def test_a_chain_still_open_at_the_end_of_the_batch_fails() -> None:
    world = World()
    first = world.transfer(flags=F.LINKED)
    second = world.transfer(flags=F.LINKED)

    assert world.ledger.create_transfers([first, second]) == [
        (0, R.LINKED_EVENT_FAILED),
        (1, R.LINKED_EVENT_CHAIN_OPEN),
    ]
    assert world.ledger.lookup_transfer(first.id) is None


def test_chains_in_one_batch_fail_independently() -> None:
    world = World()
    good = [world.transfer(flags=F.LINKED), world.transfer()]
    bad = [world.transfer(flags=F.LINKED), world.transfer(amount=0)]

    assert world.ledger.create_transfers([*bad, *good]) == [
        (0, R.LINKED_EVENT_FAILED),
        (1, R.AMOUNT_MUST_NOT_BE_ZERO),
    ]
    assert all(world.ledger.lookup_transfer(transfer.id) for transfer in good)


def test_a_broken_chain_of_accounts_creates_none_of_them() -> None:
    world = World()
    first = Account(id=new_id(), ledger="XCD", code=1, flags=AccountFlags.LINKED)
    second = Account(id=new_id(), ledger="XCD", code=0)

    assert world.ledger.create_accounts([first, second]) == [
        (0, AccountResult.LINKED_EVENT_FAILED),
        (1, AccountResult.CODE_MUST_NOT_BE_ZERO),
    ]
    assert world.ledger.lookup_account(first.id) is None


# -- timestamps --------------------------------------------------------------------------------


def test_timestamps_are_unique_and_increasing_even_when_the_clock_goes_back() -> None:
    world = World()
    world.ok(world.transfer())
    world.now -= 3_600 * SECOND
    world.ledger.create_transfers([world.transfer(), world.transfer(amount=0), world.transfer()])

    stamps = [transfer.timestamp for transfer in world.ledger.transfers()]
    assert stamps == sorted(set(stamps))
    assert stamps[0] >= START


def test_the_nanosecond_clock_reads_a_kernel_clock_exactly() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.advance(timedelta(microseconds=123_456))

    assert nanosecond_clock(clock)() == START + 123_456_000


# -- the hand-off to the store -----------------------------------------------------------------


def test_take_changes_hands_over_what_changed_since_the_last_time() -> None:
    world = World()
    world.ledger.take_changes()
    fees = Account(id=new_id(), ledger="XCD", code=AccountCode.HUB_FEES)
    assert world.ledger.create_accounts([fees]) == []
    payment = world.ok(world.transfer(amount=100))
    refused = world.transfer(amount=5_000)
    world.ledger.create_transfers([refused, world.transfer(amount=0)])

    changes = world.ledger.take_changes()

    assert changes.accounts == [world.ledger.lookup_account(fees.id)]
    assert changes.transfers == [world.ledger.lookup_transfer(payment.id)]
    assert sorted(changes.balances) == sorted(
        [
            AccountBalance(world.payer, 0, 100, 0, 1_000),
            AccountBalance(world.payee, 0, 0, 0, 100),
        ]
    )
    assert changes.failures == [(refused.id, R.EXCEEDS_CREDITS)]
    assert not world.ledger.take_changes()


def test_revert_undoes_the_changes_just_taken() -> None:
    world = World()
    world.ledger.take_changes()
    accounts, log = world.ledger.accounts(), world.ledger.transfers()
    pending = world.pending(amount=100, timeout=5)
    world.ok(world.post(pending, amount=40))
    refused = world.transfer(amount=5_000)
    world.ledger.create_transfers([refused])
    fees = Account(id=new_id(), ledger="XCD", code=AccountCode.HUB_FEES)
    world.ledger.create_accounts([fees])

    world.ledger.revert(world.ledger.take_changes())

    assert world.ledger.accounts() == accounts
    assert world.ledger.transfers() == log
    assert world.ledger.pending_status(pending.id) is None
    assert world.ledger.lookup_failure(refused.id) is None
    assert not world.ledger.take_changes()
    assert world.ledger.create_transfers([refused._replace(amount=1)]) == []


def test_a_reverted_expiry_leaves_the_transfer_pending_and_due_again() -> None:
    world = World()
    pending = world.pending(timeout=5)
    world.ledger.take_changes()
    world.now += 6 * SECOND
    world.ledger.expire_pending()

    world.ledger.revert(world.ledger.take_changes())

    assert world.ledger.pending_status(pending.id) is PendingStatus.PENDING
    assert [void.pending_id for void in world.ledger.expire_pending()] == [pending.id]


def test_a_void_refused_because_of_a_reverted_void_succeeds_when_sent_again() -> None:
    # Only transient refusals are remembered; any other is decided again on the state as it is.
    world = World()
    pending = world.pending(amount=300)
    world.ledger.take_changes()
    world.ok(world.void(pending))
    second = world.void(pending)
    assert world.ledger.create_transfers([second]) == [
        (0, TransferResult.PENDING_TRANSFER_ALREADY_VOIDED)
    ]

    world.ledger.revert(world.ledger.take_changes())

    assert world.ledger.pending_status(pending.id) is PendingStatus.PENDING
    world.ok(second)
    assert world.ledger.pending_status(pending.id) is PendingStatus.VOIDED
    assert world.balance(world.payer) == (0, 0, 0, 1_000)


def test_revert_refuses_changes_that_are_not_the_latest_or_are_followed_by_others() -> None:
    world = World()
    older = world.ledger.take_changes()
    world.ok(world.transfer())
    with pytest.raises(RuntimeError):
        world.ledger.revert(older)
    latest = world.ledger.take_changes()
    world.ok(world.transfer())
    with pytest.raises(RuntimeError):
        world.ledger.revert(latest)


# -- restoring from the store and checking -----------------------------------------------------


def test_a_ledger_restored_from_the_stores_rows_is_the_same_ledger() -> None:
    world = World()
    posted = world.pending(amount=100)
    world.ok(world.post(posted, amount=60))
    voided = world.pending(amount=50)
    world.ok(world.void(voided))
    expiring = world.pending(amount=70, timeout=10)
    waiting = world.pending(amount=30, timeout=100)
    refused = world.transfer(amount=9_999)
    world.ledger.create_transfers([refused])
    world.now += 11 * SECOND
    world.ledger.expire_pending()

    restored = Ledger.restore(
        world.ledger.accounts(),
        world.ledger.transfers(),
        [(refused.id, R.EXCEEDS_CREDITS)],
        clock=lambda: world.now,
    )

    assert restored.accounts() == world.ledger.accounts()
    assert restored.transfers() == world.ledger.transfers()
    for pending in (posted, voided, expiring, waiting):
        assert restored.pending_status(pending.id) == world.ledger.pending_status(pending.id)
    assert restored.create_transfers([refused]) == [(0, R.ID_ALREADY_FAILED)]
    assert not restored.take_changes()
    world.now += 100 * SECOND
    assert [void.pending_id for void in restored.expire_pending()] == [waiting.id]
    new = world.transfer()
    assert restored.create_transfers([new]) == []
    stored = restored.lookup_transfer(new.id)
    assert stored is not None
    assert stored.timestamp > world.ledger.transfers()[-1].timestamp


def test_restoring_refuses_a_log_that_resolves_a_transfer_twice() -> None:
    world = World()
    pending = world.pending()
    world.ok(world.void(pending))
    void_again = world.ledger.transfers()[-1]._replace(id=new_id(), timestamp=START * 2)

    with pytest.raises(CorruptLogError, match="not a pending transfer still pending"):
        Ledger.restore(world.ledger.accounts(), [*world.ledger.transfers(), void_again])


def test_restoring_refuses_a_log_that_moves_money_on_a_missing_account() -> None:
    world = World()

    with pytest.raises(CorruptLogError, match="not in the store"):
        Ledger.restore(world.ledger.accounts()[1:], world.ledger.transfers())


def test_the_check_finds_nothing_wrong_in_a_ledger_that_only_the_ledger_changed() -> None:
    world = World()
    world.ok(world.post(world.pending(amount=100), amount=10))

    assert world.ledger.check() == []
    assert set(ledger_totals(world.ledger.accounts()).values()) == {(0, 0)}


def test_the_check_names_an_account_whose_balance_is_not_the_sum_of_its_postings() -> None:
    world = World()
    accounts = world.ledger.accounts()
    tampered = accounts[2]._replace(credits_posted=accounts[2].credits_posted + 1)

    found = check_balances([*accounts[:2], tampered, *accounts[3:]], world.ledger.transfers())

    assert found == [Discrepancy(tampered.id, tampered.balance, accounts[2].balance)]


def test_the_check_refuses_a_log_that_moves_money_on_an_unknown_account() -> None:
    world = World()

    with pytest.raises(CorruptLogError, match="do not exist"):
        check_balances(world.ledger.accounts()[1:], world.ledger.transfers())


@pytest.mark.parametrize(
    "resolve",
    [
        lambda pending: pending._replace(amount=pending.amount + 1),
        lambda pending: pending._replace(debit_account_id=new_id()),
        lambda pending: pending._replace(flags=F.VOID_PENDING_TRANSFER, amount=1),
    ],
    ids=["posts more than it held", "moves other accounts", "voids another amount"],
)
def test_the_check_refuses_a_resolution_that_contradicts_its_pending_transfer(
    resolve: object,
) -> None:
    pending = Transfer(
        id=new_id(),
        debit_account_id=new_id(),
        credit_account_id=new_id(),
        amount=10,
        ledger="XCD",
        code=1,
        flags=F.PENDING,
        timestamp=1,
    )
    post = pending._replace(id=new_id(), flags=F.POST_PENDING_TRANSFER, pending_id=pending.id)
    assert callable(resolve)

    with pytest.raises(CorruptLogError):
        rebuild_balances([pending, resolve(post)])


def test_the_check_refuses_a_log_that_resolves_a_transfer_twice() -> None:
    world = World()
    pending = world.pending()
    world.ok(world.post(pending))
    post_again = world.ledger.transfers()[-1]._replace(id=new_id())

    with pytest.raises(CorruptLogError, match="not a pending transfer still pending"):
        rebuild_balances([*world.ledger.transfers(), post_again])
