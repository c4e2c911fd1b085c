"""An item's form, new or a change, kept across a language switch (`form_drafts.py`), each in
a cookie of that item's own page."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.pages import form_drafts
from comptoir.apps.seller.service import items as catalogue

TEXT_FIELDS: Final = ("name", "description", "category", "price", "stock", "variants")
TICKED_FIELDS: Final = ("returnable", "age_restricted")


def item_path(platform_id: str, item_key: str) -> str:
    """The page of an item's form (`item_key`: an item's id, or "new")."""
    return f"/sellers/{platform_id}/shop/items/{item_key}"


def switched_language(
    request: Request,
    platform_id: str,
    item_key: str,
    form: catalogue.ItemInput,
    *,
    currency: str,
    lang: str,
    refused: bool,
) -> Response:
    """Back to the item's form in `lang`, as typed."""
    values = {field: str(getattr(form, field)) for field in TEXT_FIELDS}
    values |= {field: "yes" if getattr(form, field) else "" for field in TICKED_FIELDS}
    return form_drafts.switched_language(
        request,
        form_key=f"item:{item_key}",
        values=values,
        problems=catalogue.item_problems(form, currency) if refused else None,
        lang=lang,
        page=item_path(platform_id, item_key),
    )


def kept_item(request: Request, item_key: str) -> tuple[dict[str, Any], SellerError | None] | None:
    """The item's form this browser keeps, as the item's page shows a form, and its problems."""
    draft = form_drafts.kept_form(request, f"item:{item_key}")
    if draft is None:
        return None
    form: dict[str, Any] = {field: draft.values.get(field, "") for field in TEXT_FIELDS}
    form |= {field: draft.values.get(field) == "yes" for field in TICKED_FIELDS}
    return form, draft.refused


def forget_item(request: Request, response: Response, platform_id: str, item_key: str) -> None:
    form_drafts.forget_form(request, response, item_path(platform_id, item_key))
