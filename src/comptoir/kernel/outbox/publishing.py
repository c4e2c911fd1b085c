"""Publishing: events written in the caller's transaction, relays woken when it commits."""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Engine, Table, event, insert
from sqlalchemy.orm import Session, SessionTransaction

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox.models import (
    PENDING,
    Claim,
    OutboxDelivery,
    OutboxEvent,
    OutboxEventRecord,
)


class Subscriber(Protocol):
    """What publishing needs from a relay."""

    def handler_names(self, topic: str) -> set[str]: ...

    def wake(self) -> None: ...

    def lease_for_immediate_send(
        self, topic: str, handler_name: str, now: datetime
    ) -> tuple[uuid.UUID, datetime] | None: ...

    def send_now(self, claims: Sequence[Claim]) -> None: ...


class _Hub:
    """The relays on one engine in this process: who is subscribed, and whom to wake."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._relays: weakref.WeakSet[Subscriber] = weakref.WeakSet()

    def add(self, relay: Subscriber) -> None:
        with self._lock:
            self._relays.add(relay)

    def relays(self) -> list[Subscriber]:
        with self._lock:
            return list(self._relays)

    def handler_names(self, topic: str) -> set[str]:
        return {name for relay in self.relays() for name in relay.handler_names(topic)}

    def wake(self) -> None:
        for relay in self.relays():
            relay.wake()

    def immediate_sender(
        self, topic: str, handler_name: str, now: datetime
    ) -> tuple[Subscriber, uuid.UUID, datetime] | None:
        """A running relay of this process that will send such a delivery after its commit."""
        for relay in self.relays():
            lease = relay.lease_for_immediate_send(topic, handler_name, now)
            if lease is not None:
                return relay, *lease
        return None


# Handlers declared by the code that publishes, whether or not a relay runs in this process: an
# event published by a command-line tool gets its deliveries, which a server's relay then makes.
_declared: dict[str, set[str]] = {}
_declared_lock = threading.Lock()


def declare(topic: str, handler_name: str) -> None:
    """State, at import time, that `handler_name` receives every event of `topic`, wherever
    it is published; a relay that subscribes a handler of that name delivers them."""
    if not topic or not handler_name:
        raise ValueError("a declaration needs a topic and a handler name")
    with _declared_lock:
        _declared.setdefault(topic, set()).add(handler_name)


def declared_handlers(topic: str) -> set[str]:
    with _declared_lock:
        return set(_declared.get(topic, ()))


# Keyed by engine, so that relays (and tests) on different databases never see each other.
_hubs: weakref.WeakKeyDictionary[Engine, _Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()
_WAKE_ON_COMMIT = "comptoir.outbox.wake_on_commit"
_SEND_ON_COMMIT = "comptoir.outbox.send_on_commit"
# A delivery to send after the commit: its relay, its claim, and the transaction it was
# published in (a savepoint's, when it was inside one).
_Send = tuple[Subscriber, Claim, SessionTransaction | None]
# Core statements on the tables, built once: every change that announces itself writes them,
# and the ORM's bulk insert path cost several times the statements themselves.
_INSERT_EVENT = insert(cast(Table, OutboxEventRecord.__table__))
_INSERT_DELIVERIES = insert(cast(Table, OutboxDelivery.__table__))


def hub(engine: Engine) -> _Hub:
    with _hubs_lock:
        found = _hubs.get(engine)
        if found is None:
            found = _hubs[engine] = _Hub()
        return found


def publish(
    session: Session,
    *,
    topic: str,
    payload: dict[str, Any],
    key: str | None = None,
    clock: Clock = system_clock,
    send_now: bool = False,
) -> uuid.UUID:
    """Write an event in the caller's transaction and return its id.

    One delivery is created per handler declared for `topic` (see `declare`) or subscribed to
    it in this process right now; with none, the event is kept (for the record) but nobody
    will receive it. Relays of this process
    are woken when the caller's transaction commits, so delivery does not wait for a poll.
    `key` is kept for brokers that partition by it; the in-process relay does not order by it.

    With `send_now`, a delivery that a running relay of this process handles is sent right
    after the commit, without waiting for a claim (see `immediate`); the stored delivery stays
    the fallback should that send fail or be lost.
    """
    if not topic or not topic.strip():
        raise ValueError("an event needs a topic")
    if not isinstance(payload, dict):
        raise TypeError("an event's payload is a JSON object (a dict)")
    # Handlers must receive exactly what was stored: JSON turns tuples into lists, and a value
    # JSON cannot hold (a set, a datetime, NaN) is refused now rather than in the relay.
    clean_payload = json.loads(json.dumps(payload, allow_nan=False))
    now = clock.now()
    event_id = new_id()
    # Written at once rather than left pending in the session: the rows are final, and the
    # deliveries must follow their event into the database.
    connection = session.connection()
    connection.execute(
        _INSERT_EVENT,
        {"id": event_id, "topic": topic, "key": key, "payload": clean_payload, "created_at": now},
    )
    engine = connection.engine
    relays = hub(engine)
    handlers = sorted(relays.handler_names(topic) | declared_handlers(topic))
    rows: list[dict[str, Any]] = []
    sends: list[_Send] = []
    # The innermost transaction: should a savepoint roll back, what it published is not sent.
    transaction = session.get_nested_transaction() or session.get_transaction()
    for handler in handlers:
        row: dict[str, Any] = {
            "id": new_id(),
            "event_id": event_id,
            "handler": handler,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "lease_until": None,
            "lease_token": None,
        }
        sender = relays.immediate_sender(topic, handler, now) if send_now else None
        if sender is not None:
            relay, token, until = sender
            # Leased, and its attempt counted, as a claim would: no relay takes it meanwhile.
            row.update(attempts=1, lease_until=until, lease_token=token)
            event = OutboxEvent(
                id=event_id, topic=topic, key=key, payload=clean_payload, created_at=now
            )
            sends.append((relay, Claim(row["id"], handler, 1, event), transaction))
        rows.append(row)
    if rows:
        connection.execute(_INSERT_DELIVERIES, rows)
    if sends:
        session.info.setdefault(_SEND_ON_COMMIT, []).extend(sends)
    if len(sends) < len(rows):
        # Waking a relay for deliveries already on their way would cost a claim for nothing.
        session.info.setdefault(_WAKE_ON_COMMIT, set()).add(engine)
    return event_id


# Waking on commit (not on publish) matters: a relay woken earlier would find nothing yet.
@event.listens_for(Session, "after_commit")
def _wake_relays_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction itself has not committed yet
    sends: list[_Send] = session.info.pop(_SEND_ON_COMMIT, [])
    by_relay: dict[int, tuple[Subscriber, list[Claim]]] = {}
    for relay, claim, _transaction in sends:
        by_relay.setdefault(id(relay), (relay, []))[1].append(claim)
    for relay, claims in by_relay.values():
        relay.send_now(claims)
    for engine in session.info.pop(_WAKE_ON_COMMIT, ()):
        found = _hubs.get(engine)
        if found is not None:
            found.wake()


# "soft" rollbacks include savepoints, which must forget only what they published.
@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_WAKE_ON_COMMIT, None)
        session.info.pop(_SEND_ON_COMMIT, None)
        return
    sends: list[_Send] | None = session.info.get(_SEND_ON_COMMIT)
    if sends:
        sends[:] = [send for send in sends if not _within(send[2], previous)]


def _within(transaction: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False
