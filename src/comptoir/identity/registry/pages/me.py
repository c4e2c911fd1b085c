"""A person's own pages: what the registry holds about them, their method locks, their
businesses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from comptoir.identity.registry import service
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import (
    error_context,
    person_or_redirect,
    render,
    see_other,
)
from comptoir.identity.registry.pages.pending import (
    BUSINESS_DRAFT,
    forget_pending,
    keep_pending,
    pending,
)
from comptoir.identity.registry.pages.refused_details import KEPT_CHARACTERS
from comptoir.identity.registry.records import METHODS, OTP
from comptoir.identity.registry.session import SignedInPerson
from comptoir.kernel.i18n import N_, _
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.routes import language_chosen

router = APIRouter(include_in_schema=False)

METHOD_LABELS = {
    OTP: N_("A one-time code by SMS"),
    "passkey": N_("A passkey"),
}


def _me_context(request: Request, who: SignedInPerson) -> dict[str, Any]:
    node = node_context(request)
    with node.database.reading() as session:
        person = service.get_person(session, person_id=who.person_id)
        locked = service.locked_methods(session, person_id=who.person_id)
        businesses = service.businesses_of(session, owner_id=who.person_id)
    return {
        "person": person,
        "businesses": businesses,
        "methods": [
            {"key": method, "label": _(METHOD_LABELS[method]), "locked": method in locked}
            for method in METHODS
        ],
        "who": who,
    }


@router.get("/identity/me")
def me(request: Request) -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    return render(request, "identity/me.html", _me_context(request, who))


@router.post("/identity/me/locks")
def change_lock(
    request: Request,
    method: Annotated[str, Form()] = "",
    lock: Annotated[str, Form()] = "",
) -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            service.set_method_lock(
                session,
                person_id=who.person_id,
                method=method,
                locked=lock == "yes",
                actor=f"person:{who.person_id}",
                clock=node.clock,
            )
    except RegistryError as error:
        context = _me_context(request, who)
        context.update(error_context(error))
        return render(request, "identity/me.html", context, status_code=400)
    return see_other("/identity/me#locks")


def _choice(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


BUSINESS_FIELDS = ("name", "registration_number", "address", "sector", "women_owned", "youth_owned")
BUSINESS_FORM = "/identity/me/businesses/new"


@router.get(BUSINESS_FORM)
def business_form(request: Request, kept: str = "") -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    context: dict[str, Any] = {"form": {}}
    typed = pending(request, BUSINESS_DRAFT) if kept else None
    if typed is not None:
        context = _kept_business_form(request, who, typed)
    page = render(request, "identity/business_new.html", context)
    if not kept and BUSINESS_DRAFT in request.cookies:
        forget_pending(request, page, BUSINESS_DRAFT)  # opened afresh: a blank form
    return page


def _kept_business_form(
    request: Request, who: SignedInPerson, typed: dict[str, str]
) -> dict[str, Any]:
    """The form as it was left before a language switch; one that had been refused shows its
    problems again, found anew so that they are said in the language now read."""
    form = {field: typed.get(field, "") for field in BUSINESS_FIELDS}
    context: dict[str, Any] = {"form": form}
    if typed.get("refused"):
        try:
            with node_context(request).database.reading() as session:
                service.check_business(
                    session,
                    owner_id=who.person_id,
                    name=form["name"],
                    registration_number=form["registration_number"],
                    address=form["address"],
                    sector=form["sector"],
                )
        except RegistryError as error:
            context.update(error_context(error))
    return context


@router.post(BUSINESS_FORM)
def business_register(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    registration_number: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    sector: Annotated[str, Form()] = "",
    women_owned: Annotated[str, Form()] = "",
    youth_owned: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    who = person_or_redirect(request)
    if not isinstance(who, SignedInPerson):
        return who
    node = node_context(request)
    form = {
        "name": name,
        "registration_number": registration_number,
        "address": address,
        "sector": sector,
        "women_owned": women_owned,
        "youth_owned": youth_owned,
    }
    if lang:
        # The header's language buttons send this form here (`switch_keeps`): nothing is
        # registered; what was typed is kept in a signed cookie, never in the address.
        switched = language_chosen(request, lang, f"{BUSINESS_FORM}?kept=1")
        kept = {field: value[:KEPT_CHARACTERS] for field, value in form.items()}
        keep_pending(request, switched, BUSINESS_DRAFT, kept | {"refused": refused[:1]})
        return switched
    try:
        with node.database.transaction() as session:
            service.register_business(
                session,
                owner_id=who.person_id,
                name=name,
                registration_number=registration_number,
                address=address,
                sector=sector,
                women_owned=_choice(women_owned),
                youth_owned=_choice(youth_owned),
                actor=f"person:{who.person_id}",
                clock=node.clock,
            )
    except RegistryError as error:
        context: dict[str, Any] = {"form": form}
        context.update(error_context(error))
        return render(request, "identity/business_new.html", context, status_code=400)
    registered = see_other("/identity/me#businesses")
    if BUSINESS_DRAFT in request.cookies:
        forget_pending(request, registered, BUSINESS_DRAFT)
    return registered
