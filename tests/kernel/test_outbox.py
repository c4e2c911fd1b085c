"""The outbox: events leave with their transaction, and reach each handler once in effect."""

from __future__ import annotations

import os
import select as io_select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest

from comptoir.kernel.audit import entries, record
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import (
    DEAD,
    DELIVERED,
    PENDING,
    OutboxDelivery,
    OutboxEvent,
    OutboxRelay,
    deliveries,
    processed_once,
    publish,
    retry_dead,
)

TOPIC = "payments.transfer.committed"
CONSUMER = "ledger.credit"


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def publish_one(
    database: Database, clock: FrozenClock, payload: dict[str, object] | None = None
) -> uuid.UUID:
    with database.transaction() as session:
        return publish(
            session, topic=TOPIC, payload=payload or {"amount": 1500}, key="t-1", clock=clock
        )


def the_delivery(
    database: Database, event_id: uuid.UUID, handler: str = CONSUMER
) -> OutboxDelivery:
    with database.transaction() as session:
        [delivery] = deliveries(session, event_id=event_id, handler=handler)
        return delivery


def credit_once(database: Database, clock: FrozenClock) -> Callable[[OutboxEvent], None]:
    """An idempotent handler: its effect (an audit entry) and its receipt commit together."""

    def credit(event: OutboxEvent) -> None:
        with database.transaction() as session:
            if processed_once(session, CONSUMER, event.id, clock=clock):
                record(
                    session,
                    actor="participant:bank-a",
                    action="ledger.credited",
                    subject=f"event:{event.id}",
                    details=event.payload,
                    clock=clock,
                )

    return credit


def effects(database: Database, event_id: uuid.UUID) -> int:
    with database.transaction() as session:
        return len(entries(session, subject=f"event:{event_id}"))


def test_a_published_event_reaches_every_handler_of_its_topic_once(
    database: Database, clock: FrozenClock
) -> None:
    received: list[tuple[str, OutboxEvent]] = []
    relay = OutboxRelay(database, clock=clock)
    relay.subscribe(TOPIC, "ledger", lambda event: received.append(("ledger", event)))
    relay.subscribe(TOPIC, "notify", lambda event: received.append(("notify", event)))
    relay.subscribe("identity.enrolled", "welcome", lambda event: received.append(("x", event)))

    event_id = publish_one(database, clock, {"amount": 1500, "currency": "XCD"})

    assert relay.run_once() == 2
    assert relay.run_once() == 0
    assert sorted(name for name, _ in received) == ["ledger", "notify"]
    event = received[0][1]
    assert (event.id, event.topic, event.key) == (event_id, TOPIC, "t-1")
    assert event.payload == {"amount": 1500, "currency": "XCD"}
    assert event.created_at == clock.now()
    for handler in ("ledger", "notify"):
        delivery = the_delivery(database, event_id, handler)
        assert (delivery.status, delivery.attempts, delivery.lease_until) == (DELIVERED, 1, None)
        assert delivery.delivered_at == clock.now()


def test_an_event_published_in_a_rolled_back_transaction_is_never_delivered(
    database: Database, clock: FrozenClock
) -> None:
    received: list[OutboxEvent] = []
    relay = OutboxRelay(database, clock=clock)
    relay.subscribe(TOPIC, CONSUMER, received.append)

    def publish_then_fail() -> None:
        with database.transaction() as session:
            publish(session, topic=TOPIC, payload={"amount": 1}, clock=clock)
            raise RuntimeError("the transfer failed")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    clock.advance(timedelta(days=1))

    assert relay.run_once() == 0
    assert received == []
    with database.transaction() as session:
        assert deliveries(session) == []


def test_an_event_published_before_anyone_subscribed_has_no_delivery(
    database: Database, clock: FrozenClock
) -> None:
    relay = OutboxRelay(database, clock=clock)
    event_id = publish_one(database, clock)
    relay.subscribe(TOPIC, CONSUMER, lambda event: None)

    assert relay.run_once() == 0
    with database.transaction() as session:
        assert deliveries(session, event_id=event_id) == []


