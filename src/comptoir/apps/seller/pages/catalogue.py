"""The owner's shop and items: add, change, photograph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business
from comptoir.apps.seller.pages.common import (
    FormField,
    owner_or_signin,
    parse_uuid,
    platform_or_404,
    render,
    see_other,
)
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.money import Money

router = APIRouter(include_in_schema=False)


@router.get("/sellers/{platform_id}/shop")
def shop(request: Request, platform_id: str) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    seller = seller_of(request)
    return render(
        request,
        "seller/shop.html",
        {
            "platform": platform_or_404(request, platform_id),
            "business": owner,
            "items": catalogue.business_items(seller, business_id=owner.id),
            "orders": orders.business_orders(seller, business_id=owner.id)[:20],
        },
    )


def _item_form(
    request: Request,
    platform_id: str,
    owner: Business,
    item_id: str | None,
    form: dict[str, Any],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "seller/item.html",
        {
            "platform": platform_or_404(request, platform_id),
            "business": owner,
            "item_id": item_id,
            "form": form,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/sellers/{platform_id}/shop/items/new")
def new_item_form(request: Request, platform_id: str) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    return _item_form(request, platform_id, owner, None, {"returnable": True, "stock": "0"})


@router.post("/sellers/{platform_id}/shop/items/new")
def new_item(
    request: Request,
    platform_id: str,
    *,
    name: FormField = "",
    description: FormField = "",
    category: FormField = "",
    price: FormField = "",
    stock: FormField = "",
    variants: FormField = "",
    returnable: FormField = "",
    age_restricted: FormField = "",
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    form = catalogue.ItemInput(
        name,
        description,
        category,
        price,
        stock,
        returnable == "yes",
        variants,
        age_restricted=age_restricted == "yes",
    )
    try:
        item_id = catalogue.add_item(
            seller_of(request), platform_id=platform_id, business_id=owner.id, form=form
        )
    except SellerError as error:
        return _item_form(
            request,
            platform_id,
            owner,
            None,
            form.__dict__,
            error=error.text.render(),
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop/items/{item_id}")


@router.get("/sellers/{platform_id}/shop/items/{item_id}")
def item_page(request: Request, platform_id: str, item_id: str) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    try:
        item = catalogue.get_item(
            seller_of(request), business_id=owner.id, item_id=parse_uuid(item_id)
        )
    except SellerError:
        raise Problem(NOT_FOUND) from None
    form = {
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "price": Money(item.price, item.currency).to_fixed(),
        "stock": str(item.stock),
        "variants": ", ".join(item.variants),
        "returnable": item.returnable,
        "age_restricted": item.age_restricted,
        "has_photo": item.thumbnail is not None,
    }
    return _item_form(request, platform_id, owner, item_id, form)


@router.post("/sellers/{platform_id}/shop/items/{item_id}")
def change_item(
    request: Request,
    platform_id: str,
    item_id: str,
    *,
    name: FormField = "",
    description: FormField = "",
    category: FormField = "",
    price: FormField = "",
    stock: FormField = "",
    variants: FormField = "",
    returnable: FormField = "",
    age_restricted: FormField = "",
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    form = catalogue.ItemInput(
        name,
        description,
        category,
        price,
        stock,
        returnable == "yes",
        variants,
        age_restricted=age_restricted == "yes",
    )
    try:
        catalogue.change_item(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            item_id=parse_uuid(item_id),
            form=form,
        )
    except SellerError as error:
        return _item_form(
            request,
            platform_id,
            owner,
            item_id,
            form.__dict__,
            error=error.text.render(),
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop")


@router.post("/sellers/{platform_id}/shop/items/{item_id}/photo")
async def item_photo(
    request: Request, platform_id: str, item_id: str, photo: Annotated[UploadFile, File()]
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    data = await photo.read(catalogue.MAX_PHOTO_BYTES + 1)
    try:
        catalogue.set_photo(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            item_id=parse_uuid(item_id),
            photo=data,
        )
    except SellerError as error:
        item = catalogue.get_item(
            seller_of(request), business_id=owner.id, item_id=parse_uuid(item_id)
        )
        form = {
            "name": item.name,
            "description": item.description,
            "category": item.category,
            "price": Money(item.price, item.currency).to_fixed(),
            "stock": str(item.stock),
            "variants": ", ".join(item.variants),
            "returnable": item.returnable,
            "age_restricted": item.age_restricted,
        }
        return _item_form(
            request, platform_id, owner, item_id, form, error=error.text.render(), status_code=400
        )
    return see_other(f"/sellers/{platform_id}/shop/items/{item_id}")
