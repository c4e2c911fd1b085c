"""Registry agents: signed-in people whom the operator made agents. They enrol people who need
help (assisted enrolment) and verify business registrations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from comptoir.identity.registry import service
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import (
    birthdate_form,
    error_context,
    person_or_redirect,
    render,
    see_other,
)
from comptoir.identity.registry.pages.pending import REFUSED_ENROLMENT
from comptoir.identity.registry.pages.refused_details import (
    forget_details,
    keep_details,
    kept_details,
)
from comptoir.identity.registry.service.signin import send_sms
from comptoir.identity.registry.session import SignedInPerson
from comptoir.kernel.errors import FORBIDDEN, NOT_FOUND, Problem
from comptoir.kernel.i18n import _, current_locale, lazy
from comptoir.kernel.ids import parse_id
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.routes import language_chosen

router = APIRouter(include_in_schema=False)


def _agent(request: Request) -> SignedInPerson | Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    with node_context(request).database.reading() as session:
        if not service.is_agent(session, person_id=who.person_id):
            raise Problem(
                FORBIDDEN,
                lazy("Only registry agents may use these pages. The operator makes agents."),
            )
    return who


def _page(request: Request, context: dict[str, Any], *, status_code: int = 200) -> Response:
    with node_context(request).database.reading() as session:
        waiting = service.list_businesses(session, verified=False)
    values: dict[str, Any] = {"form": {"locale": current_locale()}, "waiting": waiting}
    values.update(context)
    return render(request, "identity/agent.html", values, status_code=status_code)


# Where a language switch comes back to after a refused enrolment: the details typed are in
# this browser's cookie, never in this address.
REFUSED_DETAILS = "/identity/agent?kept=1"


@router.get("/identity/agent")
def agent_home(request: Request, kept: str = "") -> Response:
    """The agent's page; at `REFUSED_DETAILS`, with the refused enrolment as it was typed."""
    who = _agent(request)
    if not isinstance(who, SignedInPerson):
        return who
    context = kept_details(request, REFUSED_ENROLMENT) if kept else None
    if context is not None:
        refused = "errors" in context
        return _page(
            request, {**context, "return_path": REFUSED_DETAILS, "enrolment_refused": refused}
        )
    response = _page(request, {})
    forget_details(request, response, REFUSED_ENROLMENT)
    return response


@router.post("/identity/agent/enrol")
def agent_enrol(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    birthdate: Annotated[str, Form()] = "",
    national_id: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "en",
    day: Annotated[str, Form(alias="birthdate_day")] = "",
    month: Annotated[str, Form(alias="birthdate_month")] = "",
    year: Annotated[str, Form(alias="birthdate_year")] = "",
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    who = _agent(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    birthdate, boxes = birthdate_form(birthdate, day, month, year)
    form = {
        "name": name,
        "phone": phone,
        "birthdate": birthdate,
        "national_id": national_id,
        "locale": locale,
        **boxes,
    }
    if lang:
        # The header's language buttons send the form here (`switch_keeps`): no one is
        # enrolled; what was typed waits in this browser's cookie for the page in `lang`.
        switched = language_chosen(request, lang, REFUSED_DETAILS)
        keep_details(request, switched, REFUSED_ENROLMENT, form, refused=bool(refused))
        return switched
    try:
        with node.database.transaction() as session:
            person = service.enrol_person(
                session,
                name=name,
                phone=phone,
                birthdate=birthdate,
                national_id=national_id or None,
                locale=locale,
                actor=f"person:{who.person_id}",
                clock=node.clock,
            )
            welcome = lazy(
                "Welcome to Comptoir, {name}. You are registered with this number: log in "
                "with a code sent here.",
                name=person.name,
            )
            send_sms(session, to=person.phone, body=welcome.render(person.locale), clock=node.clock)
    except RegistryError as error:
        context: dict[str, Any] = {
            "form": form,
            "return_path": REFUSED_DETAILS,
            "enrolment_refused": True,
        }
        context.update(error_context(error))
        refusal = _page(request, context, status_code=400)
        keep_details(request, refusal, REFUSED_ENROLMENT, form)
        return refusal
    response = _page(
        request,
        {"notice": _("{name} is registered. We sent them a welcome SMS.", name=person.name)},
    )
    forget_details(request, response, REFUSED_ENROLMENT)
    return response


@router.post("/identity/agent/businesses/{business_id}/verify")
def agent_verify(request: Request, business_id: str) -> Response:
    who = _agent(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    try:
        parsed = parse_id(business_id)
    except ValueError:
        raise Problem(NOT_FOUND) from None
    try:
        with node.database.transaction() as session:
            service.verify_business(
                session, business_id=parsed, actor=f"person:{who.person_id}", clock=node.clock
            )
    except RegistryError as error:
        return _page(request, error_context(error), status_code=400)
    return see_other("/identity/agent#businesses")


@router.post("/identity/agent/unlock")
def agent_unlock(
    request: Request,
    unlock_phone: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "otp",
) -> Response:
    """Unlock a way of logging in for a person who locked every way they use (the agent
    checks who they are in person first)."""
    who = _agent(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            person = service.find_person_by_phone(session, phone=unlock_phone)
            if person is None:
                raise RegistryError(
                    "unknown_phone",
                    lazy("No one is registered with this phone number."),
                    field="unlock_phone",
                )
            service.set_method_lock(
                session,
                person_id=person.id,
                method=method,
                locked=False,
                actor=f"person:{who.person_id}",
                clock=node.clock,
            )
    except RegistryError as error:
        context: dict[str, Any] = {"unlock_phone": unlock_phone}
        context.update(error_context(error))
        if context.get("error_field") == "phone":
            context["error_field"] = "unlock_phone"
        return _page(request, context, status_code=400)
    return _page(request, {"notice": _("Logging in is unlocked for {name}.", name=person.name)})
