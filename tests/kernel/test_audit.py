"""The audit log: a hash chain that verifies, and names the first entry someone tampered with."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from comptoir.kernel.audit import (
    GENESIS_HASH,
    AuditEntry,
    compute_entry_hash,
    entries,
    hash_of,
    record,
)
from comptoir.kernel.audit_check import verify
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Base, Database
from comptoir.kernel.ids import new_id

audit_table = Base.metadata.tables[AuditEntry.__tablename__]


def record_some(database: Database, clock: FrozenClock, count: int) -> list[AuditEntry]:
    recorded = []
    for number in range(count):
        with database.transaction() as session:
            recorded.append(
                record(
                    session,
                    actor=f"person:{number}",
                    action="identity.enrolled",
                    subject=f"person:{number}",
                    details={"number": number, "channel": "ussd"},
                    clock=clock,
                )
            )
        clock.advance(timedelta(seconds=1))
    return recorded


def test_an_empty_log_verifies_with_the_genesis_hash_as_head(database: Database) -> None:
    result = verify(database)

    assert result.ok
    assert result.count == 0
    assert result.head_hash == GENESIS_HASH
    assert result.head_seq is None


def test_a_chain_of_entries_verifies_and_reports_its_head(
    database: Database, clock: FrozenClock
) -> None:
    recorded = record_some(database, clock, 5)

    result = verify(database)

    assert result.ok, result.message
    assert result.count == 5
    assert result.head_hash == recorded[-1].entry_hash
    assert result.head_seq == recorded[-1].seq
    assert recorded[0].previous_hash == GENESIS_HASH
    assert [entry.previous_hash for entry in recorded[1:]] == [
        entry.entry_hash for entry in recorded[:-1]
    ]


def test_verify_also_runs_inside_the_callers_session(
    database: Database, clock: FrozenClock
) -> None:
    record_some(database, clock, 2)

    with database.transaction() as session:
        result = verify(session)

    assert result.ok
    assert result.count == 2


EDITS: dict[str, Any] = {
    "id": uuid.UUID("0190d2a4-0000-7000-8000-000000000000"),
    "occurred_at": None,  # set from the clock in the test
    "actor": "operator:cli",
    "action": "identity.revoked",
    "subject": "person:99",
    "details": {"number": 2, "channel": "web"},
    "previous_hash": "f" * 64,
    "entry_hash": "e" * 64,
}


@pytest.mark.parametrize("column", list(EDITS))
def test_editing_any_field_of_an_entry_is_detected_at_that_entry(
    database: Database, clock: FrozenClock, column: str
) -> None:
    recorded = record_some(database, clock, 5)
    target = recorded[2].seq
    value = EDITS[column]
    if column == "occurred_at":
        value = clock.now() + timedelta(days=1)

    with database.transaction() as session:
        session.execute(
            update(audit_table).where(audit_table.c.seq == target).values({column: value})
        )
    result = verify(database)

    assert not result.ok
    assert result.first_bad_seq == target
    assert result.problem == "edited"
    assert result.count == 5


def test_deleting_an_entry_in_the_middle_is_detected_at_the_next_entry(
    database: Database, clock: FrozenClock
) -> None:
    recorded = record_some(database, clock, 5)

    with database.transaction() as session:
        session.execute(delete(audit_table).where(audit_table.c.seq == recorded[2].seq))
    result = verify(database)

    assert not result.ok
    assert result.first_bad_seq == recorded[3].seq
    assert result.problem == "deleted or reordered"


def test_deleting_the_oldest_entry_is_detected(database: Database, clock: FrozenClock) -> None:
    recorded = record_some(database, clock, 3)

    with database.transaction() as session:
        session.execute(delete(audit_table).where(audit_table.c.seq == recorded[0].seq))
    result = verify(database)

    assert not result.ok
    assert result.first_bad_seq == recorded[1].seq
    assert result.problem == "deleted or reordered"


def test_deleting_the_newest_entries_is_seen_only_against_an_anchored_head(
    database: Database, clock: FrozenClock
) -> None:
    record_some(database, clock, 4)
    anchored = verify(database).head_hash

    with database.transaction() as session:
        newest = session.scalar(select(func.max(audit_table.c.seq)))
        session.execute(delete(audit_table).where(audit_table.c.seq == newest))
    result = verify(database)

    assert result.ok
    assert result.head_hash != anchored


def test_swapping_two_entries_is_detected_at_the_first_moved_one(
    database: Database, clock: FrozenClock
) -> None:
    recorded = record_some(database, clock, 5)
    first, second = recorded[1].seq, recorded[3].seq

    with database.transaction() as session:
        for old, new in ((first, -1), (second, first), (-1, second)):
            session.execute(update(audit_table).where(audit_table.c.seq == old).values(seq=new))
    result = verify(database)

    assert not result.ok
    assert result.first_bad_seq == first
    assert result.problem == "deleted or reordered"


def test_a_link_that_is_not_a_hash_is_reported_as_a_broken_link(
    database: Database, clock: FrozenClock
) -> None:
    recorded = record_some(database, clock, 3)

    with database.transaction() as session:
        session.execute(
            update(audit_table)
            .where(audit_table.c.seq == recorded[1].seq)
            .values(previous_hash="not a hash")
        )
    result = verify(database)

    assert not result.ok
    assert result.first_bad_seq == recorded[1].seq
    assert result.problem == "broken link"
    assert str(recorded[1].seq) in result.message


def test_an_entry_recorded_in_a_rolled_back_transaction_leaves_no_trace(
    database: Database, clock: FrozenClock
) -> None:
    class ChangeFailedError(Exception):
        pass

    def record_then_fail() -> None:
        with database.transaction() as session:
            record(session, actor="operator:cli", action="x.done", subject="x:1", clock=clock)
            raise ChangeFailedError

    with pytest.raises(ChangeFailedError):
        record_then_fail()

    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(audit_table)) == 0
        entry = record(session, actor="operator:cli", action="x.done", subject="x:2", clock=clock)
    assert entry.previous_hash == GENESIS_HASH
    assert verify(database).count == 1


def test_concurrent_appends_from_several_threads_make_one_unbroken_chain(
    database: Database, clock: FrozenClock
) -> None:
    threads, appends = 6, 8
    start = threading.Barrier(threads)

    def append(worker: int) -> None:
        start.wait()
        for number in range(appends):
            with database.transaction() as session:
                record(
                    session,
                    actor=f"participant:{worker}",
                    action="payments.transfer.committed",
                    subject=f"transfer:{worker}-{number}",
                    clock=clock,
                )

    with ThreadPoolExecutor(threads) as pool:
        for outcome in [pool.submit(append, worker) for worker in range(threads)]:
            outcome.result()
    result = verify(database)

    assert result.ok, result.message
    assert result.count == threads * appends


def test_an_append_that_loses_the_race_for_the_head_links_after_the_winner(
    database: Database, clock: FrozenClock
) -> None:
    record_some(database, clock, 2)
    head = verify(database).head_hash
    winner: dict[str, Any] = {
        "id": new_id(),
        "occurred_at": clock.now(),
        "actor": "operator:elsewhere",
        "action": "x.won",
        "subject": "x:1",
        "details": {},
        "previous_hash": head,
    }
    winner_hash = compute_entry_hash(
        entry_id=winner["id"],
        occurred_at=winner["occurred_at"],
        actor=winner["actor"],
        action=winner["action"],
        subject=winner["subject"],
        details=winner["details"],
        previous_hash=winner["previous_hash"],
    )

    def append_late() -> AuditEntry:
        with database.transaction() as session:
            return record(
                session, actor="operator:cli", action="x.late", subject="x:2", clock=clock
            )

    # The winner takes the head first in a transaction of its own, bypassing `record`; the late
    # append reads the same head, waits behind the winner, then must link after it.
    with database.engine.connect() as other, ThreadPoolExecutor(1) as pool:
        other.execute(insert(audit_table).values(**winner, entry_hash=winner_hash))
        late = pool.submit(append_late)
        time.sleep(0.3)
        other.commit()
        entry = late.result()

    assert entry.previous_hash == winner_hash
    result = verify(database)
    assert result.ok, result.message
    assert result.count == 4


def test_secrets_are_refused_in_details(database: Database, clock: FrozenClock) -> None:
    with database.transaction() as session, pytest.raises(ValueError, match="secrets"):
        record(
            session,
            actor="person:1",
            action="identity.login",
            subject="person:1",
            details={"method": "otp", "attempt": {"OTP": "123456"}},
            clock=clock,
        )


def test_entries_are_listed_newest_first_filtered_and_paged(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session:
        for number, action in enumerate(
            ["identity.enrolled", "payments.sent", "identity.revoked", "identity_x.other"]
        ):
            record(session, actor="operator:cli", action=action, subject=f"s:{number}", clock=clock)
            clock.advance(timedelta(minutes=1))

    with database.transaction() as session:
        identity = entries(session, action_prefix="identity.")
        first_page = entries(session, limit=2)
        second_page = entries(session, limit=2, before_seq=first_page[-1].seq)
        about_one = entries(session, subject="s:1")
        early = entries(session, until=clock.now() - timedelta(minutes=3))

    assert [entry.action for entry in identity] == ["identity.revoked", "identity.enrolled"]
    assert [entry.subject for entry in first_page + second_page] == ["s:3", "s:2", "s:1", "s:0"]
    assert [entry.action for entry in about_one] == ["payments.sent"]
    assert [entry.subject for entry in early] == ["s:0"]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5).map(lambda key: "k" + key), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(details=st.dictionaries(st.text(max_size=8).map(lambda key: "k" + key), json_values))
def test_any_json_details_survive_the_round_trip_through_the_database(
    database: Database, clock: FrozenClock, details: dict[str, Any]
) -> None:
    with database.transaction() as session:
        entry = record(
            session, actor="person:1", action="x.y", subject="x", details=details, clock=clock
        )
        seq = entry.seq

    with database.transaction() as session:
        stored = session.get(AuditEntry, seq)
        assert stored is not None
        assert stored.details == details
        assert hash_of(stored) == stored.entry_hash
