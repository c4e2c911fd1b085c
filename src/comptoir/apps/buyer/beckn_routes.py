"""The buyer app's callback endpoints: `POST /shop/beckn/on_{action}`, verified by the
kernel's receiver against the registry's keys, then recorded."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.buyer.beckn_io import CALLBACKS
from comptoir.apps.buyer.service.answers import apply_callback
from comptoir.apps.buyer.service.context import the_app
from comptoir.apps.buyer.service.searches import record_catalogs
from comptoir.apps.buyer.web import buyer_of, protocol_of
from comptoir.kernel.beckn.receiver import AfterAck, Inbound, NoCallback

router = APIRouter(include_in_schema=False)


@router.post("/shop/beckn/{action}")
async def receive(request: Request, action: str) -> Response:
    buyer = buyer_of(request)
    app = await run_in_threadpool(the_app, buyer)
    if app is None or action not in CALLBACKS:
        return Response(status_code=404)
    receiver = protocol_of(request).parts(
        app.id, app.subscriber_id, app.unique_key_id, app.registry_url
    )[2]

    async def record(inbound: Inbound) -> AfterAck | None:
        document = json.loads(inbound.body)
        context, message = document["context"], document["message"]
        if action == "on_discover":
            await run_in_threadpool(
                lambda: record_catalogs(
                    buyer,
                    search_id=context["messageId"],
                    bpp_id=context.get("bppId") or "",
                    bpp_uri=context.get("bppUri") or "",
                    catalogs=message.get("catalogs") or [],
                )
            )
            return None
        known = await run_in_threadpool(
            lambda: apply_callback(buyer, action=action, context=context, message=message)
        )
        if not known:
            raise NoCallback("this app has no such transaction")
        return None

    body = await request.body()
    answer = await receiver.receive(action, request.headers, body, record)
    return Response(answer.body, status_code=answer.status_code, media_type="application/json")
