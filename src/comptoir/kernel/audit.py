"""The audit log: append-only and hash-chained, so that tampering is detectable.

Each entry carries the SHA-256 of its own fields (`entry_hash`) and the hash of the entry before
it (`previous_hash`); the first entry points at `GENESIS_HASH`. Editing a field breaks the entry's
own hash; deleting or moving an entry breaks the link of the entry after it
(`comptoir.kernel.audit_check` walks the chain and finds both). `previous_hash` is
UNIQUE, so two concurrent appends can never both link to the same head: the loser of the race
inserts nothing (ON CONFLICT DO NOTHING, so the caller's transaction goes on) and retries on the
new head. (On PostgreSQL appenders also queue on an advisory lock, so that under load nobody
loses the race over and over.)

An entry is written in the caller's transaction, so it commits or rolls back together with the
change it records: the log never claims something that did not happen, nor misses something that
did.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from sqlalchemy import BigInteger, Connection, Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.expression import Executable

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Base, connection_of
from comptoir.kernel.ids import new_id

logger = logging.getLogger(__name__)

GENESIS_HASH: Final = "0" * 64
"""What the first entry's `previous_hash` points at."""

MAX_APPEND_ATTEMPTS: Final = 20
"""Appends that lose the race for the head this many times in a row give up (see `record`)."""

AuditProblem = Literal["edited", "deleted or reordered", "broken link"]

# Key names that mean a secret. Audit details are shown to operators and kept for years; a
# secret in them would outlive its rotation, so they are refused outright rather than masked.
SECRET_KEYS: Final = frozenset(
    {
        "password",
        "passcode",
        "pin",
        "otp",
        "secret",
        "client_secret",
        "private_key",
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
    }
)

# A fixed 64-bit key for PostgreSQL's advisory lock that queues appends.
_APPEND_LOCK_KEY: Final = int.from_bytes(
    hashlib.sha256(b"comptoir.kernel_audit_entry.append").digest()[:8], "big", signed=True
)


class AuditEntry(Base):
    """One line of the audit log. Never updated, never deleted."""

    __tablename__ = "kernel_audit_entry"

    # BIGINT on PostgreSQL (a national switch outgrows 2**31 entries); plain INTEGER on SQLite,
    # where only "INTEGER PRIMARY KEY" is the auto-incrementing rowid.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[dict[str, Any]]
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.seq} {self.action} by {self.actor} on {self.subject}>"


@dataclass(frozen=True)
class RecordedEntry:
    """An entry just appended, as `record` wrote it (the row itself is an `AuditEntry`)."""

    seq: int
    id: uuid.UUID
    occurred_at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    previous_hash: str
    entry_hash: str


class AuditAppendError(RuntimeError):
    """An append lost the race for the head of the chain too many times in a row."""


def canonical_json(value: Any) -> bytes:
    """Sorted-key compact JSON in UTF-8: one byte string per value, whoever serialises it."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def compute_entry_hash(
    *,
    entry_id: uuid.UUID,
    occurred_at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
    previous_hash: str,
) -> str:
    """SHA-256 (hex) of an entry's fields and its link.

    `seq` is left out on purpose: the database assigns it only on insert, and the order it gives
    is protected by the links anyway.
    """
    fields = {
        "id": str(entry_id),
        "occurred_at": occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """What `entry_hash` should be for the entry's fields as they are now."""
    return compute_entry_hash(
        entry_id=entry.id,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        details=entry.details,
        previous_hash=entry.previous_hash,
    )


