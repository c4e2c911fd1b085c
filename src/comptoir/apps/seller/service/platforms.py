"""Seller platforms and the businesses they host: set up by the operator (commands, demo)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from comptoir.apps.seller import beckn_io
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.states import DEFAULT_RETURN_DAYS
from comptoir.apps.seller.models import Business, Platform
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.kernel import audit
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class CreatedPlatform:
    id: str
    subscriber_id: str
    unique_key_id: str
    signing_public_key: str
    encryption_public_key: str
    bpp_uri: str


def create_platform(
    seller: Seller,
    *,
    platform_id: str,
    name: str,
    subscriber_id: str,
    registry_url: str,
    gateway_url: str,
    service_fee: int = 0,
    currency: str = "XCD",
    actor: str = "operator:cli",
) -> CreatedPlatform:
    """A new platform with its own Ed25519 key; the operator then registers the subscriber id,
    key and `bpp_uri` with the network registry."""
    if not _SLUG.fullmatch(platform_id):
        raise SellerError(
            "platform_id", lazy("A platform id is lowercase letters, digits and hyphens.")
        )
    public_key, encryption_key = beckn_io.create_keys(seller.keys_dir, platform_id)
    unique_key_id = f"{platform_id}-k1"
    with seller.database.transaction() as session:
        if session.get(Platform, platform_id) is not None:
            raise SellerError("platform_exists", lazy("This platform already exists."))
        session.add(
            Platform(
                id=platform_id,
                name=name,
                subscriber_id=subscriber_id,
                unique_key_id=unique_key_id,
                registry_url=registry_url.rstrip("/"),
                gateway_url=gateway_url.rstrip("/"),
                currency=currency,
                service_fee=service_fee,
                created_at=seller.clock.now(),
            )
        )
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="seller.platform.created",
            subject=platform_id,
            details={"subscriber_id": subscriber_id},
            clock=seller.clock,
        )
    return CreatedPlatform(
        platform_id,
        subscriber_id,
        unique_key_id,
        public_key,
        encryption_key,
        seller.bpp_uri(platform_id),
    )


def list_platforms(seller: Seller) -> list[Platform]:
    with seller.database.reading() as session:
        return list(session.scalars(select(Platform).order_by(Platform.name)))


def add_business(
    seller: Seller,
    *,
    platform_id: str,
    slug: str,
    name: str,
    phone: str,
    city: str,
    description: str,
    payment_alias: str | None = None,
    cash_on_delivery: bool = True,
    pickup: bool = True,
    delivery: bool = True,
    delivery_fee: int = 0,
    return_days: int = DEFAULT_RETURN_DAYS,
    actor: str = "operator:cli",
) -> uuid.UUID:
    if not _SLUG.fullmatch(slug):
        raise SellerError("slug", lazy("A business id is lowercase letters, digits and hyphens."))
    if not (pickup or delivery):
        raise SellerError("fulfilment", lazy("Offer pickup, delivery or both."))
    if delivery_fee < 0 or return_days < 0:
        raise SellerError("fee", lazy("Fees and return days cannot be negative."))
    with seller.database.transaction() as session:
        get_platform(session, platform_id)
        business_id = new_id()
        session.add(
            Business(
                id=business_id,
                platform_id=platform_id,
                slug=slug,
                name=name,
                phone=phone,
                city=city,
                description=description,
                payment_alias=payment_alias,
                cash_on_delivery=cash_on_delivery,
                pickup=pickup,
                delivery=delivery,
                delivery_fee=delivery_fee,
                return_days=return_days,
                credential=None,
                verified=False,
                created_at=seller.clock.now(),
            )
        )
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="seller.business.added",
            subject=f"{platform_id}/{slug}",
            clock=seller.clock,
        )
    return business_id
