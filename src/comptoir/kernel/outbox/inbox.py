"""The inbox: receipts that make a redelivered event an idempotent no-op."""

from __future__ import annotations

import uuid

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.outbox.models import InboxReceipt


def processed_once(
    session: Session, consumer: str, event_id: uuid.UUID, *, clock: Clock = system_clock
) -> bool:
    """Record that `consumer` processes `event_id`: True the first time, False on a replay.

    Call it inside the transaction that applies the handler's effect, and apply the effect only
    when it returns True: the receipt and the effect then commit (or roll back) together, so a
    redelivered event is applied exactly once. A concurrent duplicate waits for the first one's
    transaction to end, then gets False (or True, if that one rolled back).
    """
    values = {"consumer": consumer, "event_id": event_id, "processed_at": clock.now()}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        module = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(InboxReceipt)
            .values(values)
            .on_conflict_do_nothing()
            .returning(InboxReceipt.event_id)
        )
        # RETURNING rather than rowcount, which psycopg leaves at -1 for this statement.
        return session.execute(statement).first() is not None
    try:
        with session.begin_nested():
            session.execute(insert(InboxReceipt).values(values))
    except IntegrityError:
        return False
    return True
