"""The ledger store's statements, spoken to the database driver directly, one set per dialect.

A batch of 8,190 transfers moves some 60,000 ids in and out of the database. Through
SQLAlchemy, the per-value type processing of those ids (UUID to text and back on SQLite) and
the statement machinery around them cost several times SQLite's own work (bench/payments.py).
So the batch path runs fixed SQL on the session's own DB-API connection, inside the session's
transaction, in each dialect's cheapest form:

- SQLite keeps a UUID as its 32 hex digits (as SQLAlchemy's `Uuid` does there). A set of ids
  travels as one JSON array read by `json_each`, so the statement text never changes. Ids read
  back are mapped to the `UUID` objects the batch already holds, and parsed only when unknown.
- PostgreSQL takes and gives `UUID` objects natively (psycopg); a set of ids travels as one
  array (`= ANY(%s)`), and a batch's rows as one array per column (`unnest`), so a batch is a
  handful of round trips however large it is.

The rows are exactly those the ORM models declare (`comptoir.payments.models`); the tests run
the same store on both dialects, and the schema is Alembic's.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from comptoir.payments.services.ledger_sql.base import LedgerSql, expires_at
from comptoir.payments.services.ledger_sql.postgres import PostgresLedgerSql
from comptoir.payments.services.ledger_sql.sqlite import SqliteLedgerSql

__all__ = ["LedgerSql", "PostgresLedgerSql", "SqliteLedgerSql", "expires_at", "ledger_sql_for"]


def ledger_sql_for(session: Session) -> LedgerSql:
    """The batch statements of the session's database, over its connection."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return SqliteLedgerSql(session)
    if dialect == "postgresql":
        return PostgresLedgerSql(session)
    raise ValueError(f"the ledger store does not speak to {dialect} databases")
