"""Any sequence of operations keeps the ledger sound.

A hypothesis state machine drives one ledger through random single-phase and pending transfers,
posts and voids (whole, partial, too much, of the wrong thing), timeouts, linked chains that hold
or break, retries of old transfers with the same or different content, and a store that writes
each batch's changes, fails and makes the ledger revert, or restarts the ledger from its rows.
After every step: (1) debits equal credits in every currency, pending and posted; (2) no account
passes the limit its flags set; (3) every balance is what the log adds up to. Along the way:
(4) a retry never moves a balance, and (5) a broken chain changes nothing at all.
"""

from __future__ import annotations

import itertools
from typing import Any
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from comptoir.payments.domain import (
    AMOUNT_MAX,
    TRANSIENT_RESULTS,
    Account,
    AccountBalance,
    AccountCode,
    AccountFlags,
    Ledger,
    LedgerChanges,
    PendingStatus,
    Transfer,
    TransferFlags,
    TransferResult,
    ledger_totals,
)

R = TransferResult
F = TransferFlags
SECOND = 1_000_000_000
LIMITED = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
OWED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
# Per currency: a source without limits, two positions capped by what they were credited, a
# liability that cannot be credited past what it was debited, and one plain account.
KINDS = [
    (AccountCode.NDC, 0),
    (AccountCode.POSITION, LIMITED),
    (AccountCode.POSITION, LIMITED),
    (AccountCode.LIQUIDITY, OWED),
    (AccountCode.HUB_FEES, 0),
]
CURRENCIES = ["XCD", "USD"]
ACCOUNTS = len(KINDS) * len(CURRENCIES)

accounts = st.integers(0, ACCOUNTS - 1)
# Mostly amounts that fit, sometimes ones that are refused or overflow.
amounts = st.integers(-2, 400).map(lambda n: AMOUNT_MAX if n == -2 else n)
# A transfer between currencies is refused; one in ten tries it.
crosses = st.integers(0, 9).map(lambda n: n == 0)
picks = st.integers(0, 2**16)
Balances = dict[UUID, AccountBalance]


