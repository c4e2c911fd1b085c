"""Idempotent retries: how an event compares with what its id already created.

An id creates at most one account or transfer. Sending the same event again answers `exists`
and changes nothing; sending different content under the same id answers the first field that
differs, `exists_with_different_*`, in TigerBeetle's order, and changes nothing either.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from comptoir.payments.domain.accounts import ZERO_ID, Account
from comptoir.payments.domain.results import AccountResult, TransferResult
from comptoir.payments.domain.transfers import Transfer

__all__ = ["compare_account", "compare_transfer"]

A = AccountResult
T = TransferResult
_RESOLVE: Final = (1 << 2) | (1 << 3)  # post_pending_transfer | void_pending_transfer


def compare_account(existing: Account, account: Account, flags: int) -> AccountResult:
    if existing.flags != flags:
        return A.EXISTS_WITH_DIFFERENT_FLAGS
    if existing.user_data_128 != account.user_data_128:
        return A.EXISTS_WITH_DIFFERENT_USER_DATA_128
    if existing.user_data_64 != account.user_data_64:
        return A.EXISTS_WITH_DIFFERENT_USER_DATA_64
    if existing.user_data_32 != account.user_data_32:
        return A.EXISTS_WITH_DIFFERENT_USER_DATA_32
    if existing.ledger != account.ledger:
        return A.EXISTS_WITH_DIFFERENT_LEDGER
    if existing.code != account.code:
        return A.EXISTS_WITH_DIFFERENT_CODE
    return A.EXISTS


def compare_transfer(existing: Transfer, transfer: Transfer, flags: int) -> TransferResult:
    # A post or a void may leave some fields at zero ("as the pending transfer"); the stored
    # one has them resolved, so only the fields the retry gives are compared.
    optional = bool(flags & _RESOLVE)
    if existing.flags != flags:
        return T.EXISTS_WITH_DIFFERENT_FLAGS
    if existing.pending_id != transfer.pending_id:
        return T.EXISTS_WITH_DIFFERENT_PENDING_ID
    if existing.timeout != transfer.timeout:
        return T.EXISTS_WITH_DIFFERENT_TIMEOUT
    if _differs(existing.debit_account_id, transfer.debit_account_id, optional):
        return T.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID
    if _differs(existing.credit_account_id, transfer.credit_account_id, optional):
        return T.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID
    if _differs(existing.amount, transfer.amount, optional):
        return T.EXISTS_WITH_DIFFERENT_AMOUNT
    if existing.user_data_128 != transfer.user_data_128:
        return T.EXISTS_WITH_DIFFERENT_USER_DATA_128
    if existing.user_data_64 != transfer.user_data_64:
        return T.EXISTS_WITH_DIFFERENT_USER_DATA_64
    if existing.user_data_32 != transfer.user_data_32:
        return T.EXISTS_WITH_DIFFERENT_USER_DATA_32
    if _differs(existing.ledger, transfer.ledger, optional):
        return T.EXISTS_WITH_DIFFERENT_LEDGER
    if _differs(existing.code, transfer.code, optional):
        return T.EXISTS_WITH_DIFFERENT_CODE
    return T.EXISTS


def _differs(stored: UUID | int | str, given: UUID | int | str, optional: bool) -> bool:
    if optional and (not given or given == ZERO_ID):
        return False
    return stored != given
