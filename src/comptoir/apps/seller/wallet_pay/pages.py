"""The owner's page that links the shop to its wallet's merchant API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business
from comptoir.apps.seller.pages.common import (
    FormField,
    owner_or_signin,
    platform_or_404,
    render,
    see_other,
)
from comptoir.apps.seller.wallet_pay import service
from comptoir.apps.seller.web import seller_of

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    platform_id: str,
    owner: Business,
    *,
    error: str | None = None,
    typed_url: str | None = None,
) -> Response:
    """The link form; after a refusal, the address typed stays in its box (never the secrets)."""
    linked = service.linked_url(seller_of(request), owner.id)
    return render(
        request,
        "seller/wallet_link.html",
        {
            "platform": platform_or_404(request, platform_id),
            "business": owner,
            "linked_url": linked,
            "typed_url": linked if typed_url is None else typed_url,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/sellers/{platform_id}/shop/wallet")
def wallet_form(request: Request, platform_id: str) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    return _page(request, platform_id, owner)


@router.post("/sellers/{platform_id}/shop/wallet")
def link_wallet(
    request: Request,
    platform_id: str,
    *,
    api_url: FormField = "",
    api_key: FormField = "",
    webhook_secret: FormField = "",
) -> Response:
    owner = owner_or_signin(request, platform_id)
    if not isinstance(owner, Business):
        return owner
    try:
        service.link_wallet(
            seller_of(request),
            platform_id=platform_id,
            business_id=owner.id,
            api_url=api_url,
            api_key=api_key,
            webhook_secret=webhook_secret,
            actor=f"business:{owner.id}",
        )
    except SellerError as error:
        return _page(request, platform_id, owner, error=error.text.render(), typed_url=api_url)
    return see_other(f"/sellers/{platform_id}/shop/wallet")
