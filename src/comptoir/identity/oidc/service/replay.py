"""One-time identifiers: a `jti` is accepted once until it expires, then forgotten."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from comptoir.identity.oidc.models import (
    AccessToken,
    AuthorizationCode,
    PushedRequest,
    SeenIdentifier,
)
from comptoir.kernel.db import connection_of


def _insert_once(dialect: str) -> Executable:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SeenIdentifier)
        .values(key=bindparam("key"), expires_at=bindparam("until"))
        .on_conflict_do_nothing(index_elements=[SeenIdentifier.key])
        .returning(SeenIdentifier.key)
    )


# Built once per dialect: building a statement costs more than running it.
_INSERT_ONCE: Final = {dialect: _insert_once(dialect) for dialect in ("postgresql", "sqlite")}


@dataclass(frozen=True)
class OneTimeUse:
    """A `jti` to record (in `scope`, for `purpose`) until `until`."""

    purpose: str
    scope: str
    jti: str
    until: datetime

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.purpose}\x00{self.scope}\x00{self.jti}".encode()).hexdigest()


def first_uses(session: Session | Connection, uses: Sequence[OneTimeUse]) -> list[bool]:
    """Record several identifiers in one statement; for each, False if it was seen already.

    The same INSERT ... ON CONFLICT DO NOTHING as `first_use`, given all rows at once (one
    round trip): RETURNING names the keys that were new.
    """
    if not uses:
        return []
    connection = connection_of(session)
    statement = _INSERT_ONCE["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
    keys = [use.key for use in uses]
    rows = {key: use.until for key, use in zip(keys, uses, strict=True)}
    inserted = set(
        connection.execute(statement, [{"key": key, "until": until} for key, until in rows.items()])
        .scalars()
        .all()
    )
    # The same identifier twice in one request: the second is a replay of the first.
    answers: list[bool] = []
    for key in keys:
        answers.append(key in inserted)
        inserted.discard(key)
    return answers


def first_use(
    session: Session | Connection, *, purpose: str, scope: str, jti: str, until: datetime
) -> bool:
    """Record `jti` (in `scope`, for `purpose`) until `until`; False if it was seen already.

    One INSERT ... ON CONFLICT DO NOTHING: of two concurrent requests with the same jti,
    exactly one inserts the row (the other waits for its commit, then sees it), without the
    cost of a savepoint, and without an error that would abort the caller's transaction.
    RETURNING gives the row only when it was inserted (rowcount is not reliable here).
    """
    return first_uses(session, [OneTimeUse(purpose, scope, jti, until)])[0]


def forget_expired(session: Session, *, now: datetime) -> None:
    """Drop one-time identifiers past their time, and requests, codes and access tokens a day
    after they expired (kept that long to answer "used already" or "revoked", not "unknown")."""
    session.execute(delete(SeenIdentifier).where(SeenIdentifier.expires_at < now))
    long_ago = now - timedelta(days=1)
    # Access tokens go before the codes they name, so that a replayed code never meets none.
    session.execute(delete(AccessToken).where(AccessToken.expires_at < long_ago))
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < long_ago))
    session.execute(delete(PushedRequest).where(PushedRequest.expires_at < long_ago))
