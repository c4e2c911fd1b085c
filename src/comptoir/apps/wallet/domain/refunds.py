"""Refunds: never more, in all, than what the original payment brought."""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.apps.wallet.domain.errors import MoneyText, WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money


def refundable(original: int, refunds: Iterable[int]) -> int:
    """What is left to refund of `original` after the `refunds` made or under way."""
    left = original - sum(refunds)
    return max(left, 0)


def refundable_now(left: int, balance: int) -> int:
    """The most a merchant can refund at once: what is left of the payment, within its
    balance. A refund carries no fee (fees.py), so the balance is all it takes."""
    return max(min(left, balance), 0)


def check_refund(amount: int, *, original: int, refunds: Iterable[int], currency: str) -> None:
    if amount <= 0:
        raise WalletError("amount_not_positive", lazy("The amount must be more than zero."))
    left = refundable(original, refunds)
    if amount > left:
        raise WalletError(
            "refund_too_large",
            lazy(
                "You can refund at most {left}, what is left of this payment.",
                left=MoneyText(Money(left, currency)),
            ),
        )
