"""The open settlement window as the commits of one transaction read it: once, and never a
window that a rolled-back savepoint created or that the transaction itself closed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.payments.models import SettlementWindowRow
from comptoir.payments.services.settlement import close_window, open_window


def test_commits_in_one_transaction_read_the_same_open_window(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session:
        first = open_window(session, clock=clock, shared=True)
        second = open_window(session, clock=clock, shared=True)
        assert first is second
        assert first.state == "OPEN"


def test_a_window_created_in_a_rolled_back_savepoint_is_not_read_again(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session:
        savepoint = session.begin_nested()
        undone = open_window(session, clock=clock, shared=True)
        savepoint.rollback()
        window = open_window(session, clock=clock, shared=True)
        assert window.id != undone.id
    with database.reading() as session:
        stored = session.scalars(select(SettlementWindowRow.id)).all()
    assert stored == [window.id]


def test_a_savepoint_released_keeps_the_window_it_read(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session:
        with session.begin_nested():
            kept = open_window(session, clock=clock, shared=True)
        assert open_window(session, clock=clock, shared=True) is kept


def test_after_a_close_in_the_same_transaction_the_next_window_is_the_open_one(
    database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as session:
        before = open_window(session, clock=clock, shared=True)
        closed = close_window(session, clock=clock, actor="operator")
        after = open_window(session, clock=clock, shared=True)
    assert closed.id == before.id
    assert after.id != before.id
    assert after.state == "OPEN"


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_the_next_transaction_of_the_same_session_reads_the_window_afresh(
    database: Database, clock: FrozenClock, ending: str
) -> None:
    with database.sessions() as session:
        session.begin()
        first = open_window(session, clock=clock, shared=True)
        if ending == "commit":
            session.commit()
        else:
            session.rollback()
        with database.transaction() as other:
            close_window(other, clock=clock, actor="operator")
        with session.begin():
            current = open_window(session, clock=clock, shared=True)
            count = session.scalar(select(func.count()).select_from(SettlementWindowRow))
    assert current.id != first.id
    assert current.state == "OPEN"
    assert count == 2  # the one closed, and the one it opened
