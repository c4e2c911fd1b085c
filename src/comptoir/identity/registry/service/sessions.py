"""A person's sessions: opened once they proved who they are (a code, a passkey), read on
every request they make, ended when they sign out. Each opening and ending is in the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from comptoir.identity.registry import domain
from comptoir.identity.registry.models import Person, PersonSession
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.db import connection_of
from comptoir.kernel.ids import new_id


def start_session(
    session: Session, *, person_id: uuid.UUID, method: str, clock: Clock
) -> uuid.UUID:
    """Open a session for a person who just proved who they are, and record the login."""
    now = clock.now()
    opened = PersonSession(
        id=new_id(),
        person_id=person_id,
        method=method,
        authenticated_at=now,
        expires_at=now + domain.SESSION_LIFETIME,
        ended_at=None,
    )
    session.add(opened)
    session.flush()
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.person.signed_in",
        subject=f"person:{person_id}",
        details={"method": method},
        clock=clock,
    )
    return opened.id


@dataclass(frozen=True)
class LiveSession:
    person_id: uuid.UUID
    authenticated_at: datetime
    method: str


def live_session(
    session: Session | Connection, *, session_id: uuid.UUID, now: datetime
) -> LiveSession | None:
    """The session if it is open and not expired, and its person still exists."""
    # One statement, on the session's connection (the ORM's execution would add nothing to a
    # read of columns but its own cost): it runs on every request of a signed-in person.
    found = (
        connection_of(session)
        .execute(_LIVE_SESSION, {"session_id": session_id, "now": now})
        .first()
    )
    if found is None:
        return None
    return LiveSession(found.person_id, found.authenticated_at, found.method)


_LIVE_SESSION: Final = (
    select(PersonSession.person_id, PersonSession.authenticated_at, PersonSession.method)
    .join(Person, Person.id == PersonSession.person_id)
    .where(
        PersonSession.id == bindparam("session_id"),
        PersonSession.ended_at.is_(None),
        PersonSession.expires_at > bindparam("now"),
    )
)


def end_session(session: Session, *, session_id: uuid.UUID, clock: Clock) -> None:
    found = session.get(PersonSession, session_id)
    if found is not None and found.ended_at is None:
        found.ended_at = clock.now()
        audit.record(
            session,
            actor=f"person:{found.person_id}",
            action="identity.person.signed_out",
            subject=f"person:{found.person_id}",
            clock=clock,
        )
