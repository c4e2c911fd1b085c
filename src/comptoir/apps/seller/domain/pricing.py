"""Quotes: each line, each fee as its own line, and the total, in integer minor units."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from babel.numbers import get_group_symbol

from comptoir.kernel.money import AmountError, Money, sum_money


def _grouped(whole: str, mark: str) -> bool:
    """Whether `mark` groups the digits of `whole` in thousands, as in "1,234,567"."""
    return re.fullmatch(rf"-?[0-9]{{1,3}}(?:{re.escape(mark)}[0-9]{{3}})+", whole) is not None


def typed_amount(text: str, currency: str, *, locale: str) -> Money:
    """An amount as a shop owner types it, in the language they read the page in (`locale`):
    "12.50", "12,50" (a decimal comma, as French speakers write it), "1 234,50", "1,234.50" or
    "1.234,50"; `MoneyError` when it is not one.

    Spaces of every kind go (French groups thousands with a narrow no-break space). With both
    marks, the last one is the decimal mark and the other must group thousands. A comma alone
    is a decimal comma, unless the reader's language groups thousands with it and it does so
    here: "1,234" is 1234 to an English reader, and too many decimals to a French one."""
    cleaned = "".join(text.split())
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        whole, _, fraction = cleaned.rpartition(decimal)
        grouping = "." if decimal == "," else ","
        if not _grouped(whole, grouping):
            raise AmountError("amount_malformed", f"{text!r} mixes its marks.")
        cleaned = whole.replace(grouping, "") + "." + fraction
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        mark = "," if "," in cleaned else "."
        if not _grouped(cleaned, mark):
            raise AmountError("amount_malformed", f"{text!r} has a mark out of place.")
        cleaned = cleaned.replace(mark, "")
    elif "," in cleaned:
        if get_group_symbol(locale) == "," and _grouped(cleaned, ","):
            cleaned = cleaned.replace(",", "")
        else:
            cleaned = cleaned.replace(",", ".")
    return Money.parse(cleaned, currency)


def typed_count(text: str, *, locale: str) -> int | None:
    """A whole number as a shop owner types it ("12", "1 000", and "1,000" to a reader whose
    language groups thousands with a comma); None when it is not one."""
    cleaned = "".join(text.split())
    if get_group_symbol(locale) == "," and _grouped(cleaned, ","):
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[0-9]{1,7}", cleaned):
        return None
    return int(cleaned)


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
