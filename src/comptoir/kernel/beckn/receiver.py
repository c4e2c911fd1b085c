"""Receive Beckn messages: verify, validate, hand over, answer ACK or NACK.

In this order, and nothing before the first step:

1. the `Authorization` signature over the exact body bytes, against the sender's key from the
   `KeySource` (unknown key, revoked subscriber, key outside its window, bad signature, expired
   or future signature: 401 NackUnauthorized), then `X-Gateway-Authorization` when present;
2. the schema of the action (400 NackBadRequest naming the member by JSON pointer), and that
   the signer is the participant the context names as sender (401 otherwise);
3. the handler, which gets an `Inbound`; it may raise `NoCallback` (409 AckNoCallback) and may
   return work to run after the answer is sent (the asynchronous leg of the protocol).

Every answer, NACKs included, carries the receiver's counter-signature (the spec's `Ack` schema
requires it on all of them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.kernel.beckn.acks import (
    ACK_NO_CALLBACK,
    ACK_STATUS,
    BAD_REQUEST_CODE,
    NACK_BAD_REQUEST,
    NACK_UNAUTHORIZED,
    NO_CALLBACK_CODE,
    SERVER_ERROR,
    SERVER_ERROR_CODE,
    UNAUTHORIZED_CODE,
    signed_ack_body,
)
from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.keys import KeySource, SubscriberKey
from comptoir.kernel.beckn.models.errors import Error
from comptoir.kernel.beckn.models.messages import CALLBACK_ACTIONS, BecknMessage
from comptoir.kernel.beckn.validation import BecknValidationError, validate_message
from comptoir.kernel.crypto.beckn import (
    BecknSignature,
    SignatureError,
    parse_signature_header,
    verify_parsed_request,
)

logger = logging.getLogger(__name__)

AUTHORIZATION: Final = "authorization"
GATEWAY_AUTHORIZATION: Final = "x-gateway-authorization"
JSON: Final = "application/json"
# A message larger than this is refused unread: catalogues are published in pages.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024

AfterAck = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Inbound:
    """A verified, validated message, handed to a handler."""

    action: str
    message: BecknMessage[Any]
    body: bytes
    signature: BecknSignature
    sender: SubscriberKey
    gateway_signature: BecknSignature | None = None
    gateway: SubscriberKey | None = None
    authorization: str = ""
    gateway_authorization: str | None = None


Handler = Callable[[Inbound], Awaitable[AfterAck | None]]


class NoCallback(Exception):  # noqa: N818 (named after the spec's AckNoCallback)
    """Raised by a handler: the message is accepted but no callback will follow."""

    def __init__(self, message: str, code: str = NO_CALLBACK_CODE) -> None:
        super().__init__(message)
        self.code = code


class Refusal(Exception):  # noqa: N818
    """A message refused before its handler: `status` is 400 or 401."""

    def __init__(self, status: int, message: str, *, pointer: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.pointer = pointer


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    after: AfterAck | None = None
    inbound: Inbound | None = None


class BecknReceiver:
    """Receives messages for the participant `identity`, trusting keys from `keys`."""

    def __init__(self, *, identity: BecknIdentity, keys: KeySource) -> None:
        self.identity = identity
        self.keys = keys

    async def authenticate(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[BecknSignature, SubscriberKey, BecknSignature | None, SubscriberKey | None]:
        """Step 1: who signed these bytes; `Refusal(401)` when it cannot be trusted."""
        header = headers.get(AUTHORIZATION)
        if not header:
            raise Refusal(NACK_UNAUTHORIZED, "the message has no Authorization signature")
        signature, sender = await self._check(header, body)
        gateway_header = headers.get(GATEWAY_AUTHORIZATION)
        if gateway_header is None:
            return signature, sender, None, None
        gateway_signature, gateway = await self._check(gateway_header, body)
        if gateway.type != "BG":
            raise Refusal(NACK_UNAUTHORIZED, "X-Gateway-Authorization is not a gateway's")
        return signature, sender, gateway_signature, gateway

    async def _check(self, header: str, body: bytes) -> tuple[BecknSignature, SubscriberKey]:
        try:
            parsed = parse_signature_header(header)
        except SignatureError as error:
            raise Refusal(NACK_UNAUTHORIZED, error.detail) from None
        key = await self.keys.signing_key(parsed.subscriber_id, parsed.unique_key_id)
        if key is None:
            raise Refusal(
                NACK_UNAUTHORIZED,
                f"no key {parsed.unique_key_id} of {parsed.subscriber_id} in the registry",
            )
        refusal = key.refusal(self.identity.clock.now())
        if refusal is not None:
            raise Refusal(NACK_UNAUTHORIZED, refusal)
        try:
            verify_parsed_request(parsed, body, key.public_key, clock=self.identity.clock)
        except SignatureError as error:
            raise Refusal(NACK_UNAUTHORIZED, error.detail) from None
        return parsed, key

    async def receive(
        self, action: str, headers: Mapping[str, str], body: bytes, handler: Handler
    ) -> Answer:
        """Run the three steps over one message and build the answer."""
        try:
            signature, sender, gateway_signature, gateway = await self.authenticate(headers, body)
            try:
                message = validate_message(action, body)
            except BecknValidationError as error:
                raise Refusal(NACK_BAD_REQUEST, error.detail, pointer=error.pointer) from None
            _check_sender(action, message, sender)
        except Refusal as refusal:
            return self._nack(body, refusal)
        inbound = Inbound(
            action=action,
            message=message,
            body=body,
            signature=signature,
            sender=sender,
            gateway_signature=gateway_signature,
            gateway=gateway,
            authorization=headers.get(AUTHORIZATION, ""),
            gateway_authorization=headers.get(GATEWAY_AUTHORIZATION),
        )
        message_id = message.context.message_id
        try:
            after = await handler(inbound)
        except NoCallback as no_callback:
            no_callback_error = Error(error_code=no_callback.code, error_message=str(no_callback))
            ack = signed_ack_body(
                self.identity, request_body=body, message_id=message_id, error=no_callback_error
            )
            return Answer(ACK_NO_CALLBACK, ack, inbound=inbound)
        except Refusal as refusal:
            return self._nack(body, refusal, message_id=message_id)
        except Exception:
            logger.exception("the %s handler failed", action)
            server_error = Error(error_code=SERVER_ERROR_CODE, error_message="internal error")
            ack = signed_ack_body(
                self.identity,
                request_body=body,
                message_id=message_id,
                status="NACK",
                error=server_error,
            )
            return Answer(SERVER_ERROR, ack, inbound=inbound)
        ack = signed_ack_body(self.identity, request_body=body, message_id=message_id)
        return Answer(ACK_STATUS, ack, after=after, inbound=inbound)

    def _nack(self, body: bytes, refusal: Refusal, *, message_id: str | None = None) -> Answer:
        code = UNAUTHORIZED_CODE if refusal.status == NACK_UNAUTHORIZED else BAD_REQUEST_CODE
        error = Error(error_code=code, error_message=str(refusal))
        if refusal.pointer is not None:
            # `Error` is open in the spec; `path` names the failing member (a JSON pointer).
            pointer = refusal.pointer or "/"
            error = Error.model_validate(
                {"errorCode": code, "errorMessage": f"{pointer}: {refusal}", "path": pointer}
            )
        nack = signed_ack_body(
            self.identity,
            request_body=body,
            message_id=message_id if message_id is not None else _message_id_of(body),
            status="NACK",
            error=error,
        )
        return Answer(refusal.status, nack)

    def endpoint(self, action: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette/FastAPI endpoint for `action`."""

        async def receive_action(request: Request) -> Response:
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return Response(status_code=413)
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                return Response(status_code=413)
            answer = await self.receive(action, request.headers, body, handler)
            background = BackgroundTask(answer.after) if answer.after is not None else None
            return Response(
                answer.body,
                status_code=answer.status_code,
                media_type=JSON,
                background=background,
            )

        return receive_action

    def routes(self, handlers: Mapping[str, Handler], *, prefix: str = "") -> list[Route]:
        """One POST route per action, at `{prefix}/{action}`."""
        return [
            Route(f"{prefix}/{action}", self.endpoint(action, handler), methods=["POST"])
            for action, handler in handlers.items()
        ]


