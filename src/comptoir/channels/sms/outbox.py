"""The SMS outbox: every `sms.send` event becomes one stored message, handed to an adapter.

Blocks never import this channel: they publish `{"to": "+1758...", "body": "..."}` on the
kernel outbox's topic `sms.send`, in the transaction of the change that needs the message. The
relay hands the event to `SmsOutbox.handle`, which stores the message (once, whatever the
redeliveries) and gives it to the adapter: the console adapter keeps it for the operator's
`/operator/sms` page (the demo), a gateway adapter would POST it to a provider.
"""

from __future__ import annotations

import logging
import uuid
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.channels.sms.models import SENT, SmsMessage
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox import OutboxEvent, OutboxEventRecord, declare, processed_once

logger = logging.getLogger(__name__)

TOPIC: Final = "sms.send"
HANDLER: Final = "channels.sms.outbox"
MAX_BODY: Final = 1000

# Declared at import: an event published by a process that never started a relay (a command)
# still gets its delivery, which a server's relay then makes.
declare(TOPIC, HANDLER)


class SmsAdapter(Protocol):
    """Hands one message to whatever carries it. Raising makes the relay retry later."""

    def send(self, *, recipient: str, body: str) -> None: ...


class ConsoleAdapter:
    """The demo's adapter: the message is only kept in `sms_message`, for `/operator/sms`.
    It logs that a message went out, never its body (which may hold a one-time code)."""

    def send(self, *, recipient: str, body: str) -> None:
        logger.info("SMS to %s kept in the console outbox (%d characters)", recipient, len(body))


class GatewayAdapter:
    """The production seam: POST each message as JSON to an SMS provider's HTTP endpoint
    (the `COMPTOIR_SMS_GATEWAY_URL` setting). Providers differ; a deployment adapts the body
    here."""

    def __init__(self, url: str, *, timeout_seconds: float = 8.0) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds

    def send(self, *, recipient: str, body: str) -> None:
        import httpx

        answer = httpx.post(
            self.url, json={"to": recipient, "message": body}, timeout=self.timeout_seconds
        )
        if answer.status_code >= 300:
            # The body is left out of the error: it may hold a one-time code.
            raise RuntimeError(f"the SMS gateway answered {answer.status_code}")


class SmsOutbox:
    def __init__(
        self,
        database: Database,
        *,
        adapter: SmsAdapter | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.database = database
        self.adapter = adapter or ConsoleAdapter()
        self.clock = clock

    def handle(self, event: OutboxEvent) -> None:
        recipient = str(event.payload.get("to", ""))[:16]
        body = str(event.payload.get("body", ""))[:MAX_BODY]
        if not recipient.startswith("+") or not body:
            logger.warning("SMS event %s has no recipient or no body; dropped", event.id)
            return
        with self.database.reading() as session:
            if session.scalar(select(SmsMessage.id).where(SmsMessage.event_id == event.id)):
                return
        # Sent before the transaction, never inside it: a gateway may take seconds, and no
        # database lock is held across a network call. Should the record then fail, the relay
        # sends again: a person may get a message twice, never none.
        self.adapter.send(recipient=recipient, body=body)
        with self.database.transaction() as session:
            if not processed_once(session, HANDLER, event.id, clock=self.clock):
                return
            session.add(
                SmsMessage(
                    id=new_id(),
                    event_id=event.id,
                    recipient=recipient,
                    body=body,
                    created_at=self.clock.now(),
                    status=SENT,
                )
            )


def messages(session: Session, *, limit: int = 100) -> list[SmsMessage]:
    """The messages sent, newest first (for the operator's console page)."""
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    return list(session.scalars(query.limit(limit)))


def latest_message_to(session: Session, phone: str) -> str | None:
    """The body of the newest message to `phone` (E.164), sent or still waiting in the
    outbox; None if there is none. For the console, and for tests reading a code "sent"."""
    sent = session.scalar(
        select(SmsMessage)
        .where(SmsMessage.recipient == phone)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
        .limit(1)
    )
    # The newest event may not be delivered yet: the relay runs on its own thread.
    queued = session.scalars(
        select(OutboxEventRecord)
        .where(OutboxEventRecord.topic == TOPIC, OutboxEventRecord.key == phone)
        .order_by(OutboxEventRecord.created_at.desc(), OutboxEventRecord.id.desc())
        .limit(1)
    ).first()
    candidates: list[tuple[uuid.UUID, str]] = []
    if sent is not None:
        candidates.append((sent.event_id, sent.body))
    if queued is not None:
        candidates.append((queued.id, str(queued.payload.get("body", ""))))
    # Event ids are UUIDv7: the greatest is the newest.
    return max(candidates)[1] if candidates else None
