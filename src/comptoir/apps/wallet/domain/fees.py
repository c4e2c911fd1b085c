"""Each institution's fee schedule, and the amounts of a quote, in integer minor units.

Fees are explicit lines, shown to the payer before they agree (DESIGN.md, section 4):

- the payee's fee (`payeeFspFee`), kept by the payee's institution out of what it receives:
  `p2p_fee_bps` on person-to-person transfers, `merchant_fee_bps` (with a floor and a cap) on
  payments into a merchant's account; never on refunds;
- the payer's fee (`send_fee`), a flat amount the payer's institution adds on top of what it
  sends; never on refunds.

With amountType SEND the payer sends `amount` and the payee receives it less the payee's fee;
with RECEIVE the payee receives `amount` and the payer sends it plus the fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money


class Scenario(StrEnum):
    """The FSPIOP TransactionScenario values this wallet takes part in."""

    TRANSFER = "TRANSFER"
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"


class AmountType(StrEnum):
    SEND = "SEND"
    RECEIVE = "RECEIVE"


@dataclass(frozen=True)
class FeeSchedule:
    currency: str
    send_fee: int = 0
    p2p_fee_bps: int = 0
    merchant_fee_bps: int = 100
    merchant_fee_min: int = 0
    merchant_fee_max: int | None = None

    def __post_init__(self) -> None:
        amounts = (self.send_fee, self.p2p_fee_bps, self.merchant_fee_bps, self.merchant_fee_min)
        if any(value < 0 for value in amounts):
            raise ValueError("fees cannot be negative")
        if self.p2p_fee_bps > 10_000 or self.merchant_fee_bps > 10_000:
            raise ValueError("a fee rate is at most 10000 basis points (100 %)")
        if self.merchant_fee_max is not None and self.merchant_fee_max < self.merchant_fee_min:
            raise ValueError("the merchant fee cap is below its floor")


@dataclass(frozen=True)
class QuoteTerms:
    """What a payee's institution offers: the amount that moves between institutions, what the
    payee receives, and the payee institution's fee (transfer = receive + fee)."""

    transfer_amount: int
    payee_receive_amount: int
    payee_fee: int

    def __post_init__(self) -> None:
        if self.transfer_amount != self.payee_receive_amount + self.payee_fee:
            raise ValueError("a quote's transfer amount is what the payee receives plus the fee")


def payee_fee(
    schedule: FeeSchedule, *, scenario: Scenario, payee_is_merchant: bool, amount: int
) -> int:
    """The payee's fee on `amount` (minor units), rounded half up to a whole minor unit."""
    if scenario is Scenario.REFUND or amount <= 0:
        return 0
    if not payee_is_merchant:
        return Money(amount, schedule.currency).percentage_fee(schedule.p2p_fee_bps).minor
    fee = Money(amount, schedule.currency).percentage_fee(schedule.merchant_fee_bps).minor
    fee = max(fee, schedule.merchant_fee_min)
    if schedule.merchant_fee_max is not None:
        fee = min(fee, schedule.merchant_fee_max)
    return fee


def payer_fee(schedule: FeeSchedule, *, scenario: Scenario) -> int:
    """The payer's institution's own fee on an outgoing payment (the same inside the
    institution and across the switch: the price does not depend on where the payee banks)."""
    return 0 if scenario is Scenario.REFUND else schedule.send_fee


def quote_terms(
    schedule: FeeSchedule,
    *,
    amount_type: AmountType,
    amount: int,
    scenario: Scenario,
    payee_is_merchant: bool,
) -> QuoteTerms:
    """The payee side of a quote; `WalletError` when the fee would eat the whole amount."""
    if amount <= 0:
        raise WalletError("amount_not_positive", lazy("The amount must be more than zero."))
    if amount_type is AmountType.SEND:
        fee = payee_fee(
            schedule, scenario=scenario, payee_is_merchant=payee_is_merchant, amount=amount
        )
        if fee >= amount:
            raise WalletError(
                "amount_below_fee", lazy("The amount is too small to cover the payee's fee.")
            )
        return QuoteTerms(amount, amount - fee, fee)
    fee = payee_fee(schedule, scenario=scenario, payee_is_merchant=payee_is_merchant, amount=amount)
    return QuoteTerms(amount + fee, amount, fee)


def scenario_for(*, payee_is_merchant: bool) -> Scenario:
    """A payer paying a merchant makes a PAYMENT; paying a person, a TRANSFER."""
    return Scenario.PAYMENT if payee_is_merchant else Scenario.TRANSFER
