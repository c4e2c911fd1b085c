"""An item's form, new or a change, kept across a language switch (`switch_keeps`): the
header's language buttons send it here rather than to be saved, and it waits in a short-lived
signed cookie of the shop's item pages (`kernel/web/kept_in_cookie.py`), never in an address.
A form the page had refused keeps its problems, found when it was sent (in the language it was
typed in, whose way of writing a price it follows), to be said in the new one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.service import items as catalogue
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.web import kept_in_cookie
from comptoir.kernel.web.routes import language_chosen

ITEM_DRAFT: Final = "comptoir_seller_item_draft"
DRAFT_SECONDS: Final = 15 * 60
TEXT_FIELDS: Final = ("name", "description", "category", "price", "stock", "variants")
TICKED_FIELDS: Final = ("returnable", "age_restricted")


def _items_path(platform_id: str) -> str:
    return f"/sellers/{platform_id}/shop/items"


@dataclass(frozen=True)
class KeptItem:
    form: dict[str, Any]  # as the item's page shows a form
    refused: SellerError | None


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
    """Back to the item's form (`item_key`: an item's id, or "new") in `lang`, as typed. A form
    too long for a cookie (a description of thousands of characters) switches language only."""
    values = {field: str(getattr(form, field)) for field in TEXT_FIELDS}
    values |= {field: "yes" if getattr(form, field) else "" for field in TICKED_FIELDS}
    values["item"] = item_key
    if refused:
        problems = catalogue.item_problems(form, currency)
        values["problems"] = json.dumps(
            {
                field: [text.message, {name: str(value) for name, value in text.params.items()}]
                for field, text in problems.items()
            }
        )
    response = language_chosen(request, lang, f"{_items_path(platform_id)}/{item_key}?kept=1")
    kept_in_cookie.keep(
        request, response, ITEM_DRAFT, values, path=_items_path(platform_id), seconds=DRAFT_SECONDS
    )
    return response


def kept_item(request: Request, item_key: str) -> KeptItem | None:
    """The form this browser keeps for that item, if any."""
    values = kept_in_cookie.kept(request, ITEM_DRAFT)
    if values is None or values.get("item") != item_key:
        return None
    form: dict[str, Any] = {field: values.get(field, "") for field in TEXT_FIELDS}
    form |= {field: values.get(field) == "yes" for field in TICKED_FIELDS}
    try:
        stored = json.loads(values.get("problems") or "{}")
    except ValueError:
        stored = {}
    problems = {
        str(field): LazyText(str(message), {str(k): v for k, v in dict(params).items()})
        for field, (message, params) in dict(stored).items()
    }
    if not problems:
        return KeptItem(form, None)
    field, text = next(iter(problems.items()))
    return KeptItem(form, SellerError(field, text, problems))


def forget_item(request: Request, response: Response, platform_id: str) -> None:
    if ITEM_DRAFT in request.cookies:
        kept_in_cookie.forget(request, response, ITEM_DRAFT, path=_items_path(platform_id))