class Store:
    """What a store would hold after writing every change set it was handed."""

    def __init__(self) -> None:
        self.accounts: dict[UUID, Account] = {}
        self.transfers: list[Transfer] = []
        self.failures: list[tuple[UUID, TransferResult]] = []

    def write(self, changes: LedgerChanges) -> None:
        for account in changes.accounts:
            self.accounts[account.id] = account
        self.transfers.extend(changes.transfers)
        for balance in changes.balances:
            self.accounts[balance.account_id] = self.accounts[balance.account_id]._replace(
                debits_pending=balance.debits_pending,
                debits_posted=balance.debits_posted,
                credits_pending=balance.credits_pending,
                credits_posted=balance.credits_posted,
            )
        self.failures.extend(changes.failures)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1_767_225_600 * SECOND
        self.ledger = Ledger(clock=lambda: self.now)
        self.store = Store()
        self.ids = (UUID(int=n) for n in itertools.count(1))
        self.account_ids: list[UUID] = []
        self.pendings: list[UUID] = []
        self.created: list[Transfer] = []
        self.history: list[tuple[Transfer, TransferResult]] = []
        self.written = 0  # how many of `history`'s answers the store has written

    # -- helpers ------------------------------------------------------------------------------

    def balances(self) -> Balances:
        return {account.id: account.balance for account in self.ledger.accounts()}

    def account(self, index: int) -> Account:
        found = self.ledger.lookup_account(self.account_ids[index])
        assert found is not None
        return found

    def new_transfer(
        self,
        debit: int,
        credit: int,
        amount: int,
        flags: int,
        *,
        cross: bool = False,
        foreign: bool = False,
    ) -> Transfer:
        """A transfer between accounts of the debit's currency, unless `cross`; in that
        currency, unless `foreign`."""
        if not cross:
            kind = credit % len(KINDS)
            if kind == debit % len(KINDS) and credit < len(KINDS):
                kind = (kind + 1) % len(KINDS)  # mostly two different accounts
            credit = debit - debit % len(KINDS) + kind
        ledger = self.account(debit).ledger
        if foreign:
            ledger = "USD" if ledger == "XCD" else "XCD"
        return Transfer(
            id=next(self.ids),
            debit_account_id=self.account_ids[debit],
            credit_account_id=self.account_ids[credit],
            amount=amount,
            ledger=ledger,
            code=1,
            flags=flags,
        )

    def expected_after(self, transfer: Transfer, before: Balances) -> Balances:
        """The balances a successful `transfer` must leave, worked out independently."""
        after = dict(before)
        flags = transfer.flags
        if flags & (F.POST_PENDING_TRANSFER | F.VOID_PENDING_TRANSFER):
            pending = self.ledger.lookup_transfer(transfer.pending_id)
            assert pending is not None
            held = pending.amount
            moved = (transfer.amount or held) if flags & F.POST_PENDING_TRANSFER else 0
            debit, credit = pending.debit_account_id, pending.credit_account_id
            deltas = ((-held, moved, 0, 0), (0, 0, -held, moved))
        else:
            debit, credit = transfer.debit_account_id, transfer.credit_account_id
            amount = transfer.amount
            if flags & F.PENDING:
                deltas = ((amount, 0, 0, 0), (0, 0, amount, 0))
            else:
                deltas = ((0, amount, 0, 0), (0, 0, 0, amount))
        for account_id, delta in zip((debit, credit), deltas, strict=True):
            old = after[account_id]
            after[account_id] = AccountBalance(
                account_id, *(value + change for value, change in zip(old[1:], delta, strict=True))
            )
        return after

    def submit(self, transfer: Transfer) -> TransferResult:
        """Send one transfer; check it did exactly what it should, or nothing at all."""
        before, log = self.balances(), self.ledger.transfers()
        expected = None
        if transfer.flags & (F.POST_PENDING_TRANSFER | F.VOID_PENDING_TRANSFER):
            if self.ledger.pending_status(transfer.pending_id) is PendingStatus.PENDING:
                expected = self.expected_after(transfer, before)
        else:
            expected = self.expected_after(transfer, before) if transfer.amount > 0 else None
        failures = self.ledger.create_transfers([transfer])
        result = failures[0][1] if failures else R.OK
        if result is R.OK:
            stored = self.ledger.lookup_transfer(transfer.id)
            assert stored is not None
            assert self.ledger.transfers() == [*log, stored]
            assert expected is not None
            assert self.balances() == expected
            self.created.append(stored)
            if transfer.flags & F.PENDING:
                self.pendings.append(transfer.id)
        else:
            assert self.balances() == before
            assert self.ledger.transfers() == log
        return result

    # -- setup --------------------------------------------------------------------------------

    @initialize()
    def open_and_fund_the_accounts(self) -> None:
        batch = [
            Account(id=next(self.ids), ledger=currency, code=code, flags=flags)
            for currency in CURRENCIES
            for code, flags in KINDS
        ]
        assert self.ledger.create_accounts(batch) == []
        self.account_ids = [account.id for account in batch]
        funding = []
        for offset in range(0, ACCOUNTS, len(KINDS)):
            source = offset
            funding += [
                self.new_transfer(source, offset + 1, 1_000, 0),
                self.new_transfer(source, offset + 2, 500, 0),
                self.new_transfer(offset + 3, source, 800, 0),
            ]
        assert self.ledger.create_transfers(funding) == []
        self.store.write(self.ledger.take_changes())

    # -- transfers ----------------------------------------------------------------------------

    @rule(debit=accounts, credit=accounts, amount=amounts, cross=crosses, foreign=crosses)
    def a_single_phase_transfer(
        self, debit: int, credit: int, amount: int, cross: bool, foreign: bool
    ) -> None:
        transfer = self.new_transfer(debit, credit, amount, 0, cross=cross, foreign=foreign)
        self.history.append((transfer, self.submit(transfer)))

    @rule(debit=accounts, credit=accounts, amount=amounts, timeout=st.integers(0, 4))
    def a_pending_transfer(self, debit: int, credit: int, amount: int, timeout: int) -> None:
        transfer = self.new_transfer(debit, credit, amount, F.PENDING)._replace(timeout=timeout)
        self.history.append((transfer, self.submit(transfer)))

    @rule(
        pick=picks,
        post=st.booleans(),
        amount=st.sampled_from([0, 0, 0, 1, 50, 10_000, -1]),
        of=st.sampled_from(["pending", "pending", "pending", "not pending", "unknown"]),
    )
    def a_post_or_a_void(self, pick: int, post: bool, amount: int, of: str) -> None:
        if of == "pending" and self.pendings:
            pending_id = self.pendings[pick % len(self.pendings)]
        elif of == "not pending" and self.created:
            pending_id = self.created[pick % len(self.created)].id
        else:
            pending_id = UUID(int=2**100 + pick)
        flags = F.POST_PENDING_TRANSFER if post else F.VOID_PENDING_TRANSFER
        transfer = Transfer(id=next(self.ids), pending_id=pending_id, amount=amount, flags=flags)
        self.history.append((transfer, self.submit(transfer)))

    @rule(seconds=st.integers(0, 3))
    def time_passes_and_pending_transfers_expire(self, seconds: int) -> None:
        self.now += seconds * SECOND
        due = set()
        for pending_id in self.pendings:
            pending = self.ledger.lookup_transfer(pending_id)
            assert pending is not None
            still_pending = self.ledger.pending_status(pending_id) is PendingStatus.PENDING
            timed_out = pending.timeout and pending.timestamp + pending.timeout * SECOND <= self.now
            if still_pending and timed_out:
                due.add(pending_id)
        voids = self.ledger.expire_pending()
        assert {void.pending_id for void in voids} == due
        for pending_id in due:
            assert self.ledger.pending_status(pending_id) is PendingStatus.EXPIRED

    # -- retries ------------------------------------------------------------------------------

    @precondition(lambda self: self.history)
    @rule(pick=picks)
    def a_transfer_is_sent_again(self, pick: int) -> None:
        transfer, first = self.history[pick % len(self.history)]
        before, log = self.balances(), self.ledger.transfers()
        again = self.ledger.create_transfers([transfer])
        if first is R.OK:
            assert again == [(0, R.EXISTS)]
        elif first in TRANSIENT_RESULTS:
            assert again == [(0, R.ID_ALREADY_FAILED)]
        if not again or again[0][1] is not R.OK:
            assert self.balances() == before
            assert self.ledger.transfers() == log

    @precondition(lambda self: any(result is R.OK for _, result in self.history))
    @rule(
        pick=picks,
        field=st.sampled_from(
            [
                "flags",
                "pending_id",
                "timeout",
                "debit_account_id",
                "credit_account_id",
                "amount",
                "user_data_128",
                "user_data_64",
                "user_data_32",
                "ledger",
                "code",
            ]
        ),
    )
    def a_transfer_is_sent_again_with_different_content(self, pick: int, field: str) -> None:
        sent = [transfer for transfer, result in self.history if result is R.OK]
        transfer = sent[pick % len(sent)]
        stored = self.ledger.lookup_transfer(transfer.id)
        assert stored is not None
        changed: dict[str, Any] = {field: self.different(field, transfer, stored)}
        before, log = self.balances(), self.ledger.transfers()

        failures = self.ledger.create_transfers([transfer._replace(**changed)])

        assert failures == [(0, R(f"exists_with_different_{field}"))]
        assert self.balances() == before
        assert self.ledger.transfers() == log

    def different(self, field: str, transfer: Transfer, stored: Transfer) -> object:
        """A value for `field` that differs from what the transfer was stored with."""
        if field == "flags":
            return transfer.flags ^ F.PENDING
        if field in ("pending_id", "debit_account_id", "credit_account_id", "user_data_128"):
            return next(self.ids)
        if field == "ledger":
            return "USD" if stored.ledger == "XCD" else "XCD"
        value = getattr(stored, field)
        assert isinstance(value, int)
        return value + 1

    # -- linked chains ------------------------------------------------------------------------

    @rule(
        steps=st.lists(
            st.tuples(accounts, accounts, amounts, st.sampled_from(["single", "pending", "post"])),
            min_size=1,
            max_size=4,
        ),
        closed=st.booleans(),
    )
    def a_linked_chain(self, steps: list[tuple[int, int, int, str]], closed: bool) -> None:
        batch: list[Transfer] = []
        for debit, credit, amount, kind in steps:
            if kind == "post" and batch and batch[-1].flags & F.PENDING:
                transfer = Transfer(
                    id=next(self.ids),
                    pending_id=batch[-1].id,
                    flags=F.POST_PENDING_TRANSFER,
                    amount=max(amount, 0) % 200,
                )
            else:
                flags = F.PENDING if kind == "pending" else 0
                transfer = self.new_transfer(debit, credit, amount, flags)
            batch.append(transfer._replace(flags=transfer.flags | F.LINKED))
        if closed:
            batch[-1] = batch[-1]._replace(flags=batch[-1].flags & ~F.LINKED)
        before, log = self.balances(), self.ledger.transfers()

        failures = self.ledger.create_transfers(batch)

        if failures:
            assert [index for index, _ in failures] == list(range(len(batch)))
            results = [result for _, result in failures]
            if not closed:  # the open end answers so, whether or not the chain broke before
                assert results.pop() is R.LINKED_EVENT_CHAIN_OPEN
            own = [result for result in results if result is not R.LINKED_EVENT_FAILED]
            assert len(own) == 1 if closed else len(own) <= 1
            assert self.balances() == before
            assert self.ledger.transfers() == log
        else:
            assert closed
            created = [self.ledger.lookup_transfer(transfer.id) for transfer in batch]
            assert self.ledger.transfers() == [*log, *created]
            self.pendings += [transfer.id for transfer in batch if transfer.flags & F.PENDING]

    # -- the store ----------------------------------------------------------------------------

    @rule()
    def the_store_writes_the_changes(self) -> None:
        self.store.write(self.ledger.take_changes())
        self.written = len(self.history)
        assert list(self.store.accounts.values()) == self.ledger.accounts()
        assert self.store.transfers == self.ledger.transfers()

    @rule()
    def the_store_fails_and_the_ledger_reverts(self) -> None:
        self.ledger.revert(self.ledger.take_changes())
        assert list(self.store.accounts.values()) == self.ledger.accounts()
        assert self.store.transfers == self.ledger.transfers()
        # What the revert undid was never created: forget it, as the sender would be told.
        self.pendings = [p for p in self.pendings if self.ledger.lookup_transfer(p)]
        self.created = [t for t in self.created if self.ledger.lookup_transfer(t.id)]
        # Every answer since the last write went too, refusals included: a void refused because
        # the pending transfer was already voided may succeed once that void is undone.
        self.history = self.history[: self.written]

    @rule()
    def the_switch_restarts_from_the_store(self) -> None:
        self.the_store_writes_the_changes()
        restored = Ledger.restore(
            self.store.accounts.values(),
            self.store.transfers,
            self.store.failures,
            clock=lambda: self.now,
        )
        assert restored.accounts() == self.ledger.accounts()
        assert restored.transfers() == self.ledger.transfers()
        for pending_id in self.pendings:
            assert restored.pending_status(pending_id) == self.ledger.pending_status(pending_id)
        self.ledger = restored

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def debits_equal_credits_in_every_currency(self) -> None:
        for currency, totals in ledger_totals(self.ledger.accounts()).items():
            assert totals == (0, 0), currency

    @invariant()
    def no_account_passes_the_limit_its_flags_set(self) -> None:
        for account in self.ledger.accounts():
            debits = account.debits_pending + account.debits_posted
            credits = account.credits_pending + account.credits_posted
            if account.flags & LIMITED:
                assert debits <= account.credits_posted
            if account.flags & OWED:
                assert credits <= account.debits_posted
            assert min(account.balance[1:]) >= 0

    @invariant()
    def every_balance_is_what_the_log_adds_up_to(self) -> None:
        assert self.ledger.check() == []


LedgerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestAnySequenceOfOperationsKeepsTheLedgerSound = LedgerMachine.TestCase
