"""Shared fixtures: a migrated database on each backend (SQLite, PostgreSQL) and a frozen clock.

PostgreSQL tests run against the server named by COMPTOIR_TEST_POSTGRES_URL, each test in a
fresh schema of its own (dropped afterwards), so they are isolated, fast and leave nothing
behind. Without the variable they are skipped, unless COMPTOIR_REQUIRE_POSTGRES=1 (CI), where
a missing or unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database, normalise_url, upgrade
from tests.support.texts import Texts

POSTGRES_URL_VARIABLE = "COMPTOIR_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "COMPTOIR_REQUIRE_POSTGRES"


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"{REQUIRE_POSTGRES_VARIABLE}=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason}: PostgreSQL tests skipped")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server for tests, checked once per session."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not url:
        _postgres_unavailable(f"{POSTGRES_URL_VARIABLE} is not set")
    engine = create_engine(
        normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _postgres_unavailable(f"cannot reach PostgreSQL at {where} ({first_line})")
    finally:
        engine.dispose()
    return normalise_url(url)


@pytest.fixture
def postgres_schema_url(postgres_server_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh, empty schema (via search_path)."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        server = make_url(postgres_server_url)
        options = f"{server.query.get('options', '')} -csearch_path={schema}".strip()
        yield server.update_query_dict({"options": options}).render_as_string(hide_password=False)
        with admin.connect() as connection:
            # A test that left a transaction open would otherwise hang the drop for good.
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'comptoir.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A `Database` on `database_url`, migrated to head, disposed afterwards."""
    database = Database.from_url(database_url)
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()


@pytest.fixture
def texts(database: Database) -> Texts:
    """The text messages the test's node queued for phones (sign-in codes among them)."""
    return Texts(database)


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at 2026-01-01T00:00:00Z; tests move it with `advance` or `set`."""
    return FrozenClock()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (COMPTOIR_FORBID_SKIPS=1) a skipped test fails the run: everything must run there."""
    if os.environ.get("COMPTOIR_FORBID_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped:
        if reporter is not None:
            reporter.write_line(
                f"COMPTOIR_FORBID_SKIPS=1: {skipped} test(s) skipped, which CI does not allow",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