def test_a_handler_that_fails_twice_is_retried_with_backoff_and_delivered_once(
    database: Database, clock: FrozenClock
) -> None:
    calls: list[uuid.UUID] = []

    def flaky(event: OutboxEvent) -> None:
        calls.append(event.id)
        if len(calls) <= 2:
            raise ConnectionError(f"webhook unreachable (call {len(calls)})")

    relay = OutboxRelay(database, clock=clock, base_delay=timedelta(seconds=10), rng=Random(7))
    relay.subscribe(TOPIC, CONSUMER, flaky)
    event_id = publish_one(database, clock)

    assert relay.run_once() == 1
    first = the_delivery(database, event_id)
    assert (first.status, first.attempts) == (PENDING, 1)
    assert first.last_error == "ConnectionError: webhook unreachable (call 1)"
    wait = first.next_attempt_at - clock.now()
    assert timedelta(seconds=5) <= wait <= timedelta(seconds=10)

    clock.advance(wait - timedelta(milliseconds=1))
    assert relay.run_once() == 0

    clock.advance(timedelta(milliseconds=1))
    assert relay.run_once() == 1
    second = the_delivery(database, event_id)
    wait = second.next_attempt_at - clock.now()
    assert (second.status, second.attempts) == (PENDING, 2)
    assert timedelta(seconds=10) <= wait <= timedelta(seconds=20)

    clock.advance(wait)
    assert relay.run_once() == 1
    assert relay.run_once() == 0
    delivered = the_delivery(database, event_id)
    assert (delivered.status, delivered.attempts) == (DELIVERED, 3)
    assert calls == [event_id] * 3


def test_the_backoff_doubles_up_to_its_cap(database: Database) -> None:
    relay = OutboxRelay(
        database, base_delay=timedelta(seconds=2), max_delay=timedelta(minutes=1), rng=Random(1)
    )

    for attempts, ceiling in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (40, 60), (200, 60)]:
        delay = relay.backoff(attempts).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_a_delivery_that_keeps_failing_is_dead_after_max_attempts_and_can_be_retried(
    database: Database, clock: FrozenClock
) -> None:
    healthy = threading.Event()

    def fragile(event: OutboxEvent) -> None:
        if not healthy.is_set():
            raise RuntimeError("the merchant's server answered 500")

    relay = OutboxRelay(database, clock=clock, max_attempts=3, max_delay=timedelta(minutes=5))
    relay.subscribe(TOPIC, CONSUMER, fragile)
    event_id = publish_one(database, clock)

    for _ in range(5):
        relay.run_once()
        clock.advance(timedelta(minutes=5))
    dead = the_delivery(database, event_id)
    assert (dead.status, dead.attempts) == (DEAD, 3)
    assert dead.last_error == "RuntimeError: the merchant's server answered 500"
    with database.transaction() as session:
        assert [delivery.id for delivery in deliveries(session, status=DEAD)] == [dead.id]

    healthy.set()
    with database.transaction() as session:
        assert retry_dead(session, handler=CONSUMER, clock=clock) == 1
    assert relay.run_once() == 1
    revived = the_delivery(database, event_id)
    assert (revived.status, revived.attempts) == (DELIVERED, 1)


def test_a_stored_error_is_truncated_and_carries_no_secrets(
    database: Database, clock: FrozenClock
) -> None:
    def leaky(event: OutboxEvent) -> None:
        raise RuntimeError(
            "cannot reach postgresql://app:hunter2@db/comptoir with api_key=abc123; " + "x" * 900
        )

    relay = OutboxRelay(database, clock=clock)
    relay.subscribe(TOPIC, CONSUMER, leaky)
    event_id = publish_one(database, clock)

    relay.run_once()

    error = the_delivery(database, event_id).last_error
    assert error is not None
    assert error.startswith("RuntimeError: cannot reach postgresql://app:***@db/comptoir")
    assert "hunter2" not in error
    assert "abc123" not in error
    assert len(error) == 500


def test_processed_once_is_true_the_first_time_and_false_on_replays(
    database: Database, clock: FrozenClock
) -> None:
    event_id = uuid.uuid4()

    with database.transaction() as session:
        first = processed_once(session, CONSUMER, event_id, clock=clock)
        again_in_the_same_transaction = processed_once(session, CONSUMER, event_id, clock=clock)
    with database.transaction() as session:
        replay = processed_once(session, CONSUMER, event_id, clock=clock)
        other_consumer = processed_once(session, "grievance.notify", event_id, clock=clock)

    assert (first, again_in_the_same_transaction, replay, other_consumer) == (
        True,
        False,
        False,
        True,
    )


