"""A small ledger to test against: a few XCD accounts of each kind, one USD account, a clock
the test moves, and helpers that build transfers with sensible defaults."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    Account,
    AccountCode,
    AccountFlags,
    Ledger,
    Transfer,
    TransferCode,
    TransferFlags,
)

SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND  # 2026-01-01T00:00:00Z


class World:
    def __init__(self) -> None:
        self.now = START
        self.ledger = Ledger(clock=lambda: self.now)
        self.ndc = self.open("XCD", AccountCode.NDC)
        self.payer = self.open(
            "XCD", AccountCode.POSITION, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
        )
        self.payee = self.open("XCD", AccountCode.POSITION)
        self.liquidity = self.open(
            "XCD", AccountCode.LIQUIDITY, AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
        )
        self.dollars = self.open("USD", AccountCode.POSITION)
        # The payer's net debit cap: 1,000 minor units it may owe.
        self.ok(self.transfer(debit=self.ndc, credit=self.payer, amount=1_000))

    def open(self, ledger: str, code: int, flags: int = 0) -> UUID:
        account = Account(id=new_id(), ledger=ledger, code=code, flags=flags)
        assert self.ledger.create_accounts([account]) == []
        return account.id

    def transfer(
        self,
        *,
        debit: UUID | None = None,
        credit: UUID | None = None,
        amount: int = 100,
        flags: int = 0,
        **fields: Any,
    ) -> Transfer:
        """A payment from the payer to the payee unless told otherwise."""
        values: dict[str, Any] = {
            "id": new_id(),
            "debit_account_id": debit or self.payer,
            "credit_account_id": credit or self.payee,
            "amount": amount,
            "ledger": "XCD",
            "code": TransferCode.PAYMENT,
            "flags": flags,
        }
        values.update(fields)
        return Transfer(**values)

    def resolve(self, pending: Transfer, flags: int, **fields: Any) -> Transfer:
        """A post or a void of `pending` that leaves every optional field at zero."""
        return Transfer(id=new_id(), pending_id=pending.id, flags=flags, **fields)

    def post(self, pending: Transfer, **fields: Any) -> Transfer:
        return self.resolve(pending, TransferFlags.POST_PENDING_TRANSFER, **fields)

    def void(self, pending: Transfer, **fields: Any) -> Transfer:
        return self.resolve(pending, TransferFlags.VOID_PENDING_TRANSFER, **fields)

    def pending(self, **fields: Any) -> Transfer:
        """Create a pending transfer (payer to payee, 100, unless told otherwise)."""
        return self.ok(self.transfer(flags=TransferFlags.PENDING, **fields))

    def ok(self, transfer: Transfer) -> Transfer:
        assert self.ledger.create_transfers([transfer]) == []
        return transfer

    def balance(self, account_id: UUID) -> tuple[int, int, int, int]:
        account = self.ledger.lookup_account(account_id)
        assert account is not None
        return (
            account.debits_pending,
            account.debits_posted,
            account.credits_pending,
            account.credits_posted,
        )
