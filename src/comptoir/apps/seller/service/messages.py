"""Beckn v2.0 message bodies a seller platform sends, and what it reads from a buyer's.

Catalogues follow the v2.0 `Catalog` (one per business: its provider, resources and offers);
orders travel as a v2.0 `Contract`: commitments (the items), consideration (the price, with
every line and fee in its breakup), performance (pickup or delivery) and settlements (how it
is paid). Amounts on the wire are decimal strings in major units ("12.50") with the currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import phonenumbers

from comptoir.apps.seller.beckn_io import ATTRIBUTES_CONTEXT
from comptoir.apps.seller.domain import errors as codes
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.pricing import Fulfilment, PaymentMethod, Quote
from comptoir.apps.seller.domain.states import CONTRACT_STATUS, OrderState
from comptoir.apps.seller.models import Business, Item, Order, Platform
from comptoir.apps.seller.service.orders import Wanted
from comptoir.kernel.emvco_qr import AdditionalData, MerchantAccount, MerchantQr, encode
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money, MoneyError


def attributes(kind: str, **values: Any) -> dict[str, Any]:
    return {"@context": ATTRIBUTES_CONTEXT, "@type": kind, **values}


def amount(money: Money) -> dict[str, str]:
    return {"currency": money.currency, "value": money.to_fixed()}


def provider_json(platform: Platform, business: Business) -> dict[str, Any]:
    provider: dict[str, Any] = {
        "id": str(business.id),
        "descriptor": {"name": business.name, "shortDesc": business.description[:200]},
    }
    location = _location(business)
    if location is not None:
        provider["availableAt"] = [location]
    return provider | {
        "providerAttributes": attributes(
            "comptoir:Business",
            city=business.city,
            verified=business.verified,
            fulfilment=[
                mode
                for mode, offered in (("PICKUP", business.pickup), ("DELIVERY", business.delivery))
                if offered
            ],
            deliveryFee=amount(Money(business.delivery_fee, platform.currency)),
            returnDays=business.return_days,
            cashOnDelivery=business.cash_on_delivery,
        ),
    }


# A country's capital as (longitude, latitude), for the Eastern Caribbean and its neighbours.
# A business records its town, not a map point, and Beckn's Location requires a geometry: the
# point says which island, the address names the town. The country is read from the owner's
# phone number, which every business has (its area code is its island's).
_CAPITALS: dict[str, tuple[float, float]] = {
    "AG": (-61.85, 17.12),
    "AI": (-63.05, 18.22),
    "BB": (-59.62, 13.10),
    "DM": (-61.39, 15.30),
    "GD": (-61.75, 12.05),
    "GP": (-61.73, 16.00),
    "KN": (-62.72, 17.30),
    "LC": (-60.98, 14.01),
    "MQ": (-61.07, 14.60),
    "MS": (-62.21, 16.79),
    "TT": (-61.52, 10.66),
    "VC": (-61.23, 13.16),
    "VG": (-64.62, 18.43),
}


def business_country(business: Business) -> str | None:
    """The ISO 3166 code of the business's country, from its owner's phone; None if unknown."""
    try:
        number = phonenumbers.parse(business.phone, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region and region != "ZZ" else None


def _location(business: Business) -> dict[str, Any] | None:
    country = business_country(business)
    if country is None or country not in _CAPITALS:
        return None  # a wrong point would mislead a buyer's search more than none
    return {
        "geo": {"type": "Point", "coordinates": list(_CAPITALS[country])},
        "address": {"addressLocality": business.city, "addressCountry": country},
    }


def catalog_json(
    platform: Platform, business: Business, items: Sequence[Item], bpp_uri: str, thumbnail_url: str
) -> dict[str, Any]:
    return {
        "id": f"{platform.id}:{business.slug}",
        "bppId": platform.subscriber_id,
        "bppUri": bpp_uri,
        "descriptor": {"name": business.name},
        "provider": provider_json(platform, business),
        "resources": [
            {
                "id": str(item.id),
                "descriptor": {
                    "name": item.name,
                    "shortDesc": item.description[:300],
                    **(
                        {"thumbnailImage": thumbnail_url.format(item=item.id)}
                        if item.thumbnail
                        else {}
                    ),
                },
                "resourceAttributes": attributes(
                    "comptoir:Product",
                    category=item.category,
                    available=item.stock,
                    returnable=item.returnable,
                    ageRestricted=item.age_restricted,
                    variants=list(item.variants),
                ),
            }
            for item in items
        ],
        "offers": [
            {
                "id": f"offer-{item.id}",
                "resourceIds": [str(item.id)],
                "considerations": [
                    {
                        "id": f"price-{item.id}",
                        "status": {"code": "ACTIVE"},
                        "considerationAttributes": attributes(
                            "comptoir:PriceSpecification",
                            price=amount(Money(item.price, item.currency)),
                        ),
                    }
                ],
            }
            for item in items
        ],
    }


FEE_TITLES = {"DELIVERY": "Delivery fee", "SERVICE": "Platform service fee"}


def consideration_json(quote: Quote, status: str) -> list[dict[str, Any]]:
    breakup: list[dict[str, Any]] = [
        {
            "code": "ITEM",
            "itemId": line.item_id,
            "title": line.name,
            "quantity": line.quantity,
            "unitPrice": amount(line.unit_price),
            "price": amount(line.total),
        }
        for line in quote.lines
    ]
    breakup += [
        {"code": fee.code, "title": FEE_TITLES.get(fee.code, fee.code), "price": amount(fee.amount)}
        for fee in quote.fees
    ]
    return [
        {
            "id": "total",
            "status": {"code": status},
            "considerationAttributes": attributes(
                "comptoir:PriceSpecification", price=amount(quote.total), breakup=breakup
            ),
        }
    ]


def contract_json(
    *,
    platform: Platform,
    business: Business,
    quote: Quote,
    order: Order | None,
    track_url: str | None = None,
) -> dict[str, Any]:
    state = OrderState(order.state) if order is not None else OrderState.DRAFT
    contract: dict[str, Any] = {
        "descriptor": {"name": business.name},
        "status": {"code": CONTRACT_STATUS[state]},
        "commitments": [
            {
                "id": f"line-{index}",
                "status": {
                    "descriptor": {"code": "ACTIVE" if state != OrderState.DRAFT else "DRAFT"}
                },
                "resources": [
                    {
                        "id": line.item_id,
                        "quantity": line.quantity,
                        "descriptor": {"name": line.name},
                    }
                ],
                "offer": {
                    "id": f"offer-{line.item_id}",
                    "resourceIds": [line.item_id],
                    "provider": {"id": str(business.id), "descriptor": {"name": business.name}},
                },
            }
            for index, line in enumerate(quote.lines, start=1)
        ],
        "consideration": consideration_json(
            quote, "ACTIVE" if state != OrderState.DRAFT else "DRAFT"
        ),
        "participants": [
            {
                "id": str(business.id),
                "descriptor": {"name": business.name, "code": "SELLER"},
                "participantAttributes": attributes(
                    "comptoir:Business",
                    city=business.city,
                    verified=business.verified,
                    phone=business.phone,
                ),
            }
        ],
        "contractAttributes": attributes(
            "comptoir:Terms",
            returnDays=business.return_days,
            cancellable="until the order leaves the shop",
            paymentMethods=[
                method
                for method, offered in (
                    ("COD", business.cash_on_delivery),
                    ("WALLET", business.payment_alias is not None),
                )
                if offered
            ],
            fulfilment=[
                mode
                for mode, offered in (("PICKUP", business.pickup), ("DELIVERY", business.delivery))
                if offered
            ],
        ),
    }
    if order is not None:
        contract["id"] = str(order.id)
        contract["performance"] = [
            {
                "id": "fulfilment",
                "status": {"code": state.value.upper()},
                "performanceAttributes": attributes(
                    "comptoir:Fulfilment",
                    mode=order.fulfilment,
                    address=order.buyer.get("address", ""),
                    **({"trackingUrl": track_url} if track_url else {}),
                ),
            }
        ]
        contract["settlements"] = [settlement_json(platform, business, order)]
    return contract


def settlement_json(platform: Platform, business: Business, order: Order) -> dict[str, Any]:
    values: dict[str, Any] = {
        "method": order.payment_method,
        "amount": amount(Money(order.total, order.currency)),
    }
    if order.payment_method == PaymentMethod.WALLET and business.payment_alias:
        values["alias"] = business.payment_alias
        values["reference"] = str(order.id)[-25:]
        values["qr"] = payment_qr(business, Money(order.total, order.currency), str(order.id))
    return {
        "id": "payment",
        "considerationId": "total",
        "status": "DRAFT" if order.state == OrderState.DRAFT else "COMMITTED",
        "settlementAttributes": attributes("comptoir:Payment", **values),
    }


def payment_qr(business: Business, total: Money, reference: str) -> str:
    """A dynamic EMVCo merchant QR for this order: the business's alias, amount, reference."""
    assert business.payment_alias is not None
    qr = MerchantQr(
        account=MerchantAccount(alias=business.payment_alias),
        merchant_name=_ascii(business.name, "Shop")[:25].strip(),
        merchant_city=_ascii(business.city, "Saint Lucia")[:15].strip(),
        country="LC",
        currency=total.currency,
        amount=total,
        point_of_initiation=None,
        additional_data=AdditionalData(reference_label=reference[-25:]),
    )
    return encode(qr)


