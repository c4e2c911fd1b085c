"""The owner's shop and items: add, change, photograph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business, Item
from comptoir.apps.seller.pages.common import (
    FormField,
    owner_or_signin,
    parse_uuid,
    platform_or_404,
    render,
    see_other,
)
from comptoir.apps.seller.pages.item_drafts import forget_item, kept_item, switched_language
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import current_locale
from comptoir.kernel.money import Money, written_amount

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
    refused: SellerError | None = None,
    saved: Item | None = None,
    status_code: int = 200,
) -> Response:
    """The item's form; after a refusal, every field's problem beside it, what was typed, and
    the saved item's name and photo (`saved`), which the refused change leaves as they were."""
    problems = {field: text.render() for field, text in (refused.fields if refused else {}).items()}
    error = None
    if refused is not None:  # every problem at once at the top too, as a summary
        error = " ".join(dict.fromkeys(problems.values())) or refused.text.render()
    return render(
        request,
        "seller/item.html",
        {
            "platform": platform_or_404(request, platform_id),
            "business": owner,
            "item_id": item_id,
            "form": form,
            "title": saved.name if saved is not None else form.get("name"),
            "has_photo": saved.thumbnail is not None if saved is not None else False,
            "error": error,
            "error_fields": problems,
        },
        status_code=status_code,
    )


def _saved_form(item: Item) -> dict[str, Any]:
    """The form of an item as it is saved, its price written the reader's way ("6,75" in fr)."""
    return {
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "price": written_amount(Money(item.price, item.currency), locale=current_locale()),
        "stock": str(item.stock),
        "variants": ", ".join(item.variants),
        "returnable": item.returnable,
        "age_restricted": item.age_restricted,
    }


@router.get("/sellers/{platform_id}/shop/items/new")
def new_item_form(request: Request, platform_id: str, kept: str = "") -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    draft = kept_item(request, "new") if kept else None
    if draft is not None:  # back from a language switch
        typed, refused = draft
        return _item_form(request, platform_id, owner, None, typed, refused=refused)
    page = _item_form(request, platform_id, owner, None, {"returnable": True, "stock": "0"})
    forget_item(request, page, platform_id, "new")  # opened afresh: a blank form
    return page


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
    lang: FormField = "",
    refused: FormField = "",
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
    if lang:  # the header's language buttons (`switch_keeps`): kept, not added
        currency = platform_or_404(request, platform_id).currency
        return switched_language(
            request, platform_id, "new", form, currency=currency, lang=lang, refused=bool(refused)
        )
    try:
        item_id = catalogue.add_item(
            seller_of(request), platform_id=platform_id, business_id=owner.id, form=form
        )
    except SellerError as error:
        return _item_form(
            request, platform_id, owner, None, form.__dict__, refused=error, status_code=400
        )
    added = see_other(f"/sellers/{platform_id}/shop/items/{item_id}")
    forget_item(request, added, platform_id, "new")
    return added


@router.get("/sellers/{platform_id}/shop/items/{item_id}")
def item_page(request: Request, platform_id: str, item_id: str, kept: str = "") -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    try:
        item = catalogue.get_item(
            seller_of(request), business_id=owner.id, item_id=parse_uuid(item_id)
        )
    except SellerError:
        raise Problem(NOT_FOUND) from None
    draft = kept_item(request, item_id) if kept else None
    if draft is not None:  # back from a language switch
        typed, refused = draft
        return _item_form(request, platform_id, owner, item_id, typed, refused=refused, saved=item)
    return _item_form(request, platform_id, owner, item_id, _saved_form(item), saved=item)


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
    lang: FormField = "",
    refused: FormField = "",
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
    if lang:  # the header's language buttons (`switch_keeps`): kept, not saved
        currency = platform_or_404(request, platform_id).currency
        return switched_language(
            request, platform_id, item_id, form, currency=currency, lang=lang, refused=bool(refused)
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
        saved = catalogue.get_item(
            seller_of(request), business_id=owner.id, item_id=parse_uuid(item_id)
        )
        return _item_form(
            request,
            platform_id,
            owner,
            item_id,
            form.__dict__,
            refused=error,
            saved=saved,
            status_code=400,
        )
    changed = see_other(f"/sellers/{platform_id}/shop")
    forget_item(request, changed, platform_id, item_id)
    return changed


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
        return _item_form(
            request,
            platform_id,
            owner,
            item_id,
            _saved_form(item),
            refused=error,
            saved=item,
            status_code=400,
        )
    return see_other(f"/sellers/{platform_id}/shop/items/{item_id}")
