"""Send Beckn messages: serialise once, sign those exact bytes, post them.

`BecknSender.send` takes a model (or ready bytes) and returns a `Delivery`; when the sender has
a `KeySource` it also checks the receiver's counter-signature in the Ack. `forward` relays bytes
someone else signed (a gateway), unchanged, with its own `X-Gateway-Authorization` added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import httpx
from pydantic import BaseModel, ValidationError

from comptoir.kernel.beckn.acks import counter_signer, parse_ack, verify_ack
from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.keys import KeySource
from comptoir.kernel.beckn.models.errors import Ack
from comptoir.kernel.crypto.beckn import DEFAULT_TTL_SECONDS, SignatureError

DEFAULT_TIMEOUT_SECONDS: Final = 10.0


def serialise(message: BaseModel) -> bytes:
    """The wire bytes of a message: compact JSON, camelCase names, absent members left out."""
    return message.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")


def action_url(base_url: str, action: str) -> str:
    """`{subscriber url}/{action}`, the way Beckn addresses an action at a participant."""
    return f"{base_url.rstrip('/')}/{action}"


@dataclass(frozen=True)
class Delivery:
    """What came back. `ack` is None when the answer was not an Ack body; `verified` tells
    whether the counter-signature was checked and held (None: not checked)."""

    status_code: int
    body: bytes
    request_body: bytes
    ack: Ack | None
    verified: bool | None = None
    problem: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status_code == 200 and self.ack is not None and self.ack.status == "ACK"


class BecknSender:
    def __init__(
        self,
        identity: BecknIdentity,
        *,
        client: httpx.AsyncClient | None = None,
        keys: KeySource | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.identity = identity
        self.keys = keys
        self._client = client
        self._timeout = timeout_seconds

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self,
        url: str,
        message: BaseModel | bytes,
        *,
        message_id: str | None = None,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        timeout_seconds: float | None = None,
    ) -> Delivery:
        """Sign and post `message` to `url` (the full action URL, see `action_url`)."""
        body = message if isinstance(message, bytes) else serialise(message)
        if message_id is None and not isinstance(message, bytes):
            context = getattr(message, "context", None)
            message_id = getattr(context, "message_id", None)
        headers = {
            "Content-Type": "application/json",
            "Authorization": self.identity.sign(body, ttl_seconds=ttl_seconds),
        }
        return await self._post(url, body, headers, message_id, timeout_seconds)

    async def forward(
        self,
        url: str,
        body: bytes,
        *,
        authorization: str,
        message_id: str | None = None,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        timeout_seconds: float | None = None,
    ) -> Delivery:
        """Relay `body` exactly as received, with its sender's `Authorization`, adding this
        participant's `X-Gateway-Authorization` over the same bytes."""
        headers = {
            "Content-Type": "application/json",
            "Authorization": authorization,
            "X-Gateway-Authorization": self.identity.sign(body, ttl_seconds=ttl_seconds),
        }
        return await self._post(url, body, headers, message_id, timeout_seconds)

    async def _post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        message_id: str | None,
        timeout_seconds: float | None,
    ) -> Delivery:
        timeout = self._timeout if timeout_seconds is None else timeout_seconds
        response = await self.client.post(url, content=body, headers=headers, timeout=timeout)
        answer = response.content
        try:
            ack = parse_ack(answer)
        except ValidationError:
            return Delivery(response.status_code, answer, body, None, problem="not an Ack")
        if self.keys is None or message_id is None:
            return Delivery(response.status_code, answer, body, ack)
        return await self._checked(response.status_code, answer, body, ack, message_id)

    async def _checked(
        self, status_code: int, answer: bytes, body: bytes, ack: Ack, message_id: str
    ) -> Delivery:
        assert self.keys is not None
        try:
            subscriber_id, unique_key_id = counter_signer(ack)
            key = await self.keys.signing_key(subscriber_id, unique_key_id)
            if key is None:
                raise SignatureError("bad_key", f"no key {unique_key_id} of {subscriber_id}")
            # A NACK for a refused message may carry no message id.
            for candidate in (message_id, ""):
                try:
                    verify_ack(
                        answer,
                        request_body=body,
                        message_id=candidate,
                        public_key=key.signing_public_key,
                        clock=self.identity.clock,
                    )
                    break
                except SignatureError:
                    if candidate == "" or ack.status == "ACK":
                        raise
        except SignatureError as error:
            return Delivery(status_code, answer, body, ack, verified=False, problem=error.detail)
        return Delivery(status_code, answer, body, ack, verified=True)
