"""The transactional outbox, relayed in-process, with an inbox for idempotent consumers.

`publish` writes an event in the caller's transaction, with one delivery per handler subscribed
to its topic: the event exists if and only if the change that caused it committed. An
`OutboxRelay` then hands each delivery to its handler, at least once: a delivery whose relay
died mid-way is claimed again when its lease expires. Handlers make that exactly once in effect
with `processed_once`, the idempotent consumer: they record a receipt in the same transaction
as their effect, and skip the effect when the receipt is already there.

Subscriptions live in the process (a relay's `subscribe`), and `publish` creates deliveries for
the handlers subscribed *at that moment* to the same database in this process. So the process
that publishes must have wired its subscribers first, as the composition root does at startup.
"""

from comptoir.kernel.outbox.admin import deliveries, retry_dead
from comptoir.kernel.outbox.inbox import processed_once
from comptoir.kernel.outbox.leases import describe_error
from comptoir.kernel.outbox.models import (
    DEAD,
    DELIVERED,
    LAST_ERROR_LENGTH,
    PENDING,
    Handler,
    InboxReceipt,
    OutboxDelivery,
    OutboxEvent,
    OutboxEventRecord,
)
from comptoir.kernel.outbox.publishing import declare, publish
from comptoir.kernel.outbox.relay import OutboxRelay

__all__ = [
    "DEAD",
    "DELIVERED",
    "LAST_ERROR_LENGTH",
    "PENDING",
    "Handler",
    "InboxReceipt",
    "OutboxDelivery",
    "OutboxEvent",
    "OutboxEventRecord",
    "OutboxRelay",
    "declare",
    "deliveries",
    "describe_error",
    "processed_once",
    "publish",
    "retry_dead",
]
