"""Publishing: events written in the caller's transaction, relays woken when it commits."""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from typing import Any, Protocol

from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox.models import PENDING, OutboxDelivery, OutboxEventRecord


class Subscriber(Protocol):
    """What publishing needs from a relay."""

    def handler_names(self, topic: str) -> set[str]: ...

    def wake(self) -> None: ...


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
) -> uuid.UUID:
    """Write an event in the caller's transaction and return its id.

    One delivery is created per handler declared for `topic` (see `declare`) or subscribed to
    it in this process right now; with none, the event is kept (for the record) but nobody
    will receive it. Relays of this process
    are woken when the caller's transaction commits, so delivery does not wait for a poll.
    `key` is kept for brokers that partition by it; the in-process relay does not order by it.
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
    session.execute(
        insert(OutboxEventRecord).values(
            id=event_id, topic=topic, key=key, payload=clean_payload, created_at=now
        )
    )
    engine = session.get_bind().engine
    handlers = sorted(hub(engine).handler_names(topic) | declared_handlers(topic))
    if handlers:
        session.execute(
            insert(OutboxDelivery),
            [
                {
                    "id": new_id(),
                    "event_id": event_id,
                    "handler": handler,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for handler in handlers
            ],
        )
    session.info.setdefault(_WAKE_ON_COMMIT, set()).add(engine)
    return event_id


# Waking on commit (not on publish) matters: a relay woken earlier would find nothing yet.
@event.listens_for(Session, "after_commit")
def _wake_relays_after_commit(session: Session) -> None:
    for engine in session.info.pop(_WAKE_ON_COMMIT, ()):
        found = _hubs.get(engine)
        if found is not None:
            found.wake()


@event.listens_for(Session, "after_rollback")
def _forget_wake_after_rollback(session: Session) -> None:
    session.info.pop(_WAKE_ON_COMMIT, None)
