"""`comptoir identity`: the operator's commands for the registry.

    comptoir identity person add --name NAME --phone E164 --birthdate YYYY-MM-DD
        [--national-id ID] [--locale en|fr]          prints {"person_id": ...} as JSON
    comptoir identity person unlock PHONE --method otp|passkey
    comptoir identity agent add PHONE
    comptoir identity business verify REGISTRATION_NUMBER

An error is one line on stderr, "comptoir identity <command>: <code>: <sentence>", exit code 1.
Every change is recorded in the audit log with the actor "operator:cli".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from sqlalchemy.orm import Session

from comptoir.identity.registry.errors import RegistryError
from comptoir.kernel.clock import system_clock

ACTOR = "operator:cli"


def _fail(command: str, code: str, sentence: str) -> NoReturn:
    typer.echo(f"comptoir identity {command}: {code}: {sentence}", err=True)
    raise typer.Exit(1)


@contextmanager
def _transaction(command: str) -> Iterator[Session]:
    """One transaction on the node's migrated database; a rule's refusal is one line."""
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings

    settings = load_settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        try:
            with database.transaction() as session:
                yield session
        except RegistryError as error:
            _fail(command, error.code, error.text.render("en"))
    finally:
        database.dispose()


def register_commands(identity_cli: typer.Typer) -> None:
    person_cli = typer.Typer(help="People in the registry.", no_args_is_help=True)
    agent_cli = typer.Typer(help="Registry agents, who enrol people who need help.")
    business_cli = typer.Typer(help="Businesses in the registry.", no_args_is_help=True)
    identity_cli.add_typer(person_cli, name="person")
    identity_cli.add_typer(agent_cli, name="agent", no_args_is_help=True)
    identity_cli.add_typer(business_cli, name="business")

    @person_cli.command("add")
    def person_add(
        name: Annotated[str, typer.Option(help="The person's full name.")],
        phone: Annotated[str, typer.Option(help="The phone number in E.164, +1758...")],
        birthdate: Annotated[str, typer.Option(help="The date of birth, YYYY-MM-DD.")],
        national_id: Annotated[
            str | None, typer.Option("--national-id", help="The national id number.")
        ] = None,
        locale: Annotated[str, typer.Option(help="Preferred language: en or fr.")] = "en",
    ) -> None:
        """Enrol a person (as the operator) and print their id as JSON."""
        from comptoir.identity.registry.service import enrol_person

        with _transaction("person add") as session:
            person = enrol_person(
                session,
                name=name,
                phone=phone,
                birthdate=birthdate,
                national_id=national_id,
                locale=locale,
                actor=ACTOR,
                clock=system_clock,
            )
        typer.echo(json.dumps({"person_id": str(person.id), "phone": person.phone}))

    @person_cli.command("unlock")
    def person_unlock(
        phone: Annotated[str, typer.Argument(help="The person's phone number.")],
        method: Annotated[str, typer.Option(help="otp or passkey.")] = "otp",
    ) -> None:
        """Unlock a way of logging in that a person locked (and cannot unlock alone)."""
        from comptoir.identity.registry.service import find_person_by_phone, set_method_lock

        with _transaction("person unlock") as session:
            person = find_person_by_phone(session, phone=phone)
            if person is None:
                _fail("person unlock", "unknown_phone", "no one is registered with this number.")
            changed = set_method_lock(
                session,
                person_id=person.id,
                method=method,
                locked=False,
                actor=ACTOR,
                clock=system_clock,
            )
        typer.echo(f"{method} {'unlocked' if changed else 'was not locked'} for {person.phone}")

    @agent_cli.command("add")
    def agent_add(phone: Annotated[str, typer.Argument(help="The person's phone number.")]) -> None:
        """Make a registered person a registry agent (assisted enrolment, verification)."""
        from comptoir.identity.registry.service import make_agent

        with _transaction("agent add") as session:
            person = make_agent(session, phone=phone, actor=ACTOR, clock=system_clock)
        typer.echo(f"{person.name} ({person.phone}) is a registry agent")

    @business_cli.command("verify")
    def business_verify(
        registration_number: Annotated[str, typer.Argument(help="The registration number.")],
    ) -> None:
        """Mark a business's registration as verified."""
        from comptoir.identity.registry.service import verify_business

        with _transaction("business verify") as session:
            business = verify_business(
                session, registration_number=registration_number, actor=ACTOR, clock=system_clock
            )
        typer.echo(f"{business.name} ({business.registration_number}) is verified")
