"""Quotes: each line, each fee as its own line, and the total, in integer minor units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from comptoir.kernel.money import Money, sum_money


class Fulfilment(StrEnum):
    PICKUP = "PICKUP"
    DELIVERY = "DELIVERY"


class PaymentMethod(StrEnum):
    CASH_ON_DELIVERY = "COD"
    WALLET = "WALLET"


@dataclass(frozen=True)
class Line:
    item_id: str
    name: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Fee:
    code: str  # DELIVERY | SERVICE
    amount: Money


@dataclass(frozen=True)
class Quote:
    lines: tuple[Line, ...]
    fees: tuple[Fee, ...]
    currency: str

    @property
    def items_total(self) -> Money:
        return sum_money((line.total for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        return self.items_total + sum_money((fee.amount for fee in self.fees), self.currency)

    def lines_json(self) -> list[dict[str, Any]]:
        return [
            {
                "item_id": line.item_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price.minor,
            }
            for line in self.lines
        ]

    def fees_json(self) -> list[dict[str, Any]]:
        return [{"code": fee.code, "amount": fee.amount.minor} for fee in self.fees]


MAX_QUANTITY = 99


def make_quote(
    lines: Sequence[Line],
    *,
    currency: str,
    fulfilment: Fulfilment,
    delivery_fee: Money,
    service_fee: Money,
) -> Quote:
    """The quote for `lines`: delivery is a fee only when delivered; the platform's service
    fee is charged once per order; a zero fee is not shown."""
    if not lines:
        raise ValueError("a quote needs at least one line")
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ValueError(f"a quantity is between 1 and {MAX_QUANTITY}")
        if line.unit_price.currency != currency:
            raise ValueError("every line of a quote is in the quote's currency")
    fees: list[Fee] = []
    if fulfilment is Fulfilment.DELIVERY and delivery_fee.is_positive():
        fees.append(Fee("DELIVERY", delivery_fee))
    if service_fee.is_positive():
        fees.append(Fee("SERVICE", service_fee))
    return Quote(tuple(lines), tuple(fees), currency)
