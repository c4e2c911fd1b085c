"""The relay's bookkeeping in the database: claiming due deliveries with a lease, recording
each outcome (delivered, tried again after a backoff, or dead), and giving back claims not
tried. Each step is one short transaction of its own, never held while a handler runs."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import aliased

from comptoir.kernel.db import Database
from comptoir.kernel.outbox.models import (
    DEAD,
    DELIVERED,
    LAST_ERROR_LENGTH,
    PENDING,
    Claim,
    OutboxDelivery,
    OutboxEvent,
    OutboxEventRecord,
)

logger = logging.getLogger(__name__)

# Scrubbed from handler errors before they are stored or logged: passwords in URLs and
# `name=value` pairs whose name says secret. Handlers should still keep secrets out of errors.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_SECRET_PAIR = re.compile(
    r"\b((?:password|passwd|secret|token|api_?key|pin|otp)\w*\s*[=:]\s*)[^\s,;&]+", re.IGNORECASE
)


def claim_due(
    database: Database,
    subscriptions: Sequence[tuple[str, str]],
    token: uuid.UUID,
    *,
    now: datetime,
    batch: int,
    lease: timedelta,
    max_attempts: int,
) -> list[Claim]:
    """Lease up to `batch` due deliveries of `subscriptions` to `token`, counting an attempt
    each; a delivery whose last allowed attempt outlived its lease is marked dead instead."""
    # The subqueries read an alias, so that they never correlate with the updated table.
    candidate = aliased(OutboxDelivery)
    mine = (
        select(candidate.id)
        .join(OutboxEventRecord, OutboxEventRecord.id == candidate.event_id)
        .where(
            candidate.status == PENDING,
            or_(
                *(
                    and_(OutboxEventRecord.topic == topic, candidate.handler == name)
                    for topic, name in subscriptions
                )
            ),
        )
    )
    lease_free = or_(OutboxDelivery.lease_until.is_(None), OutboxDelivery.lease_until <= now)
    with database.transaction() as session:
        # A relay that died during the last allowed attempt leaves a lease that expires
        # with no attempts left: that delivery is dead, not tried once more.
        session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.id.in_(mine),
                OutboxDelivery.status == PENDING,
                OutboxDelivery.lease_until <= now,
                OutboxDelivery.attempts >= max_attempts,
            )
            .values(
                status=DEAD,
                lease_until=None,
                lease_token=None,
                last_error="the relay stopped during the last attempt (lease expired)",
            )
            .execution_options(synchronize_session=False)
        )
        due = (
            mine.where(
                candidate.next_attempt_at <= now,
                or_(candidate.lease_until.is_(None), candidate.lease_until <= now),
            )
            .order_by(candidate.next_attempt_at, candidate.id)
            .limit(batch)
        )
        # The conditions are repeated outside the subquery: when two relays pick the same
        # rows, PostgreSQL re-checks them on the row as the first relay left it (leased,
        # delivered or rescheduled), and the second relay skips it. SQLite runs one writer
        # at a time.
        session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.id.in_(due),
                OutboxDelivery.status == PENDING,
                OutboxDelivery.next_attempt_at <= now,
                lease_free,
            )
            .values(
                lease_until=now + lease,
                lease_token=token,
                attempts=OutboxDelivery.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(OutboxDelivery, OutboxEventRecord)
            .join(OutboxEventRecord, OutboxEventRecord.id == OutboxDelivery.event_id)
            .where(OutboxDelivery.lease_token == token)
            .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
        )
        return [
            Claim(
                delivery_id=delivery.id,
                handler=delivery.handler,
                attempts=delivery.attempts,
                event=OutboxEvent(
                    id=record.id,
                    topic=record.topic,
                    key=record.key,
                    payload=record.payload,
                    created_at=record.created_at,
                ),
            )
            for delivery, record in rows
        ]


_DELIVERY = cast(Table, OutboxDelivery.__table__)
_MARK_DELIVERED = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id.in_(bindparam("ids", expanding=True)),
        _DELIVERY.c.lease_token == bindparam("token"),
    )
    .values(
        status=DELIVERED,
        delivered_at=bindparam("now", type_=_DELIVERY.c.delivered_at.type),
        lease_until=None,
        lease_token=None,
    )
)


def record_outcomes(
    database: Database,
    outcomes: Sequence[tuple[Claim, Exception | None]],
    token: uuid.UUID,
    *,
    now: datetime,
    max_attempts: int,
    backoff: Callable[[int], timedelta],
) -> None:
    """Record a batch's outcomes in one transaction: delivered, retry later, or dead."""
    delivered = [claim.delivery_id for claim, error in outcomes if error is None]
    # Statements alone, on a connection: the session's bookkeeping cost more than they do, and
    # every message the switch sends comes through here.
    with database.connection_transaction() as connection:
        finished = 0
        if delivered:
            finished += connection.execute(
                _MARK_DELIVERED, {"ids": delivered, "token": token, "now": now}
            ).rowcount
        for claim, error in outcomes:
            if error is None:
                continue
            finished += connection.execute(
                update(_DELIVERY)
                .where(_DELIVERY.c.id == claim.delivery_id, _DELIVERY.c.lease_token == token)
                .values(
                    _failure_values(claim, error, now, max_attempts=max_attempts, backoff=backoff)
                )
            ).rowcount
    if finished < len(outcomes):
        logger.warning(
            "%d outbox deliveries outlived their lease and were claimed again; "
            "make the handler faster or the lease longer",
            len(outcomes) - finished,
        )


def _failure_values(
    claim: Claim,
    error: Exception,
    now: datetime,
    *,
    max_attempts: int,
    backoff: Callable[[int], timedelta],
) -> dict[str, Any]:
    described = describe_error(error)
    dead = claim.attempts >= max_attempts
    logger.warning(
        "outbox delivery %s of event %s to %s failed (attempt %d%s): %s",
        claim.delivery_id,
        claim.event.id,
        claim.handler,
        claim.attempts,
        ", now dead" if dead else "",
        described,
    )
    values: dict[str, Any] = {
        "lease_until": None,
        "lease_token": None,
        "last_error": described,
    }
    if dead:
        values["status"] = DEAD
    else:
        values["next_attempt_at"] = now + backoff(claim.attempts)
    return values


def release(database: Database, claims: Sequence[Claim], token: uuid.UUID) -> None:
    """Give back deliveries claimed but not tried, as if never claimed."""
    with database.transaction() as session:
        session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.id.in_([claim.delivery_id for claim in claims]),
                OutboxDelivery.lease_token == token,
            )
            .values(lease_until=None, lease_token=None, attempts=OutboxDelivery.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def describe_error(error: BaseException) -> str:
    """The error as stored in `last_error`: type and message, scrubbed of secrets, truncated."""
    text = f"{type(error).__name__}: {error}"
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _SECRET_PAIR.sub(r"\1***", text)
    if len(text) > LAST_ERROR_LENGTH:
        text = text[: LAST_ERROR_LENGTH - 1] + "…"
    return text
