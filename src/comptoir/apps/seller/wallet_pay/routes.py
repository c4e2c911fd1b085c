"""Where a business's wallet posts its signed webhook when a request to pay ends."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.seller.wallet_pay import service
from comptoir.apps.seller.wallet_pay.wiring import notify
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.errors import UNAUTHORIZED, Problem
from comptoir.kernel.i18n import lazy

router = APIRouter(include_in_schema=False)


@router.post("/sellers/{platform_id}/wallet-webhook/{business_id}")
async def wallet_webhook(request: Request, platform_id: str, business_id: str) -> Response:
    body = await request.body()
    signature = request.headers.get(service.SIGNATURE_HEADER, "")
    try:
        business = uuid.UUID(business_id)
    except ValueError:
        business = None
    believed = business is not None and await run_in_threadpool(
        lambda: service.webhook(
            seller_of(request), notify, business_id=business, body=body, signature=signature
        )
    )
    if not believed:
        raise Problem(UNAUTHORIZED, lazy("The webhook's signature is not valid."))
    return Response(status_code=204)