def record(
    session: Session | Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    clock: Clock = system_clock,
) -> RecordedEntry:
    """Append an entry in the caller's transaction (its session, or its Core connection) and
    return what was written (`seq` assigned). The answer is a plain record, not a mapped
    object: building one of those for every append cost a good share of the append itself,
    for callers that hardly ever look.

    `actor` says who ("person:<uuid>", "operator:cli", "participant:<id>"), `action` what
    ("identity.enrolled"), `subject` on what. `details` must be JSON and must not carry secrets:
    a key named like one (see `SECRET_KEYS`) is refused with ValueError.

    Appends are serialised: the head of the chain is held until the caller's transaction ends,
    so keep transactions that record short, and record as their last write: a transaction
    holding the head then never waits for another lock, which could deadlock. Should an append
    still lose the race for the head (the UNIQUE on `previous_hash` lets it insert nothing), it
    retries on the new head, at most `MAX_APPEND_ATTEMPTS` times. On PostgreSQL this needs READ
    COMMITTED (the default), where a retry sees the entry that won.
    """
    for name, value in (("actor", actor), ("action", action), ("subject", subject)):
        if not value or not value.strip():
            raise ValueError(f"audit {name} must not be empty")
    # Store exactly what is hashed: JSON turns tuples into lists and rejects NaN and sets.
    clean_details = json.loads(canonical_json(dict(details or {})))
    _refuse_secrets(clean_details)
    occurred_at = clock.now()
    if occurred_at.tzinfo is None:
        raise ValueError("the clock must give timezone-aware times")
    # Flush the caller's own pending changes first, so that an error in them is raised as
    # theirs, not as the append's. (A Core connection has nothing pending.)
    if isinstance(session, Session):
        session.flush()
    connection = connection_of(session)
    postgresql = connection.dialect.name == "postgresql"
    statements = _APPEND_STATEMENTS["postgresql" if postgresql else "sqlite"]
    if postgresql:
        # Queue appenders instead of letting a crowd race for each head and retry: under load
        # the retries alone would starve someone. Held until the caller's transaction ends,
        # just as the unique index would make the loser wait. The head is read in the same
        # round trip; if it was read before the lock was granted it may be stale, and then
        # the insert below finds the conflict and the loop reads it again. (SQLite's BEGIN
        # IMMEDIATE already runs one writer at a time.)
        previous_hash = connection.execute(statements.lock_and_head).scalar_one()
    else:
        previous_hash = connection.execute(statements.head).scalar_one()
    for attempt in range(1, MAX_APPEND_ATTEMPTS + 1):
        entry_id = new_id()
        entry_hash = compute_entry_hash(
            entry_id=entry_id,
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            subject=subject,
            details=clean_details,
            previous_hash=previous_hash,
        )
        # One statement, no savepoint: ON CONFLICT DO NOTHING on the UNIQUE previous_hash
        # waits for a concurrent append that took the same head, then inserts nothing, without
        # an error that would abort the caller's transaction. RETURNING says which happened.
        seq = connection.execute(
            statements.insert,
            {
                "id": entry_id,
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                "subject": subject,
                "details": clean_details,
                "previous_hash": previous_hash,
                "entry_hash": entry_hash,
            },
        ).scalar()
        if seq is not None:
            return RecordedEntry(
                seq=seq,
                id=entry_id,
                occurred_at=occurred_at,
                actor=actor,
                action=action,
                subject=subject,
                details=clean_details,
                previous_hash=previous_hash,
                entry_hash=entry_hash,
            )
        logger.debug("audit append lost the race for the head (attempt %d)", attempt)
        # The winner has committed by now (the unique index made us wait for it); a little
        # jitter keeps a crowd of losers from colliding again on the next head.
        time.sleep(random.uniform(0, 0.002 * attempt))  # noqa: S311 (jitter, not security)
        previous_hash = connection.execute(statements.head).scalar_one()
    raise AuditAppendError(
        f"the audit entry '{action}' lost the race for the head {MAX_APPEND_ATTEMPTS} times"
    )


def entries(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    action_prefix: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Entries newest first, filtered; page on with `before_seq=<seq of the last one shown>`.

    `since` is inclusive and `until` exclusive. `action_prefix="identity."` matches every
    action of a block.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if action_prefix is not None:
        query = query.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if since is not None:
        query = query.where(AuditEntry.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEntry.occurred_at < until)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(session.scalars(query))


@dataclass(frozen=True)
class _AppendStatements:
    head: Executable
    lock_and_head: Executable
    insert: Executable


def _append_statements(dialect: str) -> _AppendStatements:
    table = Base.metadata.tables[AuditEntry.__tablename__]
    newest = select(table.c.entry_hash).order_by(table.c.seq.desc()).limit(1).scalar_subquery()
    head = select(func.coalesce(newest, GENESIS_HASH))
    lock_and_head = select(
        func.coalesce(newest, GENESIS_HASH), func.pg_advisory_xact_lock(_APPEND_LOCK_KEY)
    )
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    columns = (
        "id",
        "occurred_at",
        "actor",
        "action",
        "subject",
        "details",
        "previous_hash",
        "entry_hash",
    )
    append = (
        insert(table)
        .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
        .on_conflict_do_nothing(index_elements=[table.c.previous_hash])
        .returning(table.c.seq)
    )
    return _AppendStatements(head=head, lock_and_head=lock_and_head, insert=append)


# Built once per dialect: building a statement costs more than running it.
_APPEND_STATEMENTS: Final = {
    dialect: _append_statements(dialect) for dialect in ("postgresql", "sqlite")
}


def _refuse_secrets(value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.lower() in SECRET_KEYS:
                raise ValueError(f"audit details must not carry secrets (found '{key}')")
            _refuse_secrets(inner)
    elif isinstance(value, list):
        for inner in value:
            _refuse_secrets(inner)
