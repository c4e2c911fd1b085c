"""The Beckn v2.0 bodies the buyer app sends, and what it reads from the sellers' answers."""

from __future__ import annotations

from typing import Any

from comptoir.apps.buyer.beckn_io import attributes
from comptoir.apps.buyer.models import BuyerOrder
from comptoir.kernel.money import Money, MoneyError


def discover_message(words: str, category: str, place: str) -> dict[str, Any]:
    intent: dict[str, Any] = {}
    if words:
        intent["textSearch"] = words
    terms = []
    if category:
        terms.append(f"@.category == '{category}'")
    if place:
        terms.append(f"@.city == '{place}'")
    if terms:
        intent["filters"] = {"type": "jsonpath", "expression": f"$[?({' && '.join(terms)})]"}
    return {"intent": intent}


def contract(
    order: BuyerOrder, *, with_id: bool = False, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "commitments": [
            {
                "id": f"line-{index}",
                "status": {"descriptor": {"code": "DRAFT"}},
                "resources": [{"id": line["resource_id"], "quantity": line["quantity"]}],
                "offer": {
                    "id": f"offer-{line['resource_id']}",
                    "resourceIds": [line["resource_id"]],
                    "provider": {
                        "id": order.provider_id,
                        "descriptor": {"name": order.provider_name},
                    },
                },
            }
            for index, line in enumerate(order.lines, start=1)
        ]
    }
    if with_id and order.contract_id:
        found["id"] = order.contract_id
    if order.fulfilment:
        found["performance"] = [
            {
                "id": "fulfilment",
                "performanceAttributes": attributes(
                    "comptoir:Fulfilment",
                    mode=order.fulfilment,
                    address=(order.buyer or {}).get("address", ""),
                ),
            }
        ]
    if order.buyer:
        found["participants"] = [
            {
                "id": "buyer",
                "descriptor": {"name": order.buyer.get("name", ""), "code": "BUYER"},
                "participantAttributes": attributes(
                    "comptoir:Person", phone=order.buyer.get("phone", "")
                ),
            }
        ]
    if order.payment_method:
        found["settlements"] = [
            {
                "id": "payment",
                "considerationId": "total",
                "status": "DRAFT",
                "settlementAttributes": attributes("comptoir:Payment", method=order.payment_method),
            }
        ]
    if order.quote and with_id:
        found["consideration"] = [
            {
                "id": "total",
                "status": {"code": "ACTIVE"},
                "considerationAttributes": attributes(
                    "comptoir:PriceSpecification",
                    price={
                        "currency": order.quote["currency"],
                        "value": Money(order.quote["total"], order.quote["currency"]).to_fixed(),
                    },
                ),
            }
        ]
    found.update(extra or {})
    return found


def _minor(price: Any) -> tuple[int, str] | None:
    if not isinstance(price, dict):
        return None
    currency, value = price.get("currency"), price.get("value")
    if not isinstance(currency, str) or not isinstance(value, str):
        return None
    try:
        money = Money.parse(value, currency)
    except MoneyError:
        return None
    return money.minor, money.currency


def quote_of(contract: dict[str, Any]) -> dict[str, Any] | None:
    """The quote in a seller's contract: lines and fees from the price breakup, and the total."""
    for consideration in contract.get("consideration") or []:
        values = (consideration or {}).get("considerationAttributes") or {}
        total = _minor(values.get("price"))
        if total is None:
            continue
        lines, fees = [], []
        for entry in values.get("breakup") or []:
            price = _minor((entry or {}).get("price"))
            if price is None:
                continue
            if entry.get("code") == "ITEM":
                lines.append(
                    {
                        "name": str(entry.get("title", ""))[:200],
                        "quantity": int(entry.get("quantity") or 1),
                        "amount": price[0],
                    }
                )
            else:
                fees.append(
                    {
                        "code": str(entry.get("code", ""))[:20],
                        "title": str(entry.get("title", ""))[:100],
                        "amount": price[0],
                    }
                )
        return {"lines": lines, "fees": fees, "total": total[0], "currency": total[1]}
    return None


def error_of(contract: dict[str, Any]) -> tuple[str, str] | None:
    error = (contract.get("contractAttributes") or {}).get("error")
    if isinstance(error, dict) and isinstance(error.get("errorCode"), str):
        return error["errorCode"][:16], str(error.get("errorMessage", ""))[:500]
    return None


def terms_of(contract: dict[str, Any]) -> dict[str, Any]:
    terms = contract.get("contractAttributes") or {}
    return {
        "return_days": terms.get("returnDays"),
        "payment_methods": [m for m in terms.get("paymentMethods") or [] if m in ("COD", "WALLET")],
        "fulfilment": [m for m in terms.get("fulfilment") or [] if m in ("PICKUP", "DELIVERY")],
    }


def payment_of(contract: dict[str, Any]) -> dict[str, Any] | None:
    for settlement in contract.get("settlements") or []:
        values = (settlement or {}).get("settlementAttributes") or {}
        method = values.get("method")
        if method in ("COD", "WALLET"):
            found: dict[str, Any] = {"method": method}
            for name in ("alias", "qr", "reference", "paymentState", "collection"):
                if isinstance(values.get(name), str):
                    found[name] = values[name][:512]
            return found
    return None


def seller_state_of(contract: dict[str, Any]) -> str | None:
    for performance in contract.get("performance") or []:
        code = ((performance or {}).get("status") or {}).get("code")
        if isinstance(code, str):
            return code.lower()[:20]
    return None
