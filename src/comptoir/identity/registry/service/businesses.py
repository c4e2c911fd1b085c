"""Businesses (micro-enterprises count): registration by their owner, verification by an
operator or a registry agent before any credential is issued about them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.models import Business, Person
from comptoir.identity.registry.records import BusinessRecord
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.i18n import N_, lazy
from comptoir.kernel.ids import new_id


def _record(business: Business, owner: Person) -> BusinessRecord:
    return BusinessRecord(
        id=business.id,
        name=business.name,
        registration_number=business.registration_number,
        sector=business.sector,
        address=business.address,
        women_owned=business.women_owned,
        youth_owned=business.youth_owned,
        verified_at=business.verified_at,
        owner_name=owner.name,
        owner_id=owner.id,
        created_at=business.created_at,
    )


@dataclass(frozen=True)
class _CheckedBusiness:
    owner: Person
    name: str
    registration_number: str
    address: str
    sector: str
    # The same business this owner already registered (the form sent twice), if any.
    same_as: Business | None


def _checked_business(
    session: Session,
    *,
    owner_id: uuid.UUID,
    name: str,
    registration_number: str,
    address: str,
    sector: str,
) -> _CheckedBusiness:
    owner = session.get(Person, owner_id)
    if owner is None:
        raise RegistryError("unknown_person", lazy("No one with this id is in the registry."))
    # Every field is checked before any is refused, so the form names all its problems at once.
    problems: list[RegistryError] = []

    def checked(check: Callable[[], str]) -> str:
        try:
            return check()
        except RegistryError as problem:
            problems.append(problem)
            return ""

    clean_name = checked(lambda: domain.clean_name(name))
    number = checked(lambda: domain.clean_registration_number(registration_number))
    clean_address = checked(
        lambda: domain.clean_text(
            address, field="address", limit=300, missing=N_("Write the business's address.")
        )
    )
    clean_sector = checked(
        lambda: domain.clean_text(
            sector, field="sector", limit=100, missing=N_("Say what the business does.")
        )
    )
    RegistryError.raise_all(problems)
    taken = session.scalar(select(Business).where(Business.registration_number == number))
    if taken is not None and (taken.owner_id, taken.name, taken.address, taken.sector) != (
        owner.id,
        clean_name,
        clean_address,
        clean_sector,
    ):
        raise RegistryError(
            "duplicate_registration_number",
            lazy("A business with this registration number is already registered."),
            field="registration_number",
        )
    return _CheckedBusiness(owner, clean_name, number, clean_address, clean_sector, taken)


def check_business(
    session: Session,
    *,
    owner_id: uuid.UUID,
    name: str,
    registration_number: str,
    address: str,
    sector: str,
) -> None:
    """What `register_business` would refuse in this form, raised, without registering it: for
    a form shown again as it was typed (a language switch), with its problems."""
    _checked_business(
        session,
        owner_id=owner_id,
        name=name,
        registration_number=registration_number,
        address=address,
        sector=sector,
    )


def register_business(
    session: Session,
    *,
    owner_id: uuid.UUID,
    name: str,
    registration_number: str,
    address: str,
    sector: str,
    women_owned: bool | None = None,
    youth_owned: bool | None = None,
    actor: str,
    clock: Clock,
) -> BusinessRecord:
    """Register a business owned by a person; it waits for verification. A registration
    number already registered raises RegistryError `duplicate_registration_number`."""
    checked = _checked_business(
        session,
        owner_id=owner_id,
        name=name,
        registration_number=registration_number,
        address=address,
        sector=sector,
    )
    owner = checked.owner
    if checked.same_as is not None:
        # The same form sent again (a second press of the button): the first answer.
        return _record(checked.same_as, owner)
    number = checked.registration_number
    business = Business(
        id=new_id(),
        name=checked.name,
        registration_number=number,
        owner_id=owner.id,
        address=checked.address,
        sector=checked.sector,
        women_owned=women_owned,
        youth_owned=youth_owned,
        created_at=clock.now(),
        verified_at=None,
        verified_by=None,
    )
    session.add(business)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="identity.business.registered",
        subject=f"business:{business.id}",
        details={"registration_number": number, "owner": f"person:{owner.id}"},
        clock=clock,
    )
    return _record(business, owner)


def businesses_of(session: Session, *, owner_id: uuid.UUID) -> list[BusinessRecord]:
    """The businesses a person owns, oldest first (verified or not: see `verified_at`)."""
    rows = session.execute(
        select(Business, Person)
        .join(Person, Business.owner_id == Person.id)
        .where(Business.owner_id == owner_id)
        .order_by(Business.created_at, Business.id)
    )
    return [_record(business, owner) for business, owner in rows]


def list_businesses(
    session: Session, *, verified: bool | None = None, limit: int = 200
) -> list[BusinessRecord]:
    """Businesses newest first; `verified=False` gives those waiting for verification."""
    query = (
        select(Business, Person)
        .join(Person, Business.owner_id == Person.id)
        .order_by(Business.created_at.desc(), Business.id.desc())
        .limit(limit)
    )
    if verified is True:
        query = query.where(Business.verified_at.is_not(None))
    elif verified is False:
        query = query.where(Business.verified_at.is_(None))
    return [_record(business, owner) for business, owner in session.execute(query)]


def get_business(session: Session, *, business_id: uuid.UUID) -> BusinessRecord:
    business = session.get(Business, business_id)
    if business is None:
        raise RegistryError("unknown_business", lazy("There is no such business."))
    owner = session.get(Person, business.owner_id)
    assert owner is not None  # a foreign key keeps the owner
    return _record(business, owner)


def verify_business(
    session: Session,
    *,
    actor: str,
    clock: Clock,
    business_id: uuid.UUID | None = None,
    registration_number: str | None = None,
) -> BusinessRecord:
    """Mark a business's registration as verified (by an operator or a registry agent) and
    record it in the audit log. Verifying twice raises RegistryError `already_verified`."""
    if business_id is not None:
        business = session.get(Business, business_id, with_for_update=True)
    elif registration_number is not None:
        number = domain.clean_registration_number(registration_number)
        business = session.scalar(
            select(Business).where(Business.registration_number == number).with_for_update()
        )
    else:
        raise ValueError("name the business by id or by registration number")
    if business is None:
        raise RegistryError("unknown_business", lazy("There is no such business."))
    if business.verified_at is not None:
        raise RegistryError(
            "already_verified", lazy("This business's registration is already verified.")
        )
    business.verified_at = clock.now()
    business.verified_by = actor
    audit.record(
        session,
        actor=actor,
        action="identity.business.verified",
        subject=f"business:{business.id}",
        details={"registration_number": business.registration_number},
        clock=clock,
    )
    owner = session.get(Person, business.owner_id)
    assert owner is not None
    return _record(business, owner)
