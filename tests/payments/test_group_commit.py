"""Group commit: steps that arrive together share a transaction, yet each has its own outcome."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from comptoir.kernel.audit import entries, record
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.outbox import DELIVERED, OutboxEvent, OutboxRelay, deliveries, publish
from comptoir.payments.switch.group_commit import GroupCommitter

TOPIC = "payments.test.group-commit"
HANDLER = "payments.test.group-commit.sender"


def writes(subject: str, clock: FrozenClock) -> Callable[[Session], None]:
    def step(session: Session) -> None:
        record(session, actor="participant:test", action="test.step", subject=subject, clock=clock)

    return step


def writes_then_fails(subject: str, clock: FrozenClock) -> Callable[[Session], None]:
    def step(session: Session) -> None:
        record(session, actor="participant:test", action="test.step", subject=subject, clock=clock)
        raise FspiopError("3100", f"{subject} is refused")

    return step


def stored(database: Database, subject: str) -> int:
    with database.reading() as session:
        return len(entries(session, subject=subject))


def test_steps_queued_together_commit_as_one_batch_and_each_gets_its_own_answer(
    database: Database, clock: FrozenClock
) -> None:
    committer = GroupCommitter(database, background=False)
    futures = [committer.submit(writes(f"step:{number}", clock)) for number in range(5)]
    assert not any(future.done() for future in futures)  # nobody answered before the commit

    assert committer.commit_pending() == 5
    assert all(future.result(timeout=0) is None for future in futures)
    assert [stored(database, f"step:{number}") for number in range(5)] == [1] * 5


def test_a_failing_step_is_rolled_back_alone_and_the_others_commit(
    database: Database, clock: FrozenClock
) -> None:
    committer = GroupCommitter(database, background=False)
    before = committer.submit(writes("step:before", clock))
    failing = committer.submit(writes_then_fails("step:refused", clock))
    after = committer.submit(writes("step:after", clock))

    assert committer.commit_pending() == 3
    assert before.result(timeout=0) is None
    assert after.result(timeout=0) is None
    with pytest.raises(FspiopError) as refused:
        failing.result(timeout=0)
    assert refused.value.code == "3100"
    assert stored(database, "step:before") == 1
    assert stored(database, "step:after") == 1
    assert stored(database, "step:refused") == 0


def test_a_step_alone_is_applied_and_answered(database: Database, clock: FrozenClock) -> None:
    committer = GroupCommitter(database, background=False)
    failing = committer.submit(writes_then_fails("step:alone", clock))
    assert committer.commit_pending() == 1
    with pytest.raises(FspiopError):
        failing.result(timeout=0)
    assert stored(database, "step:alone") == 0


def test_the_committer_thread_answers_concurrent_callers_and_ends_when_idle(
    database: Database, clock: FrozenClock
) -> None:
    committer = GroupCommitter(database, idle_seconds=0.2)
    errors: list[BaseException] = []

    def caller(number: int) -> None:
        step = writes_then_fails if number % 4 == 0 else writes
        future = committer.submit(step(f"call:{number}", clock))
        try:
            future.result(timeout=30)
        except FspiopError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(number,)) for number in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 6
    assert [stored(database, f"call:{number}") for number in range(24)] == [
        0 if number % 4 == 0 else 1 for number in range(24)
    ]
    deadline = time.monotonic() + 5
    while any(thread.name == "comptoir-group-commit" for thread in threading.enumerate()):
        assert time.monotonic() < deadline, "the committer thread outlived its idle time"
        time.sleep(0.05)


def test_a_rolled_back_step_sends_none_of_its_messages_and_the_others_send_theirs(
    database: Database, clock: FrozenClock
) -> None:
    received: list[uuid.UUID] = []
    relay = OutboxRelay(
        database, clock=clock, poll_seconds=3600, immediate_lease=timedelta(minutes=5)
    )
    relay.subscribe(TOPIC, HANDLER, lambda event: received.append(event.id))
    published: dict[str, uuid.UUID] = {}

    def sends(name: str, *, fail: bool) -> Callable[[Session], None]:
        def step(session: Session) -> None:
            published[name] = publish(
                session, topic=TOPIC, payload={"name": name}, clock=clock, send_now=True
            )
            if fail:
                raise FspiopError("3100", "refused after publishing")

        return step

    committer = GroupCommitter(database, background=False)
    with relay:
        kept = committer.submit(sends("kept", fail=False))
        dropped = committer.submit(sends("dropped", fail=True))
        also_kept = committer.submit(sends("also kept", fail=False))
        committer.commit_pending()
        assert kept.result(timeout=0) is None
        assert also_kept.result(timeout=0) is None
        with pytest.raises(FspiopError):
            dropped.result(timeout=0)

        def delivered(name: str) -> bool:
            with database.reading() as session:
                [delivery] = deliveries(session, event_id=published[name], handler=HANDLER)
                return delivery.status == DELIVERED

        deadline = time.monotonic() + 10
        while not (delivered("kept") and delivered("also kept")):
            assert time.monotonic() < deadline, "the kept messages were not sent"
            time.sleep(0.01)
    assert sorted(received) == sorted([published["kept"], published["also kept"]])
    with database.reading() as session:
        assert deliveries(session, event_id=published["dropped"]) == []


def test_nothing_is_sent_before_the_batch_commits(database: Database, clock: FrozenClock) -> None:
    seen: list[OutboxEvent] = []
    relay = OutboxRelay(database, clock=clock, poll_seconds=3600)
    relay.subscribe(TOPIC, HANDLER, seen.append)
    committer = GroupCommitter(database, background=False)

    def publishes_then_waits(session: Session) -> None:
        publish(session, topic=TOPIC, payload={}, clock=clock, send_now=True)

    def checks_nothing_left(session: Session) -> None:
        time.sleep(0.2)  # an immediate send released early would have arrived by now
        assert seen == []

    with relay:
        first = committer.submit(publishes_then_waits)
        second = committer.submit(checks_nothing_left)
        committer.commit_pending()
        first.result(timeout=0)
        second.result(timeout=0)
        deadline = time.monotonic() + 10
        while not seen:
            assert time.monotonic() < deadline, "the message was not sent after the commit"
            time.sleep(0.01)
