"""SQLite's writers queue at the writers' gate: one at a time, handed over at COMMIT or
ROLLBACK, across threads and processes, never kept by a transaction that ended badly."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from comptoir.kernel import sqlite_writers
from comptoir.kernel.db import Database


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "gate.db"


@pytest.fixture
def database(database_path: Path) -> Iterator[Database]:
    found = Database.from_url(f"sqlite:///{database_path}")
    with found.connection_transaction() as connection:
        connection.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter (value) VALUES (0)"))
    yield found
    found.dispose()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 0.2)


def _count(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(text("SELECT value FROM counter")).scalar_one())


def _add_one(database: Database) -> None:
    with database.connection_transaction() as connection:
        value = connection.execute(text("SELECT value FROM counter")).scalar_one()
        connection.execute(text("UPDATE counter SET value = :value"), {"value": value + 1})


def test_the_gate_lives_beside_the_database_file(database: Database, database_path: Path) -> None:
    _add_one(database)
    assert (database_path.parent / "gate.db-writers").exists()


def test_a_database_in_memory_has_no_gate() -> None:
    assert sqlite_writers.gate_for(":memory:") is None
    assert sqlite_writers.gate_for("") is None


def test_a_thread_that_opens_a_second_write_transaction_is_refused_not_hung(
    database: Database, short_wait: None
) -> None:
    with database.connection_transaction() as connection:
        connection.execute(text("UPDATE counter SET value = 7"))
        with pytest.raises(OperationalError, match="database is locked"):
            _add_one(database)
    assert _count(database) == 7


def test_a_write_transaction_that_fails_gives_the_gate_back(
    database: Database, short_wait: None
) -> None:
    class ChangeFailedError(Exception):
        pass

    def change_then_fail() -> None:
        with database.connection_transaction() as connection:
            connection.execute(text("UPDATE counter SET value = 99"))
            raise ChangeFailedError

    with pytest.raises(ChangeFailedError):
        change_then_fail()
    _add_one(database)
    assert _count(database) == 1


def test_a_connection_invalidated_inside_a_transaction_gives_the_gate_back(
    database: Database, short_wait: None
) -> None:
    with database.engine.connect() as connection:
        connection.begin()
        connection.execute(text("UPDATE counter SET value = 5"))
        connection.invalidate()
    _add_one(database)
    assert _count(database) == 1


def test_a_read_does_not_wait_for_a_writer(database: Database, short_wait: None) -> None:
    with database.connection_transaction() as connection:
        connection.execute(text("UPDATE counter SET value = 3"))
        assert _count(database) == 0  # the last committed value, at once


def test_a_writer_waits_while_another_process_holds_the_gate_and_enters_once_it_is_free(
    database: Database, database_path: Path, short_wait: None
) -> None:
    _add_one(database)  # makes the gate's file
    other_process_file = os.open(database_path.parent / "gate.db-writers", os.O_RDWR)
    try:
        fcntl.flock(other_process_file, fcntl.LOCK_EX)
        with pytest.raises(OperationalError, match="database is locked"):
            _add_one(database)
        fcntl.flock(other_process_file, fcntl.LOCK_UN)
        _add_one(database)
    finally:
        os.close(other_process_file)
    assert _count(database) == 2


def test_a_writer_waiting_for_another_process_is_handed_the_gate_when_it_lets_go(
    database: Database, database_path: Path
) -> None:
    _add_one(database)
    other_process_file = os.open(database_path.parent / "gate.db-writers", os.O_RDWR)
    try:
        fcntl.flock(other_process_file, fcntl.LOCK_EX)
        writer = threading.Thread(target=_add_one, args=(database,))
        writer.start()
        writer.join(0.2)
        assert writer.is_alive()  # waiting, not refused
        fcntl.flock(other_process_file, fcntl.LOCK_UN)
        writer.join(5)
        assert not writer.is_alive()
    finally:
        os.close(other_process_file)
    assert _count(database) == 2


def test_a_writer_that_gave_up_waiting_leaves_the_gate_free_for_other_processes(
    database: Database, database_path: Path, short_wait: None
) -> None:
    _add_one(database)
    other_process_file = os.open(database_path.parent / "gate.db-writers", os.O_RDWR)
    try:
        fcntl.flock(other_process_file, fcntl.LOCK_EX)
        with pytest.raises(OperationalError, match="database is locked"):
            _add_one(database)
        time.sleep(0.05)  # this process's helper is still waiting for the lock
        fcntl.flock(other_process_file, fcntl.LOCK_UN)
        time.sleep(0.1)  # the helper takes it, for no one now, and must let it go
        deadline = time.monotonic() + 2
        while True:
            try:
                fcntl.flock(other_process_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the gate was kept by a writer that left"
                time.sleep(0.01)
        fcntl.flock(other_process_file, fcntl.LOCK_UN)
        _add_one(database)
    finally:
        os.close(other_process_file)
    assert _count(database) == 2


class _InterruptedError(Exception):
    pass


def test_a_writer_interrupted_once_handed_the_gate_gives_it_back(
    database: Database, database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_one(database)
    gate = sqlite_writers.gate_for(str(database_path))
    assert gate is not None and gate._file_waiter is not None
    changed = gate._file_waiter._changed
    wait = changed.wait
    other_process_file = os.open(database_path.parent / "gate.db-writers", os.O_RDWR)

    def interrupted(timeout: float | None = None) -> bool:
        if threading.current_thread().name == "comptoir-sqlite-writers":
            return wait(timeout)  # the helper waits on the same condition
        fcntl.flock(other_process_file, fcntl.LOCK_UN)  # the other process lets go
        wait(2)  # and the helper hands the lock over
        raise _InterruptedError

    try:
        fcntl.flock(other_process_file, fcntl.LOCK_EX)
        monkeypatch.setattr(changed, "wait", interrupted)
        with pytest.raises(_InterruptedError):
            _add_one(database)
        monkeypatch.undo()
        fcntl.flock(other_process_file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
        fcntl.flock(other_process_file, fcntl.LOCK_UN)
    finally:
        os.close(other_process_file)
    _add_one(database)
    assert _count(database) == 2


def test_a_helper_the_system_refuses_a_lock_refuses_its_writer_and_the_next_one_enters(
    database: Database, database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_one(database)
    other_process_file = os.open(database_path.parent / "gate.db-writers", os.O_RDWR)
    flock = fcntl.flock

    def refused_to_the_helper(file: int, operation: int) -> None:
        if threading.current_thread().name == "comptoir-sqlite-writers":
            raise OSError(37, "No locks available")  # ENOLCK, as on some network file systems
        flock(file, operation)

    try:
        flock(other_process_file, fcntl.LOCK_EX)
        monkeypatch.setattr(fcntl, "flock", refused_to_the_helper)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            _add_one(database)
        assert time.monotonic() - started < 5  # at once, not after the 10 s wait
        monkeypatch.undo()
        flock(other_process_file, fcntl.LOCK_UN)
    finally:
        os.close(other_process_file)
    _add_one(database)
    assert _count(database) == 2


def test_a_child_forked_inside_a_write_cannot_give_back_a_gate_it_does_not_hold(
    database_path: Path,
) -> None:
    gate = sqlite_writers.gate_for(str(database_path))
    inherited: dict[str, Any] = {}
    sqlite_writers.attach(inherited, gate)
    sqlite_writers.enter(inherited)
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports by its exit code alone)
        code = 2
        try:
            first: dict[str, Any] = {}
            second: dict[str, Any] = {}
            sqlite_writers.attach(first, gate)
            sqlite_writers.attach(second, gate)
            sqlite_writers.enter(first)  # once the parent's write is over
            sqlite_writers.leave(inherited)  # the copied connection closed: nothing of its own
            other = threading.Thread(target=sqlite_writers.enter, args=(second,), daemon=True)
            other.start()
            other.join(0.5)
            code = 0 if other.is_alive() else 1  # still waiting for `first`, as it must
        finally:
            os._exit(code)
    time.sleep(0.2)
    sqlite_writers.leave(inherited)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_threads_taking_turns_lose_no_update(database: Database) -> None:
    def add_many() -> None:
        for _ in range(50):
            _add_one(database)

    threads = [threading.Thread(target=add_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(database) == 300


def _add_many_in_a_process(database_url: str, times: int) -> None:
    database = Database.from_url(database_url)
    try:
        threads = [
            threading.Thread(target=lambda: [_add_one(database) for _ in range(times)])
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        database.dispose()


def test_processes_and_their_threads_taking_turns_lose_no_update(
    database: Database, database_path: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_add_many_in_a_process, args=(f"sqlite:///{database_path}", 40))
        for _ in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert _count(database) == 3 * 3 * 40


def _report_the_gate_after_fork(database_path: str, answers: Any) -> None:
    gate = sqlite_writers.gate_for(database_path)
    assert gate is not None
    free = gate._threads.acquire(blocking=False)
    answers.put((free, gate._file))


def test_a_forked_child_gets_a_gate_of_its_own_even_when_forked_inside_a_write(
    database: Database, database_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    with database.connection_transaction() as connection:
        connection.execute(text("UPDATE counter SET value = 1"))
        child = context.Process(
            target=_report_the_gate_after_fork, args=(str(database_path), answers)
        )
        child.start()
        child.join(timeout=60)
    assert child.exitcode == 0
    # Its thread lock free, though the parent's was held; no descriptor shared with the parent.
    assert answers.get(timeout=5) == (True, None)
