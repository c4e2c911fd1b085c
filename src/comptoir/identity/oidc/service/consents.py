"""Consents (versioned, revocable at any time) and the log of releases: "who used my data"."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import SUBJECT, ClaimsRequest
from comptoir.identity.oidc.models import AccessToken, Consent, OidcClient, Release
from comptoir.identity.oidc.provider import RegisteredClient
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.db import connection_of
from comptoir.kernel.ids import new_id


@dataclass(frozen=True)
class ConsentDecision:
    consent_id: uuid.UUID
    granted: tuple[str, ...]


@dataclass(frozen=True)
class ConsentView:
    client_id: str
    client_name: str
    purpose: str
    version: int
    claims: tuple[str, ...]
    granted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class ReleaseView:
    client_name: str
    channel: str
    claims: tuple[str, ...]
    released_at: datetime


def _latest(session: Session, *, person_id: uuid.UUID, client_id: str) -> Consent | None:
    return session.scalars(
        select(Consent)
        .where(Consent.person_id == person_id, Consent.client_id == client_id)
        .order_by(Consent.version.desc())
        .limit(1)
    ).first()


def covering_consent(
    session: Session | Connection, *, person_id: uuid.UUID, client_id: str, wanted: ClaimsRequest
) -> ConsentDecision | None:
    """The consent in force if it already answers this request: the person was asked about
    every claim, and granted every essential one. None means: ask."""
    # On the session's connection: the ORM's execution would add nothing to a read of columns
    # but its own cost, at every sign-in.
    latest = (
        connection_of(session)
        .execute(_LATEST_CONSENT, {"person_id": person_id, "client_id": client_id})
        .first()
    )
    if latest is None or latest.revoked_at is not None:
        return None
    asked, granted = set(latest.claims_asked), set(latest.claims_granted)
    if not set(wanted.asked) <= asked or not wanted.essential <= granted:
        return None
    return ConsentDecision(latest.id, tuple(claim for claim in wanted.asked if claim in granted))


def record_consent(
    session: Session,
    *,
    person_id: uuid.UUID,
    client: RegisteredClient,
    wanted: ClaimsRequest,
    ticked: Iterable[str],
    clock: Clock,
) -> ConsentDecision:
    """Write the person's answer as a new version. `sub` and essential claims are granted
    whatever the form says: the screen shows them as not optional."""
    chosen = set(ticked) | wanted.essential | {SUBJECT}
    granted = [claim for claim in wanted.asked if claim in chosen]
    latest = _latest(session, person_id=person_id, client_id=client.id)
    # Claims asked before stay asked: the person decided on them, the new answer adds to it.
    asked = list(wanted.asked)
    if latest is not None and latest.revoked_at is None:
        for claim in latest.claims_asked:
            if claim not in asked:
                asked.append(claim)
                if claim in latest.claims_granted:
                    granted.append(claim)
    row = Consent(
        id=new_id(),
        person_id=person_id,
        client_id=client.id,
        version=(latest.version + 1) if latest is not None else 1,
        claims_asked=asked,
        claims_granted=granted,
        granted_at=clock.now(),
        revoked_at=None,
    )
    session.add(row)
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.oidc.consent_given",
        subject=f"oidc-client:{client.id}",
        details={"version": row.version, "claims": granted},
        clock=clock,
    )
    return ConsentDecision(row.id, tuple(claim for claim in wanted.asked if claim in granted))


def list_consents(session: Session, *, person_id: uuid.UUID) -> list[ConsentView]:
    """The newest version of each consent the person gave, newest first."""
    rows = session.execute(
        select(Consent, OidcClient)
        .join(OidcClient, OidcClient.id == Consent.client_id)
        .where(Consent.person_id == person_id)
        .order_by(Consent.client_id, Consent.version.desc())
    ).all()
    newest: dict[str, ConsentView] = {}
    for consent, client in rows:
        if consent.client_id in newest:
            continue
        newest[consent.client_id] = ConsentView(
            client_id=client.id,
            client_name=client.name,
            purpose=client.purpose,
            version=consent.version,
            claims=tuple(consent.claims_granted),
            granted_at=consent.granted_at,
            revoked_at=consent.revoked_at,
        )
    return sorted(newest.values(), key=lambda view: view.granted_at, reverse=True)


def revoke_consent(session: Session, *, person_id: uuid.UUID, client_id: str, clock: Clock) -> bool:
    """Revoke the consent in force: its access tokens stop working at once. False if there
    was none."""
    latest = _latest(session, person_id=person_id, client_id=client_id)
    if latest is None or latest.revoked_at is not None:
        return False
    now = clock.now()
    latest.revoked_at = now
    session.execute(
        update(AccessToken)
        .where(
            AccessToken.person_id == person_id,
            AccessToken.client_id == client_id,
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.oidc.consent_revoked",
        subject=f"oidc-client:{client_id}",
        details={"version": latest.version},
        clock=clock,
    )
    return True


def record_release(
    session: Session | Connection,
    *,
    person_id: uuid.UUID,
    client_id: str,
    consent_id: uuid.UUID,
    channel: str,
    claims: Sequence[str],
    clock: Clock,
) -> None:
    """Log one release of attributes, for the person and in the audit log (names, no values),
    in the caller's transaction (its session, or its Core connection)."""
    connection_of(session).execute(
        _INSERT_RELEASE,
        {
            "id": new_id(),
            "person_id": person_id,
            "client_id": client_id,
            "consent_id": consent_id,
            "channel": channel,
            "claims": list(claims),
            "released_at": clock.now(),
        },
    )
    audit.record(
        session,
        actor=f"oidc-client:{client_id}",
        action="identity.oidc.released",
        subject=f"person:{person_id}",
        details={"channel": channel, "claims": list(claims)},
        clock=clock,
    )


def list_releases(session: Session, *, person_id: uuid.UUID, limit: int = 100) -> list[ReleaseView]:
    rows = session.execute(
        select(Release, OidcClient.name)
        .join(OidcClient, OidcClient.id == Release.client_id)
        .where(Release.person_id == person_id)
        .order_by(Release.released_at.desc(), Release.id.desc())
        .limit(limit)
    ).all()
    return [
        ReleaseView(
            client_name=name,
            channel=release.channel,
            claims=tuple(release.claims),
            released_at=release.released_at,
        )
        for release, name in rows
    ]


# Built once: building a statement costs more than running it.
_LATEST_CONSENT: Final = (
    select(Consent.id, Consent.claims_asked, Consent.claims_granted, Consent.revoked_at)
    .where(Consent.person_id == bindparam("person_id"), Consent.client_id == bindparam("client_id"))
    .order_by(Consent.version.desc())
    .limit(1)
)
_INSERT_RELEASE: Final = insert(Release).values(
    id=bindparam("id"),
    person_id=bindparam("person_id"),
    client_id=bindparam("client_id"),
    consent_id=bindparam("consent_id"),
    channel=bindparam("channel"),
    claims=bindparam("claims"),
    released_at=bindparam("released_at"),
)
