"""Immediate sends: a delivery leaves right after its commit; its outbox row is the fallback."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import (
    DELIVERED,
    PENDING,
    OutboxDelivery,
    OutboxEvent,
    OutboxRelay,
    deliveries,
    publish,
)

TOPIC = "payments.fspiop.test-immediate"
HANDLER = "test.immediate.sender"


def publish_now(database: Database, clock: FrozenClock, number: int = 1) -> uuid.UUID:
    with database.transaction() as session:
        return publish(session, topic=TOPIC, payload={"number": number}, clock=clock, send_now=True)


def the_delivery(database: Database, event_id: uuid.UUID) -> OutboxDelivery:
    with database.transaction() as session:
        [delivery] = deliveries(session, event_id=event_id, handler=HANDLER)
        return delivery


def wait_for(condition: object, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_delivery_published_to_send_now_leaves_without_a_claim_and_is_marked_delivered(
    database: Database, clock: FrozenClock
) -> None:
    received: list[OutboxEvent] = []
    # A relay that never polls and is never woken: only the immediate send can deliver.
    relay = OutboxRelay(database, clock=clock, poll_seconds=3600)
    relay.subscribe(TOPIC, HANDLER, received.append)
    with relay:
        time.sleep(0.1)  # the loop's first look finds nothing, then it waits an hour
        event_id = publish_now(database, clock)
        wait_for(lambda: the_delivery(database, event_id).status == DELIVERED, "the delivery")

    assert [event.id for event in received] == [event_id]
    assert received[0].payload == {"number": 1}
    delivery = the_delivery(database, event_id)
    assert delivery.attempts == 1
    assert delivery.lease_until is None
    assert delivery.lease_token is None


def test_many_immediate_sends_are_each_delivered_once(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    lock = threading.Lock()

    def handler(event: OutboxEvent) -> None:
        with lock:
            received.append(event.id)

    relay = OutboxRelay(database, clock=clock, poll_seconds=3600, immediate_workers=4)
    relay.subscribe(TOPIC, HANDLER, handler)
    with relay:
        event_ids = [publish_now(database, clock, number) for number in range(40)]
        wait_for(
            lambda: all(
                the_delivery(database, event_id).status == DELIVERED for event_id in event_ids
            ),
            "every delivery",
        )
    assert sorted(received) == sorted(event_ids)


def test_a_failed_immediate_send_falls_back_to_the_outbox_and_is_retried(
    database: Database, clock: FrozenClock
) -> None:
    attempts: list[uuid.UUID] = []

    def flaky(event: OutboxEvent) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise ConnectionError("the destination is down")

    relay = OutboxRelay(database, clock=clock, poll_seconds=3600, base_delay=timedelta(seconds=2))
    relay.subscribe(TOPIC, HANDLER, flaky)
    with relay:
        event_id = publish_now(database, clock)
        wait_for(lambda: the_delivery(database, event_id).last_error is not None, "the failure")
    failed = the_delivery(database, event_id)
    assert failed.status == PENDING
    assert failed.attempts == 1
    assert failed.lease_until is None
    assert "destination is down" in (failed.last_error or "")
    assert failed.next_attempt_at > clock.now()

    assert relay.run_once() == 0  # not before its backoff
    clock.advance(timedelta(seconds=5))
    assert relay.run_once() == 1
    delivered = the_delivery(database, event_id)
    assert delivered.status == DELIVERED
    assert delivered.attempts == 2
    assert attempts == [event_id, event_id]


def test_an_immediate_send_lost_with_its_relay_is_claimed_when_its_lease_expires(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    first = OutboxRelay(
        database, clock=clock, poll_seconds=3600, immediate_lease=timedelta(seconds=30)
    )
    first.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    first.start()
    try:
        with database.transaction() as session:
            event_id = publish(session, topic=TOPIC, payload={"n": 1}, clock=clock, send_now=True)
            # The process "dies" between the commit and the send: its senders are gone.
            first.stop()
    finally:
        first.stop()
    leased = the_delivery(database, event_id)
    assert received == []
    assert leased.status == PENDING
    assert leased.lease_until == clock.now() + timedelta(seconds=30)

    second = OutboxRelay(database, clock=clock, poll_seconds=3600)
    second.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    assert second.run_once() == 0  # still leased to the first
    clock.advance(timedelta(seconds=31))
    assert second.run_once() == 1
    assert received == [event_id]
    assert the_delivery(database, event_id).status == DELIVERED


def publish_then_fail(database: Database, clock: FrozenClock) -> None:
    with database.transaction() as session:
        publish(session, topic=TOPIC, payload={"n": 1}, clock=clock, send_now=True)
        raise RuntimeError("the change fails after publishing")


def test_nothing_is_sent_for_a_transaction_that_rolled_back(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    relay = OutboxRelay(database, clock=clock, poll_seconds=3600)
    relay.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    with relay:
        with pytest.raises(RuntimeError):
            publish_then_fail(database, clock)
        sent_after = publish_now(database, clock, 2)
        wait_for(lambda: the_delivery(database, sent_after).status == DELIVERED, "the second")
    assert received == [sent_after]


def test_without_a_running_relay_send_now_leaves_the_delivery_to_a_claim(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    relay = OutboxRelay(database, clock=clock, poll_seconds=3600)
    relay.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    event_id = publish_now(database, clock)  # the relay is not started: a script, a test
    delivery = the_delivery(database, event_id)
    assert (delivery.attempts, delivery.lease_until) == (0, None)
    assert relay.run_once() == 1
    assert received == [event_id]


def test_a_savepoint_rolled_back_forgets_only_what_it_published(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    relay = OutboxRelay(database, clock=clock, poll_seconds=3600)
    relay.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    with relay:
        with database.transaction() as session:
            kept = publish(session, topic=TOPIC, payload={"n": 1}, clock=clock, send_now=True)
            savepoint = session.begin_nested()
            publish(session, topic=TOPIC, payload={"n": 2}, clock=clock, send_now=True)
            savepoint.rollback()
            with session.begin_nested():
                released = publish(
                    session, topic=TOPIC, payload={"n": 3}, clock=clock, send_now=True
                )
            time.sleep(0.2)  # a released savepoint is no commit: nothing may leave yet
            assert received == []
        wait_for(
            lambda: all(
                the_delivery(database, event_id).status == DELIVERED
                for event_id in (kept, released)
            ),
            "the kept messages",
        )
        time.sleep(0.1)
    assert sorted(received) == sorted([kept, released])
