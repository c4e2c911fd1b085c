"""The ledger check: rebuild every balance from the transfer log alone and compare.

A balance is the sum of its postings. These functions recompute the sums from the log with no
help from the ledger's own bookkeeping, so they can audit it: the property tests run them after
every step, and the operator's "ledger check" runs them over what the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, NamedTuple
from uuid import UUID

from comptoir.payments.domain.accounts import Account, AccountBalance
from comptoir.payments.domain.transfers import Transfer, TransferFlags

__all__ = ["CorruptLogError", "Discrepancy", "check_balances", "ledger_totals", "rebuild_balances"]

_PENDING: Final = int(TransferFlags.PENDING)
_POST: Final = int(TransferFlags.POST_PENDING_TRANSFER)
_VOID: Final = int(TransferFlags.VOID_PENDING_TRANSFER)


class CorruptLogError(ValueError):
    """The transfer log contradicts itself, so no ledger could have written it."""


class Discrepancy(NamedTuple):
    """An account whose recorded balances differ from those its postings add up to."""

    account_id: UUID
    recorded: AccountBalance
    rebuilt: AccountBalance


def rebuild_balances(transfers: Iterable[Transfer]) -> dict[UUID, AccountBalance]:
    """Every account's balances as the log (in timestamp order) says they are.

    Raises CorruptLogError for a log no ledger could have written: a transfer from an account to
    itself, a negative amount, or a post or void of something that is not a pending transfer
    still pending, or that disagrees with it on the accounts or the amount.
    """
    sums: dict[UUID, list[int]] = {}
    unresolved: dict[UUID, Transfer] = {}
    for transfer in transfers:
        if transfer.debit_account_id == transfer.credit_account_id:
            raise CorruptLogError(f"transfer {transfer.id} debits and credits the same account")
        if transfer.amount < 0:
            raise CorruptLogError(f"transfer {transfer.id} has a negative amount")
        debit = sums.setdefault(transfer.debit_account_id, [0, 0, 0, 0])
        credit = sums.setdefault(transfer.credit_account_id, [0, 0, 0, 0])
        flags = transfer.flags
        if flags & _PENDING:
            unresolved[transfer.id] = transfer
            debit[0] += transfer.amount
            credit[2] += transfer.amount
        elif flags & (_POST | _VOID):
            pending = _resolved_pending(transfer, unresolved)
            debit[0] -= pending.amount
            credit[2] -= pending.amount
            if flags & _POST:
                debit[1] += transfer.amount
                credit[3] += transfer.amount
        else:
            debit[1] += transfer.amount
            credit[3] += transfer.amount
    return {account_id: AccountBalance(account_id, *values) for account_id, values in sums.items()}


def _resolved_pending(transfer: Transfer, unresolved: dict[UUID, Transfer]) -> Transfer:
    pending = unresolved.pop(transfer.pending_id, None)
    if pending is None:
        raise CorruptLogError(
            f"transfer {transfer.id} resolves {transfer.pending_id}, which is not a pending "
            "transfer still pending before it"
        )
    same_accounts = (pending.debit_account_id, pending.credit_account_id) == (
        transfer.debit_account_id,
        transfer.credit_account_id,
    )
    if not same_accounts:
        raise CorruptLogError(f"transfer {transfer.id} resolves {pending.id} on other accounts")
    too_much = transfer.amount > pending.amount
    if too_much or (transfer.flags & _VOID and transfer.amount != pending.amount):
        raise CorruptLogError(f"transfer {transfer.id} moves another amount than {pending.id} held")
    return pending


def check_balances(accounts: Iterable[Account], transfers: Iterable[Transfer]) -> list[Discrepancy]:
    """The accounts whose recorded balances differ from what the log adds up to; [] if none.

    Raises CorruptLogError if the log is inconsistent or moves money on an account not given.
    """
    rebuilt = rebuild_balances(transfers)
    found: list[Discrepancy] = []
    for account in accounts:
        expected = rebuilt.pop(account.id, AccountBalance(account.id))
        if account.balance != expected:
            found.append(Discrepancy(account.id, account.balance, expected))
    if rebuilt:
        unknown = ", ".join(sorted(str(account_id) for account_id in rebuilt))
        raise CorruptLogError(f"the log moves money on accounts that do not exist: {unknown}")
    return found


def ledger_totals(accounts: Iterable[Account]) -> dict[str, tuple[int, int]]:
    """Per ledger (currency): the sums over its accounts of debits minus credits, pending and
    posted. Double entry makes both 0 in every ledger; anything else is a broken ledger."""
    totals: dict[str, tuple[int, int]] = {}
    for account in accounts:
        pending, posted = totals.get(account.ledger, (0, 0))
        totals[account.ledger] = (
            pending + account.debits_pending - account.credits_pending,
            posted + account.debits_posted - account.credits_posted,
        )
    return totals
