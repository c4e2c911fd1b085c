"""The payments block's pure rules: a double-entry, append-only ledger with TigerBeetle's
semantics (accounts with pending and posted balances; single-phase, pending, posted and voided
transfers; linked chains; idempotent ids). Standard library and `comptoir.kernel` only."""

from comptoir.payments.domain.accounts import (
    AMOUNT_MAX,
    MAX_ID,
    ZERO_ID,
    Account,
    AccountBalance,
    AccountCode,
    AccountFlags,
)
from comptoir.payments.domain.checks import (
    CorruptLogError,
    Discrepancy,
    check_balances,
    ledger_totals,
    rebuild_balances,
)
from comptoir.payments.domain.ledger import Ledger, LedgerChanges, nanosecond_clock
from comptoir.payments.domain.results import TRANSIENT_RESULTS, AccountResult, TransferResult
from comptoir.payments.domain.transfers import (
    PendingStatus,
    Transfer,
    TransferCode,
    TransferFlags,
)

__all__ = [
    "AMOUNT_MAX",
    "MAX_ID",
    "TRANSIENT_RESULTS",
    "ZERO_ID",
    "Account",
    "AccountBalance",
    "AccountCode",
    "AccountFlags",
    "AccountResult",
    "CorruptLogError",
    "Discrepancy",
    "Ledger",
    "LedgerChanges",
    "PendingStatus",
    "Transfer",
    "TransferCode",
    "TransferFlags",
    "TransferResult",
    "check_balances",
    "ledger_totals",
    "nanosecond_clock",
    "rebuild_balances",
]