def _ascii(text: str, fallback: str) -> str:
    import unicodedata

    # EMVCo's character set is printable ASCII: accents are dropped, anything else removed.
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in flat if " " <= ch <= "~").strip() or fallback


# What the seller reads from a buyer's contract


def _refuse(detail: str) -> SellerError:
    return SellerError(
        codes.BAD_REQUEST, lazy("The request is not a valid order: {detail}.", detail=detail)
    )


def wanted_of(contract: dict[str, Any]) -> list[Wanted]:
    wanted: list[Wanted] = []
    commitments = contract.get("commitments")
    if not isinstance(commitments, list) or not commitments:
        raise _refuse("no commitments")
    for commitment in commitments:
        for resource in (commitment or {}).get("resources") or []:
            quantity = resource.get("quantity")
            if isinstance(quantity, dict):
                quantity = quantity.get("count")
            if (
                not isinstance(resource.get("id"), str)
                or not isinstance(quantity, int)
                or isinstance(quantity, bool)
            ):
                raise _refuse("each resource needs an id and a whole quantity")
            wanted.append(Wanted(resource["id"], quantity))
    if not wanted:
        raise _refuse("no resources")
    return wanted


def fulfilment_of(contract: dict[str, Any]) -> Fulfilment:
    for performance in contract.get("performance") or []:
        mode = ((performance or {}).get("performanceAttributes") or {}).get("mode")
        if mode in ("PICKUP", "DELIVERY"):
            return Fulfilment(mode)
    return Fulfilment.PICKUP


