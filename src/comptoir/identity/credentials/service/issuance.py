"""Issue, list and revoke credentials; keep the status lists they point into.

The database keeps what a credential is about (kind, person, business) and its status slot,
never its claim values: those live only in the signed credential the holder keeps.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.identity.credentials import catalogue
from comptoir.identity.credentials.errors import CredentialError
from comptoir.identity.credentials.models import CredentialRow, StatusListRow
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.service import BusinessRecord, businesses_of, get_person
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import Jwk
from comptoir.kernel.crypto.sdjwt import issue_sd_jwt
from comptoir.kernel.crypto.status_list import INVALID, StatusList, issue_status_list_token
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

# 16 384 one-bit slots: 2 KiB before compression. Lists are filled to half at most, at random
# places, so that a slot number tells nothing about when or to whom a credential was issued.
STATUS_LIST_SIZE: Final = 16_384
STATUS_LIST_TTL_SECONDS: Final = 300
STATUS_TOKEN_LIFETIME_SECONDS: Final = 24 * 60 * 60
OPERATOR: Final = "operator"
HOLDER: Final = "person"


@dataclass(frozen=True)
class Issuer:
    """Who signs: the issuer identifier (`{base_url}/identity/vci`), its key, its clock."""

    base_url: str
    key: Jwk
    clock: Clock

    @property
    def identifier(self) -> str:
        return f"{self.base_url}/identity/vci"

    def status_list_uri(self, list_id: int) -> str:
        return f"{self.base_url}/identity/credentials/status/{list_id}"


@dataclass(frozen=True)
class IssuedCredential:
    id: uuid.UUID
    kind: str
    sd_jwt: str


@dataclass(frozen=True)
class CredentialSummary:
    id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    business_id: uuid.UUID | None
    holder_thumbprint: str
    channel: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


@dataclass(frozen=True)
class Eligibility:
    """What a person may be issued now, and why not for the rest."""

    adult: bool
    verified_businesses: tuple[BusinessRecord, ...]
    waiting_businesses: tuple[BusinessRecord, ...]


def eligibility(session: Session, *, person_id: uuid.UUID, clock: Clock) -> Eligibility:
    person = get_person(session, person_id=person_id)
    businesses = businesses_of(session, owner_id=person_id)
    return Eligibility(
        adult=catalogue.is_adult(person.birthdate, clock.now().date()),
        verified_businesses=tuple(item for item in businesses if item.verified_at is not None),
        waiting_businesses=tuple(item for item in businesses if item.verified_at is None),
    )


def kind_of(kind: str) -> catalogue.CredentialKind:
    found = catalogue.KINDS.get(kind)
    if found is None:
        raise CredentialError(
            "unknown_kind",
            lazy("This issuer does not issue that credential."),
            oauth_error="unknown_credential_configuration",
        )
    return found


def credential_claims(
    session: Session,
    *,
    person_id: uuid.UUID,
    kind: str,
    business_id: uuid.UUID | None,
    clock: Clock,
) -> dict[str, object]:
    """The selectively disclosable claims, if the person may have this credential now."""
    chosen = kind_of(kind)
    try:
        allowed = eligibility(session, person_id=person_id, clock=clock)
    except RegistryError:
        raise CredentialError(
            "unknown_person", lazy("No one with this id is in the registry.")
        ) from None
    if not chosen.needs_business:
        if not allowed.adult:
            raise CredentialError(
                "under_18",
                lazy("The registry's birthdate says you are not 18 yet, so this is not issued."),
                oauth_error="credential_request_denied",
                status=403,
            )
        return {"age_over_18": True}
    for business in allowed.verified_businesses:
        if business.id == business_id:
            return {
                "business_name": business.name,
                "registration_number": business.registration_number,
                "sector": business.sector,
                "owner_name": business.owner_name,
            }
    if any(business.id == business_id for business in allowed.waiting_businesses):
        raise CredentialError(
            "business_not_verified",
            lazy("The registry has not verified this business yet, so no credential is issued."),
            oauth_error="credential_request_denied",
            status=403,
        )
    raise CredentialError(
        "unknown_business",
        lazy("You own no business with this id in the registry."),
        oauth_error="credential_request_denied",
        status=403,
    )


def issue(
    session: Session,
    *,
    issuer: Issuer,
    person_id: uuid.UUID,
    kind: str,
    business_id: uuid.UUID | None,
    holder_key: Jwk,
    channel: str,
) -> IssuedCredential:
    """Sign a credential bound to `holder_key`, give it a status slot, record the issuance."""
    chosen = kind_of(kind)
    disclosable = credential_claims(
        session, person_id=person_id, kind=kind, business_id=business_id, clock=issuer.clock
    )
    if holder_key.is_private:
        raise ValueError("bind a credential to the holder's public key only")
    list_id, index = _free_slot(session, issuer.clock)
    now = issuer.clock.now()
    credential_id = new_id()
    issued = issue_sd_jwt(
        {
            "iss": issuer.identifier,
            "vct": chosen.vct(issuer.identifier),
            "status": {"status_list": {"idx": index, "uri": issuer.status_list_uri(list_id)}},
        },
        disclosable,
        issuer.key,
        holder_key=holder_key,
        ttl_seconds=int(catalogue.VALIDITY.total_seconds()),
        clock=issuer.clock,
    )
    session.add(
        CredentialRow(
            id=credential_id,
            person_id=person_id,
            kind=kind,
            business_id=business_id if chosen.needs_business else None,
            holder_thumbprint=holder_key.thumbprint(),
            channel=channel,
            status_list_id=list_id,
            status_index=index,
            issued_at=now,
            expires_at=now + catalogue.VALIDITY,
            revoked_at=None,
            revoked_by=None,
        )
    )
    # The kind and the channel only: never a claim value.
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.credential_issued",
        subject=f"credential:{credential_id}",
        details={"kind": kind, "channel": channel},
        clock=issuer.clock,
    )
    return IssuedCredential(credential_id, kind, issued.serialized)


def _free_slot(session: Session, clock: Clock) -> tuple[int, int]:
    """A random free slot in the newest status list, or in a new one when it is half full.

    The newest list's row is locked, so that concurrent issuers (on PostgreSQL) take turns and
    each sees the slots the others took; two issuers opening the same new list is caught by its
    primary key, and the loser takes the winner's list.
    """
    for _attempt in range(5):
        newest = session.scalar(
            select(StatusListRow).order_by(StatusListRow.id.desc()).limit(1).with_for_update()
        )
        if newest is not None:
            used = set(
                session.scalars(
                    select(CredentialRow.status_index).where(
                        CredentialRow.status_list_id == newest.id
                    )
                )
            )
            if len(used) < newest.size // 2:
                return newest.id, _random_free(newest.size, used)
        opened = (newest.id if newest is not None else 0) + 1
        try:
            with session.begin_nested():
                session.add(StatusListRow(id=opened, size=STATUS_LIST_SIZE, created_at=clock.now()))
        except IntegrityError:
            continue
        return opened, _random_free(STATUS_LIST_SIZE, set())
    raise RuntimeError("no status list slot could be taken; try again")


def _random_free(size: int, used: set[int]) -> int:
    while True:
        index = secrets.randbelow(size)
        if index not in used:
            return index


def _summary(row: CredentialRow) -> CredentialSummary:
    return CredentialSummary(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        business_id=row.business_id,
        holder_thumbprint=row.holder_thumbprint,
        channel=row.channel,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


def credentials_of(session: Session, *, person_id: uuid.UUID) -> list[CredentialSummary]:
    rows = session.scalars(
        select(CredentialRow)
        .where(CredentialRow.person_id == person_id)
        .order_by(CredentialRow.issued_at.desc(), CredentialRow.id.desc())
    )
    return [_summary(row) for row in rows]


def recent_credentials(session: Session, *, limit: int = 100) -> list[CredentialSummary]:
    rows = session.scalars(
        select(CredentialRow)
        .order_by(CredentialRow.issued_at.desc(), CredentialRow.id.desc())
        .limit(limit)
    )
    return [_summary(row) for row in rows]


def revoke(
    session: Session,
    *,
    credential_id: uuid.UUID,
    actor: str,
    clock: Clock,
    holder_id: uuid.UUID | None = None,
) -> CredentialSummary:
    """Revoke a credential: the operator's, or with `holder_id` the person's own only."""
    row = session.get(CredentialRow, credential_id, with_for_update=True)
    if row is None or (holder_id is not None and row.person_id != holder_id):
        raise CredentialError(
            "unknown_credential", lazy("There is no such credential."), status=404
        )
    if row.revoked_at is not None:
        raise CredentialError(
            "already_revoked", lazy("This credential is already revoked."), status=409
        )
    row.revoked_at = clock.now()
    row.revoked_by = HOLDER if holder_id is not None else OPERATOR
    audit.record(
        session,
        actor=actor,
        action="identity.credential_revoked",
        subject=f"credential:{row.id}",
        details={"kind": row.kind, "by": row.revoked_by},
        clock=clock,
    )
    return _summary(row)


def status_list_token(session: Session, *, issuer: Issuer, list_id: int) -> str | None:
    """The signed status list token for a list, built from the revoked credentials in it."""
    row = session.get(StatusListRow, list_id)
    if row is None:
        return None
    status_list = StatusList.empty(row.size)
    revoked = session.scalars(
        select(CredentialRow.status_index).where(
            CredentialRow.status_list_id == list_id, CredentialRow.revoked_at.is_not(None)
        )
    )
    for index in revoked:
        status_list.set(index, INVALID)
    return issue_status_list_token(
        status_list,
        issuer.key,
        uri=issuer.status_list_uri(list_id),
        ttl_seconds=STATUS_LIST_TTL_SECONDS,
        expires_in_seconds=STATUS_TOKEN_LIFETIME_SECONDS,
        clock=issuer.clock,
    )
