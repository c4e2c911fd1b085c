"""The gateway's Beckn endpoints under `/gateway/`: discover, on_discover, catalog/publish.

discover: the gateway ACKs at once, then, within the request's TTL, finds the SUBSCRIBED seller
platforms of the context's domain and place in the registry. Those that published catalogues to
its index are answered from the index, in one on_discover signed by the gateway (the spec's CDS
role: one message, `catalogs` holding each seller's matching catalogue with its `bppId`); each
of the others gets the buyer's discover, byte for byte with the buyer's `Authorization` and the
gateway's `X-Gateway-Authorization`, all in parallel, each bounded by the TTL, so one slow or
dead seller delays nobody else.

on_discover: a seller platform may answer through the gateway; the gateway relays the exact
bytes to the buyer app's registered `bapUri`, adding its own signature.

catalog/publish: a seller platform's catalogues go into the index, and the per-catalogue result
comes back on its catalog/on_publish.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from comptoir.kernel.beckn import (
    AfterAck,
    BecknReceiver,
    BecknSender,
    Inbound,
    LookupRequest,
    NoCallback,
    Refusal,
    Subscription,
    action_url,
)
from comptoir.kernel.beckn.models import (
    BecknMessage,
    CatalogOnPublishAction,
    CatalogPublishAction,
    Context,
    OnDiscoverAction,
    RequestDigest,
)
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import body_digest
from comptoir.kernel.db import Database
from comptoir.kernel.ids import new_id
from comptoir.network.gateway import index
from comptoir.network.registry import queries

logger = logging.getLogger(__name__)

DEFAULT_TTL: Final = timedelta(seconds=30)
MAX_TTL: Final = timedelta(seconds=120)
# As long as the node trusts a key it read (a revoked buyer app stops within this delay).
BUYER_CACHE_SECONDS: Final = 2.0


@dataclass
class Gateway:
    database: Database
    clock: Clock
    receiver: BecknReceiver
    sender: BecknSender
    _buyers: dict[str, tuple[Subscription | None, float]] = field(default_factory=dict)

    def routes(self) -> list[Route]:
        return self.receiver.routes(
            {
                "discover": self.discover,
                "on_discover": self.on_discover,
                "catalog/publish": self.publish,
            },
            prefix="/gateway",
        )

    async def discover(self, inbound: Inbound) -> AfterAck:
        context: Context = inbound.message.context
        ttl = min(context.time_to_live or DEFAULT_TTL, MAX_TTL).total_seconds()
        sellers, indexed = await run_in_threadpool(self._sellers, context)
        if not sellers:
            # The spec's AckNoCallback: received, but nobody will answer.
            raise NoCallback("no seller platform serves this domain and place")

        async def fan_out() -> None:
            tasks = [
                self._forward(inbound, seller, ttl)
                for seller in sellers
                if seller.subscriber_id not in indexed
            ]
            if indexed:
                tasks.append(self._answer_from_index(inbound, indexed, ttl))
            try:
                await asyncio.wait_for(asyncio.gather(*tasks), ttl)
            except TimeoutError:
                logger.info("discover %s: the TTL ran out", context.message_id)

        return fan_out

    def _sellers(self, context: Context) -> tuple[list[Subscription], set[str]]:
        with self.database.reading() as session:
            sellers = queries.sellers_serving(
                session,
                clock=self.clock,
                domain=context.domain,
                city=context.city_code,
                country=context.country_code,
            )
            indexed = index.indexed_sellers(session, (s.subscriber_id for s in sellers))
        return sellers, indexed

    async def _forward(self, inbound: Inbound, seller: Subscription, ttl: float) -> None:
        url = action_url(seller.url, "discover")
        try:
            delivery = await self.sender.forward(
                url,
                inbound.body,
                authorization=inbound.authorization,
                timeout_seconds=ttl,
            )
        except httpx.HTTPError as error:
            logger.info("discover to %s failed: %s", seller.subscriber_id, type(error).__name__)
            return
        if not delivery.acknowledged:
            logger.info("discover to %s: %s", seller.subscriber_id, delivery.status_code)

    async def _answer_from_index(self, inbound: Inbound, indexed: set[str], ttl: float) -> None:
        context: Context = inbound.message.context
        message = inbound.message.message
        text = " ".join(
            part
            for part in (
                message.intent.text_search,
                message.text_search,
                message.text_search_flat,
            )
            if part
        )
        catalogs = await run_in_threadpool(self._search, text, indexed, context.city_code)
        answer = BecknMessage[OnDiscoverAction](
            context=context.model_copy(
                update={
                    "action": "on_discover",
                    "timestamp": self.clock.now(),
                    "request_digest": RequestDigest(digest=body_digest(inbound.body)),
                }
            ),
            message=OnDiscoverAction.model_validate({"catalogs": catalogs}),
        )
        assert context.bap_uri is not None  # the validator requires it for discover
        try:
            await self.sender.send(
                action_url(context.bap_uri, "on_discover"), answer, timeout_seconds=ttl
            )
        except httpx.HTTPError as error:
            logger.info("on_discover to %s failed: %s", context.bap_id, type(error).__name__)

    def _search(self, text: str, indexed: set[str], city: str | None) -> list[dict[str, Any]]:
        with self.database.reading() as session:
            return index.search(session, text=text, bpp_ids=indexed, city=city)

    async def on_discover(self, inbound: Inbound) -> AfterAck:
        context: Context = inbound.message.context
        buyer = await run_in_threadpool(self._buyer, context.bap_id or "")
        if buyer is None or buyer.url.rstrip("/") != (context.bap_uri or "").rstrip("/"):
            raise Refusal(400, f"{context.bap_id} is not a buyer app at {context.bap_uri}")
        ttl = min(context.time_to_live or DEFAULT_TTL, MAX_TTL).total_seconds()

        async def relay() -> None:
            try:
                await self.sender.forward(
                    action_url(buyer.url, "on_discover"),
                    inbound.body,
                    authorization=inbound.authorization,
                    timeout_seconds=ttl,
                )
            except httpx.HTTPError as error:
                logger.info("relay to %s failed: %s", buyer.subscriber_id, type(error).__name__)

        return relay

    def _buyer(self, bap_id: str) -> Subscription | None:
        # Every seller's answer to one discover names the same buyer app: read it once.
        cached = self._buyers.get(bap_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < BUYER_CACHE_SECONDS:
            return cached[0]
        with self.database.reading() as session:
            found = queries.lookup(
                session,
                clock=self.clock,
                request=LookupRequest(subscriber_id=bap_id, type="BAP"),
            )
        buyer = found[0] if found else None
        self._buyers[bap_id] = (buyer, now)
        return buyer

    async def publish(self, inbound: Inbound) -> AfterAck:
        context: Context = inbound.message.context
        message: CatalogPublishAction = inbound.message.message
        assert context.bpp_id is not None
        assert context.bpp_uri is not None
        bpp_id, bpp_uri = context.bpp_id, context.bpp_uri
        results = await run_in_threadpool(self._publish, context, message, bpp_id, bpp_uri)

        async def report() -> None:
            answer = BecknMessage[CatalogOnPublishAction](
                context=context.model_copy(
                    update={
                        "action": "catalog/on_publish",
                        "message_id": str(new_id()),
                        "timestamp": self.clock.now(),
                        "request_digest": RequestDigest(digest=body_digest(inbound.body)),
                    }
                ),
                message=CatalogOnPublishAction(results=results),
            )
            try:
                await self.sender.send(action_url(bpp_uri, "catalog/on_publish"), answer)
            except httpx.HTTPError as error:
                logger.info("on_publish to %s failed: %s", bpp_id, type(error).__name__)

        return report

    def _publish(
        self, context: Context, message: CatalogPublishAction, bpp_id: str, bpp_uri: str
    ) -> list[Any]:
        with self.database.transaction() as session:
            return index.publish(
                session,
                clock=self.clock,
                bpp_id=bpp_id,
                bpp_uri=bpp_uri,
                catalogs=message.catalogs,
                domain=context.domain,
                city=context.city_code,
                country=context.country_code,
            )
