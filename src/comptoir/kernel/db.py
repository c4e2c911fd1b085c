"""Database: engine, declarative base with an explicit naming convention, sessions, migrations.

SQLite (WAL mode) is the embedded default and PostgreSQL the national deployment; the same
models and the same Alembic migrations serve both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Uuid,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from comptoir.kernel import sqlite_writers
from comptoir.kernel.errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

DATABASE_SETTING = "COMPTOIR_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Constraint names are part of the schema: Alembic's batch mode on SQLite and later migrations
# on PostgreSQL can only alter or drop a constraint they can name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: times are UTC and timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def normalise_url(url: str) -> str:
    """Pick psycopg 3 for plain `postgresql://` URLs (SQLAlchemy would default to psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _on_sqlite_connect(
    dbapi_connection: Any, record: Any, gate: sqlite_writers.WriterGate | None
) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself: the stdlib driver's implicit
    # transactions would otherwise defer locking and fail writers with SQLITE_BUSY.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers wait at the gate (kernel.sqlite_writers); this is for what bypasses it.
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_writers.WAIT_SECONDS * 1000)}")
    cursor.close()
    sqlite_writers.attach(record.info, gate)


def _begin_immediate(pooled_connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing
    # when it upgrades from reading to writing; they queue at the writers' gate
    # (kernel.sqlite_writers), which lets the next one in at once, rather than in SQLite's
    # busy handler, which sleeps. A transaction already begun (by
    # `_on_sqlite_begin_deferred`, for reads) is left as it is.
    driver_connection = pooled_connection.driver_connection
    if not driver_connection.in_transaction:
        info = pooled_connection.info
        sqlite_writers.enter(info)
        try:
            driver_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            sqlite_writers.leave(info)
            raise


def _commit_and_leave(pooled_connection: Any) -> None:
    try:
        pooled_connection.driver_connection.commit()
    finally:
        _leave(pooled_connection)


def _rollback_and_leave(pooled_connection: Any) -> None:
    try:
        pooled_connection.driver_connection.rollback()
    finally:
        _leave(pooled_connection)


def _leave(pooled_connection: Any) -> None:
    try:
        info = pooled_connection.info
    except NotImplementedError:
        # The connection SQLAlchemy lends the dialect while it first connects has no pool
        # entry, and began no write transaction.
        return
    sqlite_writers.leave(info)


def _on_sqlite_close(_dbapi_connection: Any, record: Any) -> None:
    # A connection closed or invalidated inside a transaction gives the gate back with it.
    sqlite_writers.leave(record.info)


def _on_sqlite_begin_deferred(connection: Any) -> None:
    # Runs before the dialect's begin (`_begin_immediate`), which then finds it begun.
    connection.exec_driver_sql("BEGIN DEFERRED")


def reading_engine(engine: Engine) -> Engine:
    """The same engine for reads only: on SQLite its transactions begin DEFERRED, so they take
    no write lock and never queue behind a writer (WAL lets them read the last committed state
    meanwhile)."""
    if engine.dialect.name != "sqlite":
        return engine
    reading = engine.execution_options(sqlite_begin="DEFERRED")
    # An event on this engine only: the writers' engine has none, so its statements skip
    # SQLAlchemy's event dispatch altogether.
    event.listen(reading, "begin", _on_sqlite_begin_deferred)
    return reading


def create_database_engine(url: str, **engine_options: Any) -> Engine:
    """An engine for the URL; a URL that cannot be used stops with a sentence naming it."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            DATABASE_SETTING, f"'{url}' is not a database URL (try sqlite:///var/comptoir.db)."
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                parsed, connect_args={"check_same_thread": False}, **engine_options
            )
            gate = sqlite_writers.gate_for(database)
            event.listen(
                engine,
                "connect",
                lambda connection, record: _on_sqlite_connect(connection, record, gate),
            )
            event.listen(engine, "close", _on_sqlite_close)
            # BEGIN is issued by the dialect rather than by a "begin" event: any connection
            # event makes SQLAlchemy dispatch events around every statement the engine runs,
            # and a listener's own BEGIN went through a whole statement execution. The
            # driver's call raises inside SQLAlchemy's begin, which wraps its errors as usual.
            engine.dialect.do_begin = _begin_immediate  # type: ignore[method-assign,assignment]
            engine.dialect.do_commit = _commit_and_leave  # type: ignore[method-assign,assignment]
            engine.dialect.do_rollback = _rollback_and_leave  # type: ignore[method-assign,assignment]
            return engine
        engine_options.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **engine_options)
    except NoSuchModuleError as exc:
        raise ConfigurationError(
            DATABASE_SETTING,
            f"the database kind '{parsed.drivername}' is not supported "
            "(use sqlite:/// or postgresql://).",
        ) from exc


def check_connection(engine: Engine) -> None:
    """Connect once; an unreachable database, or a file that is not one, stops with one
    sentence, not a traceback."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        verb = "reach" if isinstance(exc, OperationalError) else "use"
        raise ConfigurationError(
            DATABASE_SETTING, f"cannot {verb} the database at {where} ({reason})."
        ) from exc


class Database:
    """The engine and a session factory; one per process, shared by every block."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.reading_sessions = sessionmaker(reading_engine(engine), expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **engine_options: Any) -> Database:
        return cls(create_database_engine(url, **engine_options))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def connection_transaction(self) -> Iterator[Connection]:
        """A Core connection in one transaction, for work done in statements alone (no mapped
        objects): committed on success, rolled back on any error. It spares the session's own
        bookkeeping, which costs more than a short statement; the hottest requests (the
        OpenID Connect back channel) use it. Session events (the outbox's) do not run."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: no write lock taken, rolled back at the end."""
        with self.reading_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def connection_of(target: Session | Connection) -> Connection:
    """The connection a session works in (begun if need be), or the connection itself."""
    return target.connection() if isinstance(target, Session) else target


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported here, not at the top: it is most of a short command's start-up time.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent: a current schema is left alone)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
