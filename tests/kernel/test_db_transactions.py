"""On SQLite a write transaction takes the write lock when it begins, a read takes none."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from comptoir.kernel.db import Database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    # One connection, so that the short busy timeout set below is the one every session uses.
    found = Database.from_url(f"sqlite:///{tmp_path / 'locks.db'}", poolclass=StaticPool)
    with found.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
        connection.commit()
    yield found
    found.dispose()


def _other_writer_can_begin(database: Database) -> bool:
    path = database.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def test_a_write_transaction_holds_the_write_lock_from_its_first_statement(
    database: Database,
) -> None:
    with database.transaction() as session:
        session.execute(text("SELECT count(*) FROM note")).scalar_one()
        assert not _other_writer_can_begin(database)
    assert _other_writer_can_begin(database)


def test_a_read_takes_no_write_lock(database: Database) -> None:
    with database.reading() as session:
        session.execute(text("SELECT count(*) FROM note")).scalar_one()
        assert session.connection().connection.driver_connection.in_transaction  # type: ignore[union-attr]
        assert _other_writer_can_begin(database)


def test_a_write_transaction_that_cannot_begin_fails_with_the_database_error(
    database: Database,
) -> None:
    path = database.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), database.transaction() as session:
            session.execute(text("SELECT 1"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    with database.transaction() as session:
        session.execute(text("INSERT INTO note (text) VALUES ('after')"))
    with database.reading() as session:
        assert session.execute(text("SELECT text FROM note")).scalars().all() == ["after"]


def test_a_connection_transaction_commits_on_success_and_rolls_back_on_error(
    database: Database,
) -> None:
    with database.connection_transaction() as connection:
        connection.execute(text("INSERT INTO note (text) VALUES ('kept')"))
        assert not _other_writer_can_begin(database)

    class ChangeFailedError(Exception):
        pass

    def insert_then_fail() -> None:
        with database.connection_transaction() as connection:
            connection.execute(text("INSERT INTO note (text) VALUES ('dropped')"))
            raise ChangeFailedError

    with pytest.raises(ChangeFailedError):
        insert_then_fail()

    with database.reading() as session:
        assert session.execute(text("SELECT text FROM note")).scalars().all() == ["kept"]
