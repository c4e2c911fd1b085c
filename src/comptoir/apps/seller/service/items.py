"""A business's items: add, change, photograph, list; and the search behind `discover`."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business, Item
from comptoir.apps.seller.service.context import Seller, get_business, get_platform
from comptoir.kernel.i18n import LazyText, current_locale, lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import (
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    Money,
    MoneyError,
    format_money,
    too_precise,
    typed_amount,
    typed_count,
)
from comptoir.kernel.text import typed_text

CATEGORIES = ("produce", "spices", "crafts", "clothing", "tourism")
THUMBNAIL_PIXELS = 96
MAX_PHOTO_BYTES = 5_000_000
MAX_STOCK = 1_000_000
# Each variant is a choice the buyer app lists under the item; past a dozen the list no longer
# fits a small phone's screen.
MAX_VARIANTS = 12
# XCD 1,000,000.00: more than any item of a small shop costs, so a slip of the finger (a
# price typed twice over) is caught, and a quote of 99 of them stays far inside a BIGINT.
MAX_PRICE = 100_000_000


@dataclass(frozen=True)
class ItemInput:
    name: str
    description: str
    category: str
    price: str  # as typed: "12.50"
    stock: str
    returnable: bool
    variants: str  # comma-separated: "S, M, L"
    age_restricted: bool = False  # sold to adults only (rum, tobacco)


def _price_problem(typed: str, currency: str) -> LazyText | int:
    """The price in minor units, or what is wrong with it."""
    try:
        price = typed_amount(typed, currency, locale=current_locale())
    except AmountTooPrecise:
        return too_precise(typed, currency)
    except AmountTooLarge:
        return _too_high(currency)
    except AmountNegative:
        return lazy("The price must be more than zero.")
    except MoneyError:
        return lazy("Write the price like 12.50.")
    if not price.is_positive():
        return lazy("The price must be more than zero.")
    if price.minor > MAX_PRICE:
        return _too_high(currency)
    return price.minor


def _too_high(currency: str) -> LazyText:
    ceiling = format_money(Money(MAX_PRICE, currency), current_locale())
    return lazy("The price is at most {limit}.", limit=ceiling)


def _checked(form: ItemInput, currency: str) -> tuple[str, str, str, int, int, list[str]]:
    """The item's fields as stored; every field's problem at once (`SellerError.fields`)."""
    problems: dict[str, LazyText] = {}
    name = typed_text(form.name).strip()
    if not 1 <= len(name) <= 200:
        problems["name"] = lazy("Give the item a name (up to 200 characters).")
    if form.category not in CATEGORIES:
        problems["category"] = lazy("Choose a category.")
    price = _price_problem(form.price, currency)
    if isinstance(price, LazyText):
        problems["price"] = price
    stock = typed_count(form.stock, locale=current_locale())
    if stock is None or stock > MAX_STOCK:
        problems["stock"] = lazy("Write the stock as a whole number, 0 or more.")
    variants = [part.strip() for part in typed_text(form.variants).split(",") if part.strip()]
    if len(variants) > MAX_VARIANTS:
        problems["variants"] = lazy(
            "An item has at most {limit} variants; you wrote {count}.",
            limit=MAX_VARIANTS,
            count=len(variants),
        )
    if problems or isinstance(price, LazyText) or stock is None:
        field, text = next(iter(problems.items()))
        raise SellerError(field, text, problems)
    return (
        name,
        typed_text(form.description).strip()[:2000],
        form.category,
        price,
        stock,
        variants,
    )


def item_problems(form: ItemInput, currency: str) -> dict[str, LazyText]:
    """What is wrong with each field of an item as typed, as adding it would say; {} if
    nothing is."""
    try:
        _checked(form, currency)
    except SellerError as error:
        return error.fields
    return {}


def add_item(
    seller: Seller, *, platform_id: str, business_id: uuid.UUID, form: ItemInput
) -> uuid.UUID:
    return add_items(seller, platform_id=platform_id, business_id=business_id, forms=[form])[0]


def add_items(
    seller: Seller, *, platform_id: str, business_id: uuid.UUID, forms: Sequence[ItemInput]
) -> list[uuid.UUID]:
    """Add items in one transaction: all of them, or none if one is wrong."""
    added: list[uuid.UUID] = []
    with seller.database.transaction() as session:
        get_business(session, platform_id, business_id)
        # Items are priced in the platform's currency, as its quotes and fees are.
        currency = get_platform(session, platform_id).currency
        for form in forms:
            added.append(_add(session, seller, business_id, form, currency))
    return added


def _add(
    session: Session, seller: Seller, business_id: uuid.UUID, form: ItemInput, currency: str
) -> uuid.UUID:
    name, description, category, price, stock, variants = _checked(form, currency)
    item_id = new_id()
    session.add(
        Item(
            id=item_id,
            business_id=business_id,
            name=name,
            description=description,
            category=category,
            price=price,
            currency=currency,
            stock=stock,
            returnable=form.returnable,
            age_restricted=form.age_restricted,
            variants=variants,
            thumbnail=None,
            active=True,
            updated_at=seller.clock.now(),
        )
    )
    return item_id


def change_item(
    seller: Seller,
    *,
    platform_id: str,
    business_id: uuid.UUID,
    item_id: uuid.UUID,
    form: ItemInput,
) -> None:
    with seller.database.transaction() as session:
        get_business(session, platform_id, business_id)
        item = _item(session, business_id, item_id)
        name, description, category, price, stock, variants = _checked(form, item.currency)
        item.name, item.description, item.category = name, description, category
        item.price, item.stock, item.variants = price, stock, variants
        item.returnable = form.returnable
        item.age_restricted = form.age_restricted
        item.updated_at = seller.clock.now()


def _item(session: Session, business_id: uuid.UUID, item_id: uuid.UUID) -> Item:
    found = session.get(Item, item_id)
    if found is None or found.business_id != business_id:
        raise SellerError("unknown_item", lazy("There is no such item."))
    return found


def thumbnail_of(photo: bytes) -> bytes:
    """A small JPEG (at most 96 px a side) of an uploaded photo; anything else is refused."""
    from PIL import Image, UnidentifiedImageError

    if len(photo) > MAX_PHOTO_BYTES:
        raise SellerError("photo", lazy("The photo is too large (5 MB at most)."))
    try:
        with Image.open(io.BytesIO(photo)) as image:
            image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=70)
    except (UnidentifiedImageError, OSError, ValueError):
        raise SellerError("photo", lazy("This file is not a photo we can read.")) from None
    return out.getvalue()


def set_photo(
    seller: Seller, *, platform_id: str, business_id: uuid.UUID, item_id: uuid.UUID, photo: bytes
) -> None:
    thumbnail = thumbnail_of(photo)
    with seller.database.transaction() as session:
        get_business(session, platform_id, business_id)
        item = _item(session, business_id, item_id)
        item.thumbnail = thumbnail
        item.updated_at = seller.clock.now()


def thumbnail(seller: Seller, *, platform_id: str, item_id: uuid.UUID) -> bytes | None:
    with seller.database.reading() as session:
        row = session.execute(
            select(Item.thumbnail, Business.platform_id)
            .join(Business, Business.id == Item.business_id)
            .where(Item.id == item_id)
        ).first()
    if row is None or row[1] != platform_id:
        return None
    return row[0]


def business_items(seller: Seller, *, business_id: uuid.UUID) -> list[Item]:
    with seller.database.reading() as session:
        return list(
            session.scalars(select(Item).where(Item.business_id == business_id).order_by(Item.name))
        )


def get_item(seller: Seller, *, business_id: uuid.UUID, item_id: uuid.UUID) -> Item:
    with seller.database.reading() as session:
        return _item(session, business_id, item_id)


@dataclass(frozen=True)
class Match:
    business: Business
    items: Sequence[Item]


def search(
    seller: Seller,
    *,
    platform_id: str,
    words: str,
    category: str | None,
    place: str | None,
    limit: int = 40,
) -> list[Match]:
    """Items of this platform matching every word (in name, description or business), the
    category and the town; grouped by business."""
    query = (
        select(Item, Business)
        .join(Business, Business.id == Item.business_id)
        .where(Business.platform_id == platform_id, Item.active.is_(True))
    )
    for word in words.lower().split()[:8]:
        pattern = f"%{word}%"
        query = query.where(
            or_(
                func.lower(Item.name).like(pattern),
                func.lower(Item.description).like(pattern),
                func.lower(Business.name).like(pattern),
            )
        )
    if category:
        query = query.where(Item.category == category)
    if place:
        query = query.where(func.lower(Business.city) == place.lower())
    with seller.database.reading() as session:
        rows = session.execute(query.order_by(Item.name).limit(limit)).all()
    grouped: dict[uuid.UUID, tuple[Business, list[Item]]] = {}
    for item, business in rows:
        grouped.setdefault(business.id, (business, []))[1].append(item)
    return [Match(business, items) for business, items in grouped.values()]
