"""Searching the network: one `discover` through the gateway, the catalogues every seller
platform sends back (`on_discover`), merged and ranked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from comptoir.apps.buyer import beckn_io
from comptoir.apps.buyer.domain import Candidate, rank
from comptoir.apps.buyer.models import Result, Search
from comptoir.apps.buyer.service.context import AppView, Buyer
from comptoir.apps.buyer.service.messages import discover_message
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money, MoneyError

MAX_RESULTS_PER_SEARCH = 500


def start_search(
    buyer: Buyer, *, app: AppView, words: str, category: str, place: str
) -> tuple[uuid.UUID, dict[str, Any]]:
    """Record a search and return the `discover` body to send to the gateway."""
    now = buyer.clock.now()
    search_id = uuid.uuid4()
    with buyer.database.transaction() as session:
        session.add(
            Search(
                id=search_id,
                app_id=app.id,
                words=words[:200],
                category=category[:32],
                place=place[:100],
                created_at=now,
                deadline=now + timedelta(seconds=buyer.search_seconds),
            )
        )
    seconds = max(1, round(buyer.search_seconds))
    body = {
        "context": beckn_io.context(
            action="discover",
            bap_id=app.subscriber_id,
            bap_uri=buyer.bap_uri,
            transaction_id=str(uuid.uuid4()),
            message_id=str(search_id),
            ttl=f"PT{seconds}S",
            clock=buyer.clock,
        ),
        "message": discover_message(words, category, place),
    }
    return search_id, body


def _price(offer: dict[str, Any]) -> tuple[int, str] | None:
    for consideration in offer.get("considerations") or []:
        price = ((consideration or {}).get("considerationAttributes") or {}).get("price") or {}
        try:
            money = Money.parse(str(price.get("value")), str(price.get("currency")))
        except MoneyError:
            continue
        return money.minor, money.currency
    return None


def record_catalogs(
    buyer: Buyer, *, search_id: str, bpp_id: str, bpp_uri: str, catalogs: list[dict[str, Any]]
) -> int:
    """Keep what a seller platform offers for a search still open; returns how many items."""
    try:
        key = uuid.UUID(search_id)
    except ValueError:
        return 0
    now = buyer.clock.now()
    kept = 0
    with buyer.database.transaction() as session:
        search = session.get(Search, key)
        if search is None:
            return 0
        already = len(session.scalars(select(Result.id).where(Result.search_id == key)).all())
        for catalog in catalogs:
            provider = catalog.get("provider") or {}
            details = provider.get("providerAttributes") or {}
            prices = {}
            for offer in catalog.get("offers") or []:
                price = _price(offer)
                for resource_id in offer.get("resourceIds") or []:
                    if price is not None:
                        prices[resource_id] = price
            for resource in catalog.get("resources") or []:
                if already + kept >= MAX_RESULTS_PER_SEARCH:
                    break
                price = prices.get(resource.get("id"))
                if price is None:
                    continue
                descriptor = resource.get("descriptor") or {}
                values = resource.get("resourceAttributes") or {}
                available = values.get("available")
                session.add(
                    Result(
                        id=new_id(),
                        search_id=key,
                        bpp_id=(catalog.get("bppId") or bpp_id)[:200],
                        bpp_uri=(catalog.get("bppUri") or bpp_uri)[:500],
                        provider_id=str(provider.get("id", ""))[:64],
                        provider_name=str((provider.get("descriptor") or {}).get("name", ""))[:200],
                        verified=details.get("verified") is True,
                        city=str(details.get("city", ""))[:100],
                        resource_id=str(resource.get("id", ""))[:64],
                        name=str(descriptor.get("name", ""))[:200],
                        description=str(descriptor.get("shortDesc", ""))[:1000],
                        category=str(values.get("category", ""))[:32],
                        price=price[0],
                        currency=price[1],
                        available=available
                        if isinstance(available, int) and not isinstance(available, bool)
                        else 0,
                        age_restricted=values.get("ageRestricted") is True,
                        received_at=now,
                    )
                )
                kept += 1
    return kept


@dataclass(frozen=True)
class SearchView:
    id: uuid.UUID
    words: str
    category: str
    place: str
    results: list[Result]
    sellers: int


def search_results(buyer: Buyer, *, search_id: uuid.UUID) -> SearchView | None:
    with buyer.database.reading() as session:
        search = session.get(Search, search_id)
        if search is None:
            return None
        results = list(session.scalars(select(Result).where(Result.search_id == search_id)))
    candidates = [
        Candidate(
            result.name, result.description, result.provider_name, result.price, result.verified
        )
        for result in results
    ]
    ordered = [results[index] for index in rank(candidates, search.words.split())]
    return SearchView(
        search.id,
        search.words,
        search.category,
        search.place,
        ordered,
        len({result.bpp_id for result in results}),
    )


def get_result(buyer: Buyer, *, result_id: uuid.UUID) -> Result | None:
    with buyer.database.reading() as session:
        return session.get(Result, result_id)
