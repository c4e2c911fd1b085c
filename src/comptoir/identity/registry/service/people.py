"""People: enrolment (by themselves or assisted by an agent), look-up, claims, agents, and the
locks a person puts on their ways of signing in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date
from typing import Final, TypeVar

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.models import MethodLock, Person
from comptoir.identity.registry.records import METHODS, PersonRecord
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.db import connection_of
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

T = TypeVar("T")

SELF: str = "self"
"""The `actor` of a person who enrols themselves (after proving their phone with a code)."""


def person_record(person: Person) -> PersonRecord:
    return PersonRecord(
        id=person.id,
        name=person.name,
        phone=person.phone,
        birthdate=person.birthdate,
        national_id=person.national_id,
        locale=person.locale,
        created_at=person.created_at,
        is_agent=person.agent_since is not None,
    )


def check_new_person(
    session: Session,
    *,
    name: str,
    phone: str,
    birthdate: date | str,
    national_id: str | None,
    locale: str,
    today: date,
) -> tuple[str, str, date, str | None, str]:
    """Validate what enrolment needs and refuse a phone or national id already registered.
    Returns the cleaned (name, phone, birthdate, national_id, locale)."""
    # Every field is checked before any is refused, so a form names all its problems at once.
    problems: list[RegistryError] = []

    def checked(check: Callable[[], T]) -> T | None:
        try:
            return check()
        except RegistryError as problem:
            problems.append(problem)
            return None

    clean_name = checked(lambda: domain.clean_name(name))
    clean_phone = checked(lambda: domain.normalise_phone(phone))
    born = checked(
        lambda: (
            birthdate
            if isinstance(birthdate, date)
            else domain.parse_birthdate(birthdate, today=today)
        )
    )
    if born is not None and born > today:
        problems.append(
            RegistryError("invalid_birthdate", domain.BORN_IN_THE_FUTURE, field="birthdate")
        )
    clean_id = checked(lambda: domain.clean_national_id(national_id))
    clean_locale = checked(lambda: domain.clean_locale(locale))
    RegistryError.raise_all(problems)
    # No problem means every check gave its value.
    assert clean_name is not None
    assert clean_phone is not None
    assert born is not None
    assert clean_locale is not None
    # Both records already taken are named at once too.
    if session.scalar(select(Person.id).where(Person.phone == clean_phone)) is not None:
        problems.append(
            RegistryError(
                "duplicate_phone",
                lazy(
                    "Someone is already registered with this phone number. If it is you, log "
                    "in instead; one person has one record."
                ),
                field="phone",
            )
        )
    if (
        clean_id is not None
        and session.scalar(select(Person.id).where(Person.national_id == clean_id)) is not None
    ):
        problems.append(
            RegistryError(
                "duplicate_national_id",
                lazy(
                    "Someone is already registered with this national id number. One person "
                    "has one record; ask a registry agent if you think this is a mistake."
                ),
                field="national_id",
            )
        )
    RegistryError.raise_all(problems)
    return clean_name, clean_phone, born, clean_id, clean_locale


def enrol_person(
    session: Session,
    *,
    name: str,
    phone: str,
    birthdate: date | str,
    national_id: str | None = None,
    locale: str = "en",
    actor: str,
    clock: Clock,
) -> PersonRecord:
    """Add a person to the registry and record it in the audit log.

    `actor` is who enrols: `SELF` ("self") for a person who proved their phone with a code
    (the audit entry then names the new person), `person:<uuid>` for an agent assisting,
    `operator:<name>` for the operator. A phone or national id number already registered
    raises RegistryError (`duplicate_phone`, `duplicate_national_id`); so does bad input.
    """
    now = clock.now()
    clean_name, clean_phone, born, clean_id, clean_locale = check_new_person(
        session,
        name=name,
        phone=phone,
        birthdate=birthdate,
        national_id=national_id,
        locale=locale,
        today=now.astimezone(UTC).date(),
    )
    person = Person(
        id=new_id(),
        name=clean_name,
        phone=clean_phone,
        birthdate=born,
        national_id=clean_id,
        locale=clean_locale,
        enrolled_by=actor,
        agent_since=None,
        created_at=now,
    )
    try:
        # Two enrolments of one phone at once both pass the checks above; the unique
        # constraints stop the second, which gets the same clear refusal.
        with session.begin_nested():
            session.add(person)
            session.flush()
    except IntegrityError:
        check_new_person(
            session,
            name=name,
            phone=phone,
            birthdate=born,
            national_id=national_id,
            locale=locale,
            today=now.astimezone(UTC).date(),
        )
        raise
    if actor == SELF:
        channel, audit_actor = "self", f"person:{person.id}"
    elif actor.startswith("person:"):
        channel, audit_actor = "agent", actor
    else:
        channel, audit_actor = "operator", actor
    audit.record(
        session,
        actor=audit_actor,
        action="identity.person.enrolled",
        subject=f"person:{person.id}",
        details={"channel": channel},
        clock=clock,
    )
    return person_record(person)


def _person(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise RegistryError("unknown_person", lazy("No one with this id is in the registry."))
    return person


def get_person(session: Session, *, person_id: uuid.UUID) -> PersonRecord:
    """The person with this id; RegistryError `unknown_person` if there is none."""
    return person_record(_person(session, person_id))


def find_person_by_phone(session: Session, *, phone: str) -> PersonRecord | None:
    """The person registered with this phone (any spelling of it), or None."""
    found = session.scalar(select(Person).where(Person.phone == domain.normalise_phone(phone)))
    return None if found is None else person_record(found)


def person_claims(session: Session | Connection, *, person_id: uuid.UUID) -> dict[str, object]:
    """The person's OpenID Connect standard claims (OpenID Connect Core 1.0, section 5.1), read
    in the caller's transaction (its session, or its Core connection)."""
    # Only the columns, not the whole record: this runs at every token and userinfo request.
    # On the connection: the ORM's execution would add nothing to a read of columns but its
    # own cost (callers have nothing pending to flush first).
    person = connection_of(session).execute(_PERSON_CLAIMS, {"person_id": person_id}).first()
    if person is None:
        raise RegistryError("unknown_person", lazy("No one with this id is in the registry."))
    return {
        "name": person.name,
        "phone_number": person.phone,
        # The registry holds a number only after its owner proved it with a code, or an agent
        # enrolled them in person.
        "phone_number_verified": True,
        "birthdate": person.birthdate.isoformat(),
        "locale": person.locale,
    }


