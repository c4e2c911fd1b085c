"""A book: one account's fixed description and its four running balances, in the ledger."""

from __future__ import annotations

from comptoir.payments.domain.accounts import Account, AccountBalance

__all__ = ["Book"]


class Book:
    """One account's fixed description and its four running balances."""

    __slots__ = (
        "account",
        "credits_pending",
        "credits_posted",
        "debits_pending",
        "debits_posted",
        "flags",
        "ledger",
    )

    def __init__(self, account: Account) -> None:
        self.account = account
        self.ledger = account.ledger
        self.flags = int(account.flags)
        self.debits_pending = account.debits_pending
        self.debits_posted = account.debits_posted
        self.credits_pending = account.credits_pending
        self.credits_posted = account.credits_posted

    def snapshot(self) -> Account:
        return self.account._replace(
            debits_pending=self.debits_pending,
            debits_posted=self.debits_posted,
            credits_pending=self.credits_pending,
            credits_posted=self.credits_posted,
        )

    def balance(self) -> AccountBalance:
        return AccountBalance(
            self.account.id,
            self.debits_pending,
            self.debits_posted,
            self.credits_pending,
            self.credits_posted,
        )
