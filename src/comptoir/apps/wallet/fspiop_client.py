"""Outgoing FSPIOP calls, through the kernel's transactional outbox.

`queue` writes the call in the caller's transaction (with the change that caused it): the call
exists if and only if that change committed, so a crash never loses one nor sends one for a
change that rolled back. The outbox relay then hands it to `FspiopSender`, which signs it
(FSPIOP-Signature, RS256, with the institution's key and a fresh Date) and sends it to the
switch. The body bytes are fixed when queued, so a retry after a crash or a timeout resends the
same request, which the switch treats as a resend (FSPIOP section 3.2.5: same outcome, no
second effect).

What the switch answers decides what happens next:
- 2xx: delivered; the answer comes later as a callback;
- 408, 425, 429, 5xx, or no answer: raised, so the relay retries with backoff;
- any other 4xx: the switch refused the request for good (bad signature, failed validation);
  `on_refused` applies that error as if it had come as an error callback (a payment fails and
  its reservation is released), once (it gets the event id for `processed_once`).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy.orm import Session

from comptoir.apps.wallet.keys import signing_key
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.fspiop import (
    FspiopError,
    build_headers,
    error_from_body,
    json_body,
    sign_headers,
)
from comptoir.kernel.outbox import OutboxEvent, declare, publish

TOPIC: Final = "wallet.fspiop.outgoing"
HANDLER: Final = "wallet.fspiop.sender"
_RETRYABLE: Final = frozenset({408, 425, 429})
# Declared, not only subscribed: a call queued by a command (`comptoir wallet customer add`)
# gets its delivery too, and the node's relay sends it.
declare(TOPIC, HANDLER)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """What a request is about, so that a refusal can be applied to it."""

    kind: str  # payment | request | identifier | reply
    id: str


def queue(
    session: Session,
    *,
    institution_id: str,
    switch_url: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    destination: str | None,
    subject: Subject | None = None,
    clock: Clock = system_clock,
) -> uuid.UUID:
    """Queue `method path` (a path from the API root: "/quotes/<id>") to the switch."""
    resource = path.split("/")[1]
    payload: dict[str, Any] = {
        "institution": institution_id,
        "method": method.upper(),
        "url": switch_url.rstrip("/") + path,
        "path": path,
        "resource": resource,
        "destination": destination,
        "body": None if body is None else json_body(body).decode("utf-8"),
        "subject": None if subject is None else {"kind": subject.kind, "id": subject.id},
    }
    return publish(session, topic=TOPIC, payload=payload, key=institution_id, clock=clock)


class DeliveryError(Exception):
    """The switch could not take the request now; the relay tries again later."""


Refusal = Callable[[uuid.UUID, dict[str, Any], FspiopError], None]


class FspiopSender:
    """The outbox handler that signs and sends queued calls. `transport` is httpx's: None for
    real HTTP, or another transport (an in-process one, or a test's) chosen at startup."""

    def __init__(
        self,
        *,
        keys_dir: Path,
        on_refused: Refusal,
        clock: Clock = system_clock,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.keys_dir = keys_dir
        self.on_refused = on_refused
        self.clock = clock
        self.transport = transport
        self.timeout = timeout

    def __call__(self, event: OutboxEvent) -> None:
        payload = event.payload
        method: str = payload["method"]
        body = payload["body"].encode("utf-8") if payload["body"] is not None else b""
        headers = build_headers(
            resource=payload["resource"],
            method=method,
            uri=payload["path"],
            source=payload["institution"],
            destination=payload["destination"],
            clock=self.clock,
        )
        key = signing_key(self.keys_dir, payload["institution"]).key
        headers = sign_headers(headers, body=body, private_key=key)
        with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
            if "Accept" not in headers:
                # A callback carries no Accept (API Definition, table 1), not even httpx's */*.
                del client.headers["Accept"]
            try:
                response = client.request(method, payload["url"], content=body, headers=headers)
            except httpx.HTTPError as failure:
                raise DeliveryError(f"{method} {payload['url']}: {failure}") from failure
        status = response.status_code
        if status < 300:
            return
        if status in _RETRYABLE or status >= 500:
            raise DeliveryError(f"{method} {payload['url']} answered {status}")
        error = refusal_error(status, response.content)
        logger.warning(
            "the switch refused %s %s from %s: %s",
            method,
            payload["path"],
            payload["institution"],
            error,
        )
        self.on_refused(event.id, payload, error)


def refusal_error(status: int, content: bytes) -> FspiopError:
    """The FSPIOP error in a 4xx answer, or one that says what the status means."""
    try:
        return error_from_body(json.loads(content))
    except (FspiopError, ValueError, UnicodeDecodeError, RecursionError):
        pass
    if status == 404:
        return FspiopError("3002", "the switch does not know this address")
    if status in (401, 403):
        return FspiopError("3105", f"the switch refused the request (HTTP {status})")
    return FspiopError("3000", f"the switch refused the request (HTTP {status})")
