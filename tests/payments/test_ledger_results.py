"""Every result `create_transfers` and `create_accounts` can answer, each shown by an example
that answers it, and each leaving the ledger exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    AMOUNT_MAX,
    MAX_ID,
    ZERO_ID,
    Account,
    AccountCode,
    AccountFlags,
    AccountResult,
    Transfer,
    TransferCode,
    TransferFlags,
    TransferResult,
)
from tests.payments.world import SECOND, World

R = TransferResult
F = TransferFlags

# An example is a batch and the index in it whose result is the one under test.
Example = tuple[list[Transfer], int]
TRANSFER_EXAMPLES: dict[TransferResult, Callable[[World], Example]] = {}


def example(result: TransferResult) -> Callable[[Callable[[World], Example]], None]:
    def register(build: Callable[[World], Example]) -> None:
        TRANSFER_EXAMPLES[result] = build

    return register


def alone(transfer: Transfer) -> Example:
    return [transfer], 0


def created_then(world: World, first: Transfer, retry: Transfer) -> Example:
    world.ok(first)
    return alone(retry)


@example(R.LINKED_EVENT_FAILED)
def _(w: World) -> Example:
    return [w.transfer(flags=F.LINKED), w.transfer(amount=0)], 0


@example(R.LINKED_EVENT_CHAIN_OPEN)
def _(w: World) -> Example:
    return [w.transfer(flags=F.LINKED), w.transfer(flags=F.LINKED)], 1


@example(R.TIMESTAMP_MUST_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(timestamp=1))


@example(R.RESERVED_FLAG)
def _(w: World) -> Example:
    return alone(w.transfer(flags=F.EXPIRY | F.VOID_PENDING_TRANSFER))


@example(R.ID_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(id=ZERO_ID))


@example(R.ID_MUST_NOT_BE_INT_MAX)
def _(w: World) -> Example:
    return alone(w.transfer(id=MAX_ID))


@example(R.EXISTS_WITH_DIFFERENT_FLAGS)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(flags=F.PENDING))


@example(R.EXISTS_WITH_DIFFERENT_PENDING_ID)
def _(w: World) -> Example:
    first = w.post(w.pending())
    return created_then(w, first, first._replace(pending_id=new_id()))


@example(R.EXISTS_WITH_DIFFERENT_TIMEOUT)
def _(w: World) -> Example:
    first = w.transfer(flags=F.PENDING, timeout=60)
    return created_then(w, first, first._replace(timeout=30))


@example(R.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(debit_account_id=w.ndc))


@example(R.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(credit_account_id=w.ndc))


@example(R.EXISTS_WITH_DIFFERENT_AMOUNT)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(amount=101))


@example(R.EXISTS_WITH_DIFFERENT_USER_DATA_128)
def _(w: World) -> Example:
    first = w.transfer(user_data_128=new_id())
    return created_then(w, first, first._replace(user_data_128=new_id()))


@example(R.EXISTS_WITH_DIFFERENT_USER_DATA_64)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(user_data_64=7))


@example(R.EXISTS_WITH_DIFFERENT_USER_DATA_32)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(user_data_32=7))


@example(R.EXISTS_WITH_DIFFERENT_LEDGER)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(ledger="USD"))


@example(R.EXISTS_WITH_DIFFERENT_CODE)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first._replace(code=TransferCode.FEE))


@example(R.EXISTS)
def _(w: World) -> Example:
    first = w.transfer()
    return created_then(w, first, first)


@example(R.ID_ALREADY_FAILED)
def _(w: World) -> Example:
    too_much = w.transfer(amount=5_000)
    assert w.ledger.create_transfers([too_much]) == [(0, R.EXCEEDS_CREDITS)]
    # The cap is raised so the same transfer would now pass: it must not.
    w.ok(w.transfer(debit=w.ndc, credit=w.payer, amount=10_000))
    return alone(too_much)


@example(R.FLAGS_ARE_MUTUALLY_EXCLUSIVE)
def _(w: World) -> Example:
    return alone(w.transfer(flags=F.PENDING | F.POST_PENDING_TRANSFER))


@example(R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer()._replace(debit_account_id=ZERO_ID))


@example(R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer()._replace(credit_account_id=ZERO_ID))


@example(R.ACCOUNTS_MUST_BE_DIFFERENT)
def _(w: World) -> Example:
    return alone(w.transfer(credit=w.payer))


@example(R.PENDING_ID_MUST_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(pending_id=new_id()))


@example(R.PENDING_ID_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(Transfer(id=new_id(), flags=F.POST_PENDING_TRANSFER))


@example(R.PENDING_ID_MUST_BE_DIFFERENT)
def _(w: World) -> Example:
    transfer_id = new_id()
    return alone(Transfer(id=transfer_id, pending_id=transfer_id, flags=F.VOID_PENDING_TRANSFER))


@example(R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER)
def _(w: World) -> Example:
    return alone(w.transfer(timeout=60))


@example(R.TIMEOUT_MUST_NOT_BE_NEGATIVE)
def _(w: World) -> Example:
    return alone(w.transfer(flags=F.PENDING, timeout=-1))


@example(R.AMOUNT_MUST_NOT_BE_NEGATIVE)
def _(w: World) -> Example:
    return alone(w.transfer(amount=-1))


@example(R.AMOUNT_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(amount=0))


@example(R.LEDGER_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(ledger=""))


@example(R.CODE_MUST_NOT_BE_ZERO)
def _(w: World) -> Example:
    return alone(w.transfer(code=0))


@example(R.DEBIT_ACCOUNT_NOT_FOUND)
def _(w: World) -> Example:
    return alone(w.transfer(debit=new_id()))


@example(R.CREDIT_ACCOUNT_NOT_FOUND)
def _(w: World) -> Example:
    return alone(w.transfer(credit=new_id()))


@example(R.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER)
def _(w: World) -> Example:
    return alone(w.transfer(credit=w.dollars))


@example(R.TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS)
def _(w: World) -> Example:
    return alone(w.transfer(ledger="USD"))


@example(R.PENDING_TRANSFER_NOT_FOUND)
def _(w: World) -> Example:
    return alone(Transfer(id=new_id(), pending_id=new_id(), flags=F.POST_PENDING_TRANSFER))


@example(R.PENDING_TRANSFER_NOT_PENDING)
def _(w: World) -> Example:
    return alone(w.post(w.ok(w.transfer())))


@example(R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID)
def _(w: World) -> Example:
    return alone(w.post(w.pending(), debit_account_id=w.ndc))


@example(R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID)
def _(w: World) -> Example:
    return alone(w.post(w.pending(), credit_account_id=w.ndc))


@example(R.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER)
def _(w: World) -> Example:
    return alone(w.post(w.pending(), ledger="USD"))


@example(R.PENDING_TRANSFER_HAS_DIFFERENT_CODE)
def _(w: World) -> Example:
    return alone(w.void(w.pending(), code=TransferCode.FEE))


@example(R.EXCEEDS_PENDING_TRANSFER_AMOUNT)
def _(w: World) -> Example:
    return alone(w.post(w.pending(amount=100), amount=101))


@example(R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT)
def _(w: World) -> Example:
    return alone(w.void(w.pending(amount=100), amount=50))


@example(R.PENDING_TRANSFER_ALREADY_POSTED)
def _(w: World) -> Example:
    pending = w.pending()
    w.ok(w.post(pending))
    return alone(w.void(pending))


@example(R.PENDING_TRANSFER_ALREADY_VOIDED)
def _(w: World) -> Example:
    pending = w.pending()
    w.ok(w.void(pending))
    return alone(w.post(pending))


@example(R.PENDING_TRANSFER_EXPIRED)
def _(w: World) -> Example:
    pending = w.pending(timeout=30)
    w.now += 31 * SECOND
    return alone(w.post(pending))


@example(R.OVERFLOWS_DEBITS_PENDING)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.pending(debit=a, credit=b, amount=AMOUNT_MAX)
    return alone(w.transfer(debit=a, credit=c, amount=1, flags=F.PENDING))


@example(R.OVERFLOWS_CREDITS_PENDING)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.pending(debit=a, credit=b, amount=AMOUNT_MAX)
    return alone(w.transfer(debit=c, credit=b, amount=1, flags=F.PENDING))


@example(R.OVERFLOWS_DEBITS_POSTED)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.ok(w.transfer(debit=a, credit=b, amount=AMOUNT_MAX))
    return alone(w.transfer(debit=a, credit=c, amount=1))


@example(R.OVERFLOWS_CREDITS_POSTED)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.ok(w.transfer(debit=a, credit=b, amount=AMOUNT_MAX))
    return alone(w.transfer(debit=c, credit=b, amount=1))


@example(R.OVERFLOWS_DEBITS)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.pending(debit=a, credit=b, amount=AMOUNT_MAX)
    return alone(w.transfer(debit=a, credit=c, amount=1))


@example(R.OVERFLOWS_CREDITS)
def _(w: World) -> Example:
    a, b, c = (w.open("XCD", AccountCode.NDC) for _ in range(3))
    w.pending(debit=a, credit=b, amount=AMOUNT_MAX)
    return alone(w.transfer(debit=c, credit=b, amount=1))


@example(R.OVERFLOWS_TIMEOUT)
def _(w: World) -> Example:
    return alone(w.transfer(flags=F.PENDING, timeout=2**62))


@example(R.EXCEEDS_CREDITS)
def _(w: World) -> Example:
    return alone(w.transfer(amount=1_001))


@example(R.EXCEEDS_DEBITS)
def _(w: World) -> Example:
    return alone(w.transfer(debit=w.ndc, credit=w.liquidity, amount=1))


def test_every_transfer_result_but_ok_has_an_example() -> None:
    assert set(TRANSFER_EXAMPLES) == set(TransferResult) - {TransferResult.OK}


@pytest.mark.parametrize("result", list(TRANSFER_EXAMPLES), ids=str)
def test_a_transfer_gets_each_result_where_tigerbeetle_gives_it_and_changes_nothing(
    result: TransferResult,
) -> None:
    world = World()
    batch, index = TRANSFER_EXAMPLES[result](world)
    accounts, transfers = world.ledger.accounts(), world.ledger.transfers()

    failures = world.ledger.create_transfers(batch)

    assert dict(failures)[index] == result
    assert world.ledger.accounts() == accounts
    assert world.ledger.transfers() == transfers


# -- accounts ---------------------------------------------------------------------------------

A = AccountResult
AccountExample = tuple[list[Account], int]
ACCOUNT_EXAMPLES: dict[AccountResult, Callable[[World], AccountExample]] = {}


def account_example(
    result: AccountResult,
) -> Callable[[Callable[[World], AccountExample]], None]:
    def register(build: Callable[[World], AccountExample]) -> None:
        ACCOUNT_EXAMPLES[result] = build

    return register


def an_account(**fields: Any) -> Account:
    return Account(id=new_id(), ledger="XCD", code=AccountCode.POSITION)._replace(**fields)


def account_created_then(world: World, first: Account, retry: Account) -> AccountExample:
    assert world.ledger.create_accounts([first]) == []
    return [retry], 0


@account_example(A.LINKED_EVENT_FAILED)
def _(w: World) -> AccountExample:
    return [an_account(flags=AccountFlags.LINKED), an_account(code=0)], 0


@account_example(A.LINKED_EVENT_CHAIN_OPEN)
def _(w: World) -> AccountExample:
    return [an_account(flags=AccountFlags.LINKED)], 0


@account_example(A.TIMESTAMP_MUST_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(timestamp=1)], 0


@account_example(A.RESERVED_FLAG)
def _(w: World) -> AccountExample:
    return [an_account(flags=1 << 4)], 0


@account_example(A.ID_MUST_NOT_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(id=ZERO_ID)], 0


@account_example(A.ID_MUST_NOT_BE_INT_MAX)
def _(w: World) -> AccountExample:
    return [an_account(id=MAX_ID)], 0


@account_example(A.EXISTS_WITH_DIFFERENT_FLAGS)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(flags=AccountFlags.HISTORY))


@account_example(A.EXISTS_WITH_DIFFERENT_USER_DATA_128)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(user_data_128=new_id()))


@account_example(A.EXISTS_WITH_DIFFERENT_USER_DATA_64)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(user_data_64=1))


@account_example(A.EXISTS_WITH_DIFFERENT_USER_DATA_32)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(user_data_32=1))


@account_example(A.EXISTS_WITH_DIFFERENT_LEDGER)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(ledger="USD"))


@account_example(A.EXISTS_WITH_DIFFERENT_CODE)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first._replace(code=AccountCode.LIQUIDITY))


@account_example(A.EXISTS)
def _(w: World) -> AccountExample:
    first = an_account()
    return account_created_then(w, first, first)


@account_example(A.FLAGS_ARE_MUTUALLY_EXCLUSIVE)
def _(w: World) -> AccountExample:
    both = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
    return [an_account(flags=both)], 0


@account_example(A.DEBITS_PENDING_MUST_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(debits_pending=1)], 0


@account_example(A.DEBITS_POSTED_MUST_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(debits_posted=1)], 0


@account_example(A.CREDITS_PENDING_MUST_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(credits_pending=1)], 0


@account_example(A.CREDITS_POSTED_MUST_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(credits_posted=1)], 0


@account_example(A.LEDGER_MUST_NOT_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(ledger="")], 0


@account_example(A.LEDGER_MUST_BE_A_CURRENCY)
def _(w: World) -> AccountExample:
    return [an_account(ledger="XAU")], 0  # gold counts in troy ounces: no minor unit


@account_example(A.CODE_MUST_NOT_BE_ZERO)
def _(w: World) -> AccountExample:
    return [an_account(code=0)], 0


def test_every_account_result_but_ok_has_an_example() -> None:
    assert set(ACCOUNT_EXAMPLES) == set(AccountResult) - {AccountResult.OK}


@pytest.mark.parametrize("result", list(ACCOUNT_EXAMPLES), ids=str)
def test_an_account_gets_each_result_where_tigerbeetle_gives_it_and_changes_nothing(
    result: AccountResult,
) -> None:
    world = World()
    batch, index = ACCOUNT_EXAMPLES[result](world)
    accounts = world.ledger.accounts()

    failures = world.ledger.create_accounts(batch)

    assert dict(failures)[index] == result
    assert world.ledger.accounts() == accounts