def _check_sender(action: str, message: BecknMessage[Any], sender: SubscriberKey) -> None:
    """The signer must be the participant the context names as sender, at its registered URL.

    A gateway may sign what it answers from its index (on_discover), as the spec's CDS does.
    """
    context = message.context
    from_seller = action in CALLBACK_ACTIONS or action == "catalog/publish"
    if action == "on_discover":
        _check_catalogue_answer(message, sender)
        return
    if action == "catalog/on_publish":
        # The index that answers a publication is a gateway (CDS).
        if sender.type != "BG":
            raise Refusal(NACK_UNAUTHORIZED, "only a gateway answers catalog/publish")
        return
    named, uri = (
        (context.bpp_id, context.bpp_uri) if from_seller else (context.bap_id, context.bap_uri)
    )
    role = "bppId" if from_seller else "bapId"
    if named != sender.subscriber_id:
        raise Refusal(
            NACK_UNAUTHORIZED,
            f"the message is signed by {sender.subscriber_id}, but its {role} is {named}",
        )
    if sender.url and uri and uri.rstrip("/") != sender.url.rstrip("/"):
        raise Refusal(
            NACK_UNAUTHORIZED,
            f"the context names {uri}, not the URL {sender.url} registered for {named}",
        )


def _check_catalogue_answer(message: BecknMessage[Any], sender: SubscriberKey) -> None:
    """on_discover comes from a seller platform, or from a gateway answering from its index;
    a seller platform answers only for itself (context and catalogues)."""
    if sender.type == "BG":
        return
    if sender.type != "BPP":
        raise Refusal(NACK_UNAUTHORIZED, "only a seller platform or a gateway sends on_discover")
    named = message.context.bpp_id
    if named is not None and named != sender.subscriber_id:
        raise Refusal(
            NACK_UNAUTHORIZED,
            f"the message is signed by {sender.subscriber_id}, but its bppId is {named}",
        )
    for catalog in getattr(message.message, "catalogs", ()):
        if catalog.bpp_id is not None and catalog.bpp_id != sender.subscriber_id:
            raise Refusal(
                NACK_UNAUTHORIZED,
                f"{sender.subscriber_id} cannot answer for the catalogue of {catalog.bpp_id}",
            )


def _message_id_of(body: bytes) -> str:
    """The message id of a refused body, if it has one, for the NACK's counter-signature."""
    try:
        document = json.loads(body)
        message_id = document["context"]["messageId"]
    except (ValueError, KeyError, TypeError, RecursionError):
        # RecursionError: nested deeper than the parser goes; the NACK names no message.
        return ""
    if not isinstance(message_id, str) or "\n" in message_id or "\r" in message_id:
        return ""
    try:
        message_id.encode("utf-8")  # a lone surrogate (JSON's \ud800) cannot be signed
    except UnicodeEncodeError:
        return ""
    return message_id