_PERSON_CLAIMS: Final = select(Person.name, Person.phone, Person.birthdate, Person.locale).where(
    Person.id == bindparam("person_id")
)


def make_agent(session: Session, *, phone: str, actor: str, clock: Clock) -> PersonRecord:
    """Make the person registered with this phone a registry agent (assisted enrolment)."""
    person = session.scalar(select(Person).where(Person.phone == domain.normalise_phone(phone)))
    if person is None:
        raise RegistryError(
            "unknown_phone", lazy("No one is registered with this phone number."), field="phone"
        )
    if person.agent_since is None:
        person.agent_since = clock.now()
        audit.record(
            session,
            actor=actor,
            action="identity.agent.added",
            subject=f"person:{person.id}",
            clock=clock,
        )
    return person_record(person)


def is_agent(session: Session, *, person_id: uuid.UUID) -> bool:
    person = session.get(Person, person_id)
    return person is not None and person.agent_since is not None


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise RegistryError("unknown_method", lazy("There is no such way of logging in."))
    return method


def method_locked(session: Session, *, person_id: uuid.UUID, method: str) -> bool:
    """Whether the person has locked this way of signing in ("otp" or "passkey")."""
    return session.get(MethodLock, (person_id, _check_method(method))) is not None


def locked_methods(session: Session, *, person_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(MethodLock.method).where(MethodLock.person_id == person_id)))


def set_method_lock(
    session: Session,
    *,
    person_id: uuid.UUID,
    method: str,
    locked: bool,
    actor: str,
    clock: Clock,
) -> bool:
    """Lock or unlock a way of signing in; True if that changed anything (recorded in the
    audit log), False if it already was so."""
    _person(session, person_id)
    found = session.get(MethodLock, (person_id, _check_method(method)))
    if locked == (found is not None):
        return False
    if locked:
        session.add(MethodLock(person_id=person_id, method=method, locked_at=clock.now()))
    else:
        session.delete(found)
    audit.record(
        session,
        actor=actor,
        action="identity.method.locked" if locked else "identity.method.unlocked",
        subject=f"person:{person_id}",
        details={"method": method},
        clock=clock,
    )
    return True
