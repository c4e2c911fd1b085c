"""The buyer app's rules: ranking search results, cart lines, and what each refusal means."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from comptoir.kernel.i18n import N_
from comptoir.kernel.phones import e164_phone

MAX_QUANTITY: Final = 99

# What a seller's Beckn error code means for the shopper (ONDC's retail error registry).
REFUSALS: Final[dict[str, str]] = {
    "40002": N_(
        "Sorry, an item in this order is out of stock now. "
        "Change the quantity or remove it, then get a new quote."
    ),
    "40003": N_(
        "The price changed since your quote. Get a new quote to see the new price before you order."
    ),
    "30004": N_("An item in this order is no longer sold."),
    "30008": N_("The seller does not offer this way of getting your order."),
    "30009": N_("This order can no longer be cancelled: it has left the shop."),
    "30010": N_(
        "This order cannot be returned: it is not delivered yet, "
        "the return period is over, or the goods cannot be returned."
    ),
    "30001": N_("The seller does not know this order."),
}
UNKNOWN_REFUSAL: Final = N_("The seller refused this request.")


def contact_phone(text: str) -> str | None:
    """The shopper's phone number in E.164 (`+17585550101`), or None when it cannot be one.

    The seller calls it and a request to pay is sent to it, so it must be a number anyone can
    dial: international, or as the node's country writes it ("758 555 0101"; `kernel.phones`).
    A possible number is enough (the demo's 555 numbers are not assigned ones).
    """
    return e164_phone(text)


@dataclass(frozen=True)
class Candidate:
    """A search result, as much as ranking needs."""

    name: str
    description: str
    provider_name: str
    price: int
    verified: bool


def score(candidate: Candidate, words: Sequence[str]) -> int:
    """Words in the name count most, then in the description or the shop's name; a verified
    business gets a small lift."""
    name = candidate.name.lower()
    other = f"{candidate.description} {candidate.provider_name}".lower()
    total = 0
    for word in words:
        if word in name:
            total += 3
        elif word in other:
            total += 1
    return total * 10 + (1 if candidate.verified else 0)


def rank(candidates: Sequence[Candidate], words: Sequence[str]) -> list[int]:
    """The candidates' indexes, best first: by score, then cheapest, then by name."""
    lowered = [word.lower() for word in words]
    return sorted(
        range(len(candidates)),
        key=lambda index: (
            -score(candidates[index], lowered),
            candidates[index].price,
            candidates[index].name,
        ),
    )


@dataclass(frozen=True)
class CartLine:
    resource_id: str
    name: str
    quantity: int
    unit_price: int
    currency: str
    age_restricted: bool = False  # the seller sells it to adults only


def add_line(lines: Sequence[CartLine], new: CartLine) -> list[CartLine]:
    """The cart with `new` added: the same item's quantities add up, capped at MAX_QUANTITY."""
    if not 1 <= new.quantity <= MAX_QUANTITY:
        raise ValueError("quantity")
    result: list[CartLine] = []
    merged = False
    for line in lines:
        if line.resource_id == new.resource_id:
            quantity = min(line.quantity + new.quantity, MAX_QUANTITY)
            result.append(
                CartLine(
                    line.resource_id,
                    line.name,
                    quantity,
                    new.unit_price,
                    line.currency,
                    line.age_restricted or new.age_restricted,
                )
            )
            merged = True
        else:
            result.append(line)
    if not merged:
        result.append(new)
    return result


def set_quantity(lines: Sequence[CartLine], resource_id: str, quantity: int) -> list[CartLine]:
    """The cart with one line's quantity changed; 0 removes the line."""
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValueError("quantity")
    return [
        CartLine(
            line.resource_id,
            line.name,
            quantity,
            line.unit_price,
            line.currency,
            line.age_restricted,
        )
        if line.resource_id == resource_id
        else line
        for line in lines
        if line.resource_id != resource_id or quantity > 0
    ]
