"""The platform's Beckn endpoints: `POST /sellers/{platform}/beckn/{action}`.

The kernel's receiver verifies the signature against the registry, validates the message and
answers ACK or NACK with its counter-signature; the handler acts and queues the callback in
the outbox before the ACK leaves, so an acknowledged request is never left unanswered.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Platform
from comptoir.apps.seller.service.protocol import (
    SELLER_ACTIONS,
    NothingToOffer,
    handle,
    publication_answered,
)
from comptoir.apps.seller.web import receivers_of, seller_of
from comptoir.kernel.beckn.receiver import AfterAck, Inbound, NoCallback

router = APIRouter(include_in_schema=False)


def _platform(request: Request, platform_id: str) -> Platform | None:
    with seller_of(request).database.reading() as session:
        return session.get(Platform, platform_id)


@router.post("/sellers/{platform_id}/beckn/{action:path}")
async def receive(request: Request, platform_id: str, action: str) -> Response:
    platform = await run_in_threadpool(_platform, request, platform_id)
    if platform is None or action not in (*SELLER_ACTIONS, "catalog/on_publish"):
        return Response(status_code=404)
    receiver = receivers_of(request).get(
        platform.id, platform.subscriber_id, platform.unique_key_id, platform.registry_url
    )
    seller = seller_of(request)

    async def act(inbound: Inbound) -> AfterAck | None:
        document = json.loads(inbound.body)
        if action == "catalog/on_publish":
            await run_in_threadpool(
                publication_answered, seller, platform_id=platform_id, document=document
            )
            return None
        try:
            await run_in_threadpool(
                handle, seller, platform_id=platform_id, action=action, document=document
            )
        except NothingToOffer:
            raise NoCallback("nothing on this platform matches") from None
        except SellerError as refusal:
            raise NoCallback(refusal.text.render("en"), code=refusal.code) from None
        return None

    body = await request.body()
    answer = await receiver.receive(action, request.headers, body, act)
    background = BackgroundTask(answer.after) if answer.after is not None else None
    return Response(
        answer.body,
        status_code=answer.status_code,
        media_type="application/json",
        background=background,
    )
