"""Messages the switch sends: relayed DFSP messages and its own, through the outbox.

Each message is written to the transactional outbox in the same transaction as the state it
announces, so a crash can neither lose a callback nor send one for a change that rolled back.
It is sent right after that transaction commits (an immediate send of the outbox), to the
destination's callback URL (read at sending time through the participant cache, so an
operator's change applies within `participant_cache.CACHE_SECONDS`); if
that send fails or is lost with the process, the relay delivers the stored message, retrying
with backoff while the destination is down.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from comptoir.kernel import outbox
from comptoir.kernel.clock import Clock
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import RsaJwk, build_headers, error_body, json_body, sign_headers
from comptoir.kernel.fspiop.errors import FspiopError
from comptoir.payments.services.participant_cache import participant_cache
from comptoir.payments.switch.callback_client import CallbackClient

TOPIC = "payments.fspiop.outbound"
HANDLER = "payments.fspiop.sender"
logger = logging.getLogger("comptoir.payments.outbound")
outbox.declare(TOPIC, HANDLER)


class Sender:
    """Builds outgoing messages; the switch's id and key sign what it originates."""

    def __init__(self, *, switch_id: str, key: RsaJwk, clock: Clock) -> None:
        self.switch_id = switch_id
        self.key = key
        self.clock = clock

    def relay(
        self,
        session: Session,
        *,
        destination: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        """Pass a DFSP's message on unchanged: same body bytes, same signed headers."""
        outgoing = dict(headers)
        # A sender may leave the destination out when it cannot know it (GET /parties): the
        # switch fills it in, outside the signature, as the Signature document allows.
        if not any(name.lower() == "fspiop-destination" for name in outgoing):
            outgoing["FSPIOP-Destination"] = destination
        self._publish(
            session, destination=destination, method=method, path=path, headers=outgoing, body=body
        )

    def originate(
        self,
        session: Session,
        *,
        destination: str,
        resource: str,
        method: str,
        path: str,
        document: dict[str, Any] | None,
    ) -> None:
        """A message of the switch's own (an error callback, a notification), signed by it."""
        body = json_body(document) if document is not None else b""
        headers = build_headers(
            resource=resource,
            method=method,
            uri=path,
            source=self.switch_id,
            destination=destination,
            clock=self.clock,
        )
        signed = sign_headers(headers, body=body, private_key=self.key)
        self._publish(
            session, destination=destination, method=method, path=path, headers=signed, body=body
        )

    def error(
        self, session: Session, *, destination: str, resource: str, path: str, error: FspiopError
    ) -> None:
        """`PUT {path}/error` to `destination`, from the switch."""
        self.originate(
            session,
            destination=destination,
            resource=resource,
            method="PUT",
            path=f"{path}/error",
            document=error_body(error),
        )

    def _publish(
        self,
        session: Session,
        *,
        destination: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        outbox.publish(
            session,
            topic=TOPIC,
            key=destination,
            payload={
                "destination": destination,
                "method": method,
                "path": path,
                "headers": headers,
                "body": body.decode("utf-8"),
            },
            clock=self.clock,
            # Sent the moment the transaction commits; the stored delivery is the fallback.
            send_now=True,
        )


class Deliverer:
    """The outbox handler that puts messages on the wire."""

    def __init__(self, database: Database, *, timeout_seconds: float = 10.0) -> None:
        self.database = database
        # A message carries the headers its sender set and no other (the client adds only
        # Host and Content-Length): a callback (PUT) and a notification (PATCH) carry no
        # Accept (API Definition, table 1: "Not used in a callback from the server").
        self.client = CallbackClient(timeout_seconds=timeout_seconds)

    def __call__(self, event: outbox.OutboxEvent) -> None:
        payload = event.payload
        participants = participant_cache(self.database.engine)
        participant = participants.peek(payload["destination"])
        if participant is None:
            # A read: on SQLite a write transaction would queue behind every writer for nothing.
            with self.database.reading() as session:
                participant = participants.load(session, payload["destination"])
        url = None if participant is None else participant.callback_url
        if url is None:
            logger.warning("no participant %s: message dropped", payload["destination"])
            return
        response = self.client.request(
            payload["method"],
            url + payload["path"],
            headers=payload["headers"],
            body=payload["body"].encode("utf-8"),
        )
        if response.status_code >= 500:
            # The destination is in trouble: the outbox tries again later, with backoff.
            raise RuntimeError(f"{url} answered {response.status_code}")
        if response.status_code >= 400:
            # It refused the message itself; sending it again would be refused again.
            logger.warning(
                "%s refused %s %s: %s %s",
                payload["destination"],
                payload["method"],
                payload["path"],
                response.status_code,
                response.text[:300],
            )
