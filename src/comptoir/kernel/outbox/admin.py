"""What operators do with deliveries: look at them, and give dead ones another chance."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.outbox.models import DEAD, PENDING, OutboxDelivery


def retry_dead(
    session: Session,
    *,
    handler: str | None = None,
    event_id: uuid.UUID | None = None,
    clock: Clock = system_clock,
) -> int:
    """Dead deliveries (all, one handler's, or one event's) become pending again, due now and
    with a fresh count of attempts; `last_error` stays until the next failure. Returns how many.
    """
    statement = (
        update(OutboxDelivery)
        .where(OutboxDelivery.status == DEAD)
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_at=clock.now(),
            lease_until=None,
            lease_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    if handler is not None:
        statement = statement.where(OutboxDelivery.handler == handler)
    if event_id is not None:
        statement = statement.where(OutboxDelivery.event_id == event_id)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def deliveries(
    session: Session,
    *,
    status: str | None = None,
    handler: str | None = None,
    event_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[OutboxDelivery]:
    """Deliveries, oldest first, filtered (e.g. `status=DEAD` for what needs an operator)."""
    query = select(OutboxDelivery).order_by(OutboxDelivery.id).limit(limit)
    if status is not None:
        query = query.where(OutboxDelivery.status == status)
    if handler is not None:
        query = query.where(OutboxDelivery.handler == handler)
    if event_id is not None:
        query = query.where(OutboxDelivery.event_id == event_id)
    return list(session.scalars(query))