def test_a_receipt_rolled_back_with_its_effect_lets_the_replay_apply_it(
    database: Database, clock: FrozenClock
) -> None:
    event_id = uuid.uuid4()

    def receive_then_fail() -> None:
        with database.transaction() as session:
            assert processed_once(session, CONSUMER, event_id, clock=clock)
            raise RuntimeError("the effect failed")

    with pytest.raises(RuntimeError):
        receive_then_fail()
    with database.transaction() as session:
        assert processed_once(session, CONSUMER, event_id, clock=clock)


def test_the_effect_happens_exactly_once_across_a_crash_before_the_delivery_is_marked(
    database: Database, clock: FrozenClock
) -> None:
    credit = credit_once(database, clock)

    def credit_then_crash(event: OutboxEvent) -> None:
        credit(event)
        raise SimulatedCrash

    crashing = OutboxRelay(database, clock=clock, lease=timedelta(minutes=1))
    crashing.subscribe(TOPIC, CONSUMER, credit_then_crash)
    event_id = publish_one(database, clock)

    with pytest.raises(SimulatedCrash):
        crashing.run_once()
    leased = the_delivery(database, event_id)
    assert (leased.status, leased.attempts) == (PENDING, 1)
    assert effects(database, event_id) == 1

    restarted = OutboxRelay(database, clock=clock)
    restarted.subscribe(TOPIC, CONSUMER, credit)
    assert restarted.run_once() == 0  # the lease still holds

    clock.advance(timedelta(minutes=1))
    assert restarted.run_once() == 1

    delivered = the_delivery(database, event_id)
    assert (delivered.status, delivered.attempts) == (DELIVERED, 2)
    assert effects(database, event_id) == 1


CRASHING_RELAY = """
import sys, time
from datetime import datetime, timedelta
from comptoir.kernel.audit import record
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import OutboxRelay, processed_once

url, now, topic, consumer = sys.argv[1:]
database = Database.from_url(url)
clock = FrozenClock(datetime.fromisoformat(now))

def credit(event):
    with database.transaction() as session:
        if processed_once(session, consumer, event.id, clock=clock):
            record(session, actor="participant:bank-a", action="ledger.credited",
                   subject=f"event:{event.id}", details=event.payload, clock=clock)
    print("applied", flush=True)
    time.sleep(600)  # killed here: after the effect committed, before the delivery is marked

relay = OutboxRelay(database, clock=clock, lease=timedelta(minutes=1))
relay.subscribe(topic, consumer, credit)
relay.run_once()
"""