def address_of(contract: dict[str, Any]) -> str:
    for performance in contract.get("performance") or []:
        address = ((performance or {}).get("performanceAttributes") or {}).get("address")
        if isinstance(address, str):
            return address[:300]
    return ""


def payment_method_of(contract: dict[str, Any]) -> PaymentMethod:
    for settlement in contract.get("settlements") or []:
        method = ((settlement or {}).get("settlementAttributes") or {}).get("method")
        if method in ("COD", "WALLET"):
            return PaymentMethod(method)
    return PaymentMethod.CASH_ON_DELIVERY


def buyer_of(contract: dict[str, Any]) -> dict[str, Any]:
    for participant in contract.get("participants") or []:
        descriptor = (participant or {}).get("descriptor") or {}
        if descriptor.get("code") == "BUYER":
            details = participant.get("participantAttributes") or {}
            return {
                "name": str(descriptor.get("name", ""))[:128],
                "phone": str(details.get("phone", ""))[:20],
                "address": address_of(contract),
            }
    return {"name": "", "phone": "", "address": address_of(contract)}


def agreed_total_of(contract: dict[str, Any], currency: str) -> int | None:
    for consideration in contract.get("consideration") or []:
        price = ((consideration or {}).get("considerationAttributes") or {}).get("price") or {}
        if isinstance(price.get("value"), str) and price.get("currency") == currency:
            try:
                return Money.parse(price["value"], currency).minor
            except MoneyError:
                raise _refuse("the agreed price is not an amount") from None
    return None
