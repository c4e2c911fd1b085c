"""The registry's protocol endpoints: `/registry/subscribe` and `/registry/lookup`.

Both are signed like any Beckn message (BECKN-006) and refused with a counter-signed NACK
(401 for a signature, 400 for the body) as the Beckn endpoints are.

`subscribe` proves both keys before writing anything: the request is signed with the key it
registers (or, for a new key of a known subscriber, with a current key of that subscriber), and
the registry then posts a challenge sealed to the encryption key to `{url}/on_subscribe`, which
must answer it in clear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import httpx
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.kernel.beckn import (
    BecknReceiver,
    BecknSender,
    LookupRequest,
    OnSubscribeRequest,
    OnSubscribeResponse,
    Refusal,
    SubscribeRequest,
    SubscribeResponse,
    Subscription,
    new_challenge,
    seal_challenge,
    signed_ack_body,
)
from comptoir.kernel.beckn.models import Error
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import SignatureError, parse_signature_header, verify_request
from comptoir.kernel.db import Database
from comptoir.kernel.errors import Problem
from comptoir.network.node import DatabaseKeySource
from comptoir.network.registry import queries, service

logger = logging.getLogger(__name__)

JSON: Final = "application/json"
CHALLENGE_TIMEOUT_SECONDS: Final = 10.0
MAX_REGISTRY_BODY: Final = 64 * 1024


@dataclass
class Registry:
    database: Database
    clock: Clock
    receiver: BecknReceiver  # the registry's identity, over the registry's own keys
    sender: BecknSender  # signs on_subscribe challenges as the registry
    keys: DatabaseKeySource

    def routes(self) -> list[Route]:
        return [
            Route("/registry/lookup", self.lookup_endpoint, methods=["POST"]),
            Route("/registry/subscribe", self.subscribe_endpoint, methods=["POST"]),
        ]

    def _nack(self, body: bytes, status: int, message: str, code: str) -> Response:
        error = Error(error_code=code, error_message=message)
        nack = signed_ack_body(
            self.receiver.identity, request_body=body, message_id="", status="NACK", error=error
        )
        return Response(nack, status_code=status, media_type=JSON)

    async def lookup_endpoint(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_REGISTRY_BODY:
            return Response(status_code=413)
        try:
            await self.receiver.authenticate(request.headers, body)
        except Refusal as refusal:
            return self._nack(body, 401, str(refusal), "UNAUTHORIZED")
        try:
            criteria = LookupRequest.model_validate_json(body)
        except ValidationError as error:
            return self._nack(body, 400, _first(error), "BAD_REQUEST")
        found = await run_in_threadpool(self._lookup, criteria)
        document = b"[" + b",".join(s.model_dump_json().encode() for s in found) + b"]"
        return Response(document, media_type=JSON)

    def _lookup(self, criteria: LookupRequest) -> list[Subscription]:
        with self.database.reading() as session:
            return queries.lookup(session, clock=self.clock, request=criteria)

    async def subscribe_endpoint(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_REGISTRY_BODY:
            return Response(status_code=413)
        header = request.headers.get("authorization", "")
        try:
            signature = parse_signature_header(header)
        except SignatureError as error:
            return self._nack(body, 401, error.detail, "UNAUTHORIZED")
        try:
            subscription = SubscribeRequest.model_validate_json(body)
        except ValidationError as error:
            return self._nack(body, 400, _first(error), "BAD_REQUEST")
        key = service.NewKey(
            unique_key_id=subscription.unique_key_id,
            signing_public_key=subscription.signing_public_key,
            encryption_public_key=subscription.encr_public_key,
            valid_from=subscription.valid_from,
            valid_until=subscription.valid_until,
        )
        try:
            await self._check_signer(header, body, signature.subscriber_id, subscription)
        except Refusal as refusal:
            return self._nack(body, 401, str(refusal), "UNAUTHORIZED")
        try:
            service.check_key(key)
        except Problem as problem:
            detail = problem.detail.render("en") if problem.detail else problem.type.slug
            return self._nack(body, 400, detail, "BAD_REQUEST")
        try:
            await self._challenge(subscription)
        except Refusal as refusal:
            return self._nack(body, refusal.status, str(refusal), "UNAUTHORIZED")
        try:
            status = await run_in_threadpool(
                self._record, subscription, key, signature.subscriber_id
            )
        except Problem as problem:
            detail = problem.detail.render("en") if problem.detail else problem.type.slug
            return self._nack(body, problem.status, detail, problem.type.slug)
        self.keys.forget()
        return Response(SubscribeResponse(status=status).model_dump_json(), media_type=JSON)

    async def _check_signer(
        self, header: str, body: bytes, signer: str, subscription: SubscribeRequest
    ) -> None:
        if signer != subscription.subscriber_id:
            raise Refusal(401, "a subscriber subscribes only itself")
        parsed = parse_signature_header(header)
        current = await run_in_threadpool(
            self.keys.read, subscription.subscriber_id, parsed.unique_key_id
        )
        if current is not None and parsed.unique_key_id != subscription.unique_key_id:
            # A new key, vouched for by a current one.
            refusal = service.vouching_refusal(current, self.clock.now())
            if refusal is not None:
                raise Refusal(401, refusal)
            public_key: str = current.signing_public_key
        elif parsed.unique_key_id == subscription.unique_key_id:
            # The key being registered signs for itself (proof of the signing key).
            public_key = subscription.signing_public_key
        else:
            raise Refusal(401, "sign with the key being registered, or with a current key")
        try:
            verify_request(header, body, public_key, clock=self.clock)
        except SignatureError as error:
            raise Refusal(401, error.detail) from None

    async def _challenge(self, subscription: SubscribeRequest) -> None:
        challenge = new_challenge()
        try:
            sealed = seal_challenge(challenge, subscription.encr_public_key)
        except ValueError:
            raise Refusal(400, "the encryption public key is not an X25519 key") from None
        call = OnSubscribeRequest(
            subscriber_id=subscription.subscriber_id, status="INITIATED", challenge=sealed
        )
        url = subscription.url.rstrip("/") + "/on_subscribe"
        try:
            delivery = await self.sender.send(
                url,
                call.model_dump_json(exclude_none=True).encode(),
                timeout_seconds=CHALLENGE_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as error:
            raise Refusal(400, f"cannot reach {url} ({type(error).__name__})") from None
        try:
            answer = OnSubscribeResponse.model_validate_json(delivery.body)
        except ValidationError:
            raise Refusal(401, f"{url} did not answer the challenge") from None
        if delivery.status_code != 200 or answer.answer != challenge:
            raise Refusal(401, "the answer to the on_subscribe challenge is wrong")

    def _record(self, subscription: SubscribeRequest, key: service.NewKey, actor: str) -> str:
        with self.database.transaction() as session:
            return service.record_subscription(
                session, clock=self.clock, request=subscription, key=key, actor=actor
            )


def _first(error: ValidationError) -> str:
    detail = error.errors(include_url=False, include_input=False)[0]
    pointer = "/" + "/".join(str(part) for part in detail["loc"])
    return f"{pointer}: {detail['msg']}"