def test_the_effect_happens_exactly_once_when_the_relay_process_is_killed(
    database: Database, database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    relay = OutboxRelay(database, clock=clock)
    relay.subscribe(TOPIC, CONSUMER, credit_once(database, clock))
    event_id = publish_one(database, clock)

    command = [sys.executable, "-c", CRASHING_RELAY, database_url, clock.now().isoformat()]
    with subprocess.Popen(
        [*command, TOPIC, CONSUMER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None
        try:
            ready, _, _ = io_select.select([process.stdout], [], [], 60)
            line = process.stdout.readline() if ready else ""
        finally:
            process.kill()  # SIGKILL: no cleanup, no finally blocks, no atexit in the relay
            _, errors = process.communicate()
    assert line == "applied\n", errors
    assert process.returncode == -signal.SIGKILL

    leased = the_delivery(database, event_id)
    assert (leased.status, leased.attempts) == (PENDING, 1)
    assert leased.lease_until is not None
    assert effects(database, event_id) == 1

    clock.advance(timedelta(minutes=1))
    assert relay.run_once() == 1

    delivered = the_delivery(database, event_id)
    assert (delivered.status, delivered.attempts) == (DELIVERED, 2)
    assert effects(database, event_id) == 1


def test_a_relay_that_died_on_the_last_attempt_leaves_a_dead_delivery(
    database: Database, clock: FrozenClock
) -> None:
    def crash(event: OutboxEvent) -> None:
        raise SimulatedCrash

    relay = OutboxRelay(database, clock=clock, max_attempts=1, lease=timedelta(minutes=1))
    relay.subscribe(TOPIC, CONSUMER, crash)
    event_id = publish_one(database, clock)
    with pytest.raises(SimulatedCrash):
        relay.run_once()

    clock.advance(timedelta(minutes=1))

    assert relay.run_once() == 0
    dead = the_delivery(database, event_id)
    assert (dead.status, dead.lease_until) == (DEAD, None)
    assert dead.last_error is not None
    assert "lease expired" in dead.last_error


def test_two_relays_on_one_database_hand_each_delivery_over_once(
    database: Database, clock: FrozenClock
) -> None:
    calls: Counter[uuid.UUID] = Counter()
    lock = threading.Lock()

    def count(event: OutboxEvent) -> None:
        with lock:
            calls[event.id] += 1

    relays = [OutboxRelay(database, clock=clock, batch=3) for _ in range(2)]
    for relay in relays:
        relay.subscribe(TOPIC, CONSUMER, count)
    published = [publish_one(database, clock, {"n": number}) for number in range(30)]

    def drain(relay: OutboxRelay) -> int:
        total = 0
        while tried := relay.run_once():
            total += tried
        return total

    with ThreadPoolExecutor(2) as pool:
        tried = [outcome.result() for outcome in [pool.submit(drain, r) for r in relays]]

    assert sum(tried) == 30
    assert calls == Counter(published)
    with database.transaction() as session:
        assert len(deliveries(session, status=DELIVERED)) == 30


def test_stopping_in_the_middle_of_a_batch_gives_the_rest_back_untried(
    database: Database, clock: FrozenClock
) -> None:
    relay = OutboxRelay(database, clock=clock)
    received: list[uuid.UUID] = []

    def handle_then_stop(event: OutboxEvent) -> None:
        received.append(event.id)
        relay.stop()

    relay.subscribe(TOPIC, CONSUMER, handle_then_stop)
    published = [publish_one(database, clock) for _ in range(3)]

    assert relay.run_once() == 1

    assert received == published[:1]
    with database.transaction() as session:
        rest = deliveries(session, status=PENDING)
    assert [(d.event_id, d.attempts, d.lease_until) for d in rest] == [
        (event_id, 0, None) for event_id in published[1:]
    ]


def test_the_background_relay_delivers_right_after_commit_and_stops_promptly(
    database: Database, clock: FrozenClock
) -> None:
    arrived = threading.Event()
    relay = OutboxRelay(database, clock=clock, poll_seconds=60)
    relay.subscribe(TOPIC, CONSUMER, lambda event: arrived.set())

    with relay:
        time.sleep(0.1)  # let the loop find nothing and settle into its 60-second wait
        publish_one(database, clock)
        assert arrived.wait(10), "the relay was not woken by the commit"
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2


def test_publish_refuses_a_payload_that_json_cannot_carry(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session, pytest.raises(TypeError):
        publish(session, topic=TOPIC, payload={"when": clock.now()}, clock=clock)


def test_an_event_for_a_declared_handler_waits_for_a_relay_in_another_process(
    database: Database,
) -> None:
    from comptoir.kernel.outbox import declare

    declare("declared.topic", "declared-handler")
    with database.transaction() as session:
        event_id = publish(session, topic="declared.topic", payload={"from": "a command"})
    with database.transaction() as session:
        waiting = deliveries(session, event_id=event_id)
    assert [(d.handler, d.status) for d in waiting] == [("declared-handler", "pending")]

    received: list[dict[str, object]] = []
    relay = OutboxRelay(database)
    relay.subscribe(
        "declared.topic", "declared-handler", lambda event: received.append(event.payload)
    )
    relay.run_once()
    assert received == [{"from": "a command"}]


def test_a_batch_is_delivered_side_by_side_so_one_slow_destination_holds_up_no_other(
    database: Database,
) -> None:
    # Four handler calls that can only all finish if they run at the same time.
    together = threading.Barrier(4, timeout=10)
    delivered: list[object] = []

    def meets_the_others(event: OutboxEvent) -> None:
        together.wait()
        delivered.append(event.payload["n"])

    relay = OutboxRelay(database, concurrency=4)
    relay.subscribe("side.by.side", "meeting", meets_the_others)
    with database.transaction() as session:
        for n in range(4):
            publish(session, topic="side.by.side", payload={"n": n})
    assert relay.run_once() == 4
    assert sorted(delivered) == [0, 1, 2, 3]  # type: ignore[type-var]
    with database.transaction() as session:
        assert {d.status for d in deliveries(session, handler="meeting")} == {"delivered"}
