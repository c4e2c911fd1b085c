"""The merchant's page for its API keys: a new key is shown once, with its webhook secret."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.merchant.service import issue_key
from comptoir.apps.wallet.pages.common import Visitor, error_text, render, visitor
from comptoir.apps.wallet.web import wallet_of

router = APIRouter(include_in_schema=False)


def _api_url(request: Request, institution_id: str) -> str:
    return f"{wallet_of(request).base_url.rstrip('/')}/wallets/{institution_id}/api/v1"


@router.get("/wallets/{institution_id}/merchant-api")
def merchant_api_page(request: Request, institution_id: str) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    return render(
        request,
        "wallet/merchant_api.html",
        {
            "institution": who.institution,
            "customer": who.customer,
            "api_url": _api_url(request, institution_id),
        },
    )


@router.post("/wallets/{institution_id}/merchant-api")
async def new_api_key(request: Request, institution_id: str) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    context = {
        "institution": who.institution,
        "customer": who.customer,
        "api_url": _api_url(request, institution_id),
    }
    try:
        issued = await run_in_threadpool(
            lambda: issue_key(
                wallet_of(request),
                institution_id=institution_id,
                customer_id=who.customer.id,
                actor=f"customer:{who.customer.id}",
            )
        )
    except WalletError as error:
        return render(
            request,
            "wallet/merchant_api.html",
            {**context, "error": error_text(error)},
            status_code=400,
        )
    return render(request, "wallet/merchant_api.html", {**context, "issued": issued})
