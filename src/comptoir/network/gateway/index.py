"""The gateway's catalogue index, fed by catalog/publish and searched by discover.

A published catalogue replaces the one the same seller platform published under the same id.
Each resource is one row with its lowercased search text (name, descriptions, code, and the
category values of its attributes); discover matches every word of the query as a substring,
filtered by the domain and the place the catalogue was published for.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from comptoir.kernel.beckn.models import Catalog as CatalogModel
from comptoir.kernel.beckn.models import CatalogProcessingResult
from comptoir.kernel.clock import Clock
from comptoir.kernel.ids import new_id
from comptoir.network.models import Catalog, CatalogItem

MAX_TERMS: Final = 8
MAX_RESULTS: Final = 500
PER_CATALOG: Final = 50
_WORD: Final = re.compile(r"\w+", re.UNICODE)
_CATEGORY_KEYS: Final = ("category", "categories", "categoryId", "categoryIds", "tags", "keywords")


def search_text(resource: dict[str, Any]) -> str:
    parts: list[str] = [str(resource.get("id", ""))]
    descriptor = resource.get("descriptor") or {}
    for name in ("name", "code", "shortDesc", "longDesc"):
        value = descriptor.get(name)
        if isinstance(value, str):
            parts.append(value)
    attributes = resource.get("resourceAttributes") or {}
    for name in _CATEGORY_KEYS:
        parts.extend(_strings(attributes.get(name)))
    return " ".join(parts).lower()


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for element in value:
            yield from _strings(element)
    elif isinstance(value, dict):
        for element in value.values():
            yield from _strings(element)


def publish(
    session: Session,
    *,
    clock: Clock,
    bpp_id: str,
    bpp_uri: str,
    catalogs: Sequence[CatalogModel],
    domain: str | None,
    city: str | None,
    country: str | None,
) -> list[CatalogProcessingResult]:
    now = clock.now()
    results: list[CatalogProcessingResult] = []
    for catalog in catalogs:
        document = catalog.model_dump(mode="json", by_alias=True, exclude_none=True)
        if document.get("bppId", bpp_id) != bpp_id:
            results.append(
                CatalogProcessingResult.model_validate(
                    {
                        "catalogId": catalog.id,
                        "status": "REJECTED",
                        "errors": [{"errorCode": "BAD_REQUEST",
                                    "errorMessage": "bppId is not the publisher's"}],
                    }
                )
            )  # fmt: skip
            continue
        existing = session.scalar(
            select(Catalog.id).where(Catalog.bpp_id == bpp_id, Catalog.catalog_id == catalog.id)
        )
        if existing is not None:
            session.execute(delete(CatalogItem).where(CatalogItem.catalog_id == existing))
            session.execute(delete(Catalog).where(Catalog.id == existing))
        resources: list[dict[str, Any]] = document.pop("resources", None) or []
        offers: list[dict[str, Any]] = document.pop("offers", None) or []
        document.setdefault("bppId", bpp_id)
        document.setdefault("bppUri", bpp_uri)
        row = Catalog(
            id=new_id(),
            bpp_id=bpp_id,
            bpp_uri=bpp_uri,
            catalog_id=catalog.id,
            domain=domain,
            city=city,
            country=country,
            header=document,
            published_at=now,
        )
        session.add(row)
        session.flush()
        if not resources:
            # A catalogue of offers only: each offer is what a buyer finds.
            resources = [{"id": offer["id"], **offer} for offer in offers]
        covering: dict[str, list[dict[str, Any]]] = {}
        for offer in offers:
            for resource_id in offer.get("resourceIds") or [offer["id"]]:
                covering.setdefault(resource_id, []).append(offer)
        session.add_all(
            CatalogItem(
                id=new_id(),
                catalog_id=row.id,
                resource_id=str(resource["id"]),
                search_text=search_text(resource),
                resource=resource,
                offers=covering.get(str(resource["id"]), []),
            )
            for resource in resources
        )
        results.append(
            CatalogProcessingResult.model_validate(
                {
                    "catalogId": catalog.id,
                    "status": "ACCEPTED",
                    "stats": {"itemCount": len(resources), "providerCount": 1},
                }
            )
        )
    return results


def indexed_sellers(session: Session, bpp_ids: Iterable[str]) -> set[str]:
    wanted = list(bpp_ids)
    if not wanted:
        return set()
    found = session.scalars(select(Catalog.bpp_id).where(Catalog.bpp_id.in_(wanted)).distinct())
    return set(found)


def search(
    session: Session,
    *,
    text: str,
    bpp_ids: Iterable[str],
    city: str | None,
    limit: int = MAX_RESULTS,
    per_catalog: int = PER_CATALOG,
) -> list[dict[str, Any]]:
    """The catalogues of these sellers with the resources matching every word of `text`
    (all of them when `text` is empty), each with the offers that cover them."""
    wanted = list(bpp_ids)
    if not wanted:
        return []
    # Every seller gets its share of the answer: at most `per_catalog` resources from each
    # catalogue (numbered within it), so one large catalogue cannot crowd the others out.
    rank = (
        func.row_number()
        .over(partition_by=CatalogItem.catalog_id, order_by=CatalogItem.resource_id)
        .label("rank")
    )
    matching = (
        select(CatalogItem.id, rank)
        .join(Catalog, CatalogItem.catalog_id == Catalog.id)
        .where(Catalog.bpp_id.in_(wanted))
    )
    if city is not None:
        matching = matching.where(Catalog.city.is_(None) | Catalog.city.in_([city, "*"]))
    for term in _WORD.findall(text.lower())[:MAX_TERMS]:
        matching = matching.where(CatalogItem.search_text.contains(term, autoescape=True))
    ranked = matching.subquery()
    query = (
        select(Catalog, CatalogItem)
        .join(CatalogItem, CatalogItem.catalog_id == Catalog.id)
        .join(ranked, ranked.c.id == CatalogItem.id)
        .where(ranked.c.rank <= per_catalog)
        .order_by(Catalog.bpp_id, Catalog.catalog_id, CatalogItem.resource_id)
        .limit(limit)
    )
    catalogs: dict[uuid.UUID, dict[str, Any]] = {}
    for catalog, item in session.execute(query):
        entry = catalogs.get(catalog.id)
        if entry is None:
            entry = {**catalog.header, "resources": [], "offers": []}
            catalogs[catalog.id] = entry
        entry["resources"].append(item.resource)
        known = {offer["id"] for offer in entry["offers"]}
        entry["offers"].extend(offer for offer in item.offers if offer["id"] not in known)
    for entry in catalogs.values():
        if not entry["offers"]:
            del entry["offers"]
    return list(catalogs.values())
