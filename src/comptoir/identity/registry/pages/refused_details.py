"""A person's details typed in a form (one's own registration, an agent's assisted enrolment),
refused or not yet sent, kept in the browser for a language switch: in a short-lived signed
cookie (pages/pending.py), never in the address the switch comes back to. That address shows
the form as it was typed; a refused one with its problems found again, so said in the language
it is now read in."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import error_context
from comptoir.identity.registry.pages.pending import forget_pending, keep_pending, pending
from comptoir.identity.registry.service.people import check_new_person
from comptoir.kernel.web.context import node_context

FIELDS: Final = (
    "name",
    "phone",
    "birthdate",
    "national_id",
    "locale",
    "birthdate_day",
    "birthdate_month",
    "birthdate_year",
)
# Well past any field's limit, so that the cookie stays small whatever was typed.
KEPT_CHARACTERS: Final = 300


def keep_details(
    request: Request,
    response: Response,
    cookie: str,
    form: dict[str, Any],
    *,
    refused: bool = True,
) -> None:
    typed = {field: str(form.get(field, ""))[:KEPT_CHARACTERS] for field in FIELDS}
    keep_pending(request, response, cookie, typed | {"refused": "1" if refused else ""})


def forget_details(request: Request, response: Response, cookie: str) -> None:
    if cookie in request.cookies:
        forget_pending(request, response, cookie)


def kept_details(request: Request, cookie: str) -> dict[str, Any] | None:
    """The context of the form as it was typed (`form`, and, if it was refused, its problems
    found again), or None when this browser keeps none."""
    typed = pending(request, cookie)
    if typed is None:
        return None
    form = {field: typed.get(field, "") for field in FIELDS}
    context: dict[str, Any] = {"form": form}
    if not typed.get("refused", "1"):
        return context  # not sent yet: nothing to refuse
    node = node_context(request)
    try:
        with node.database.reading() as session:
            check_new_person(
                session,
                name=form["name"],
                phone=form["phone"],
                birthdate=form["birthdate"],
                national_id=form["national_id"] or None,
                locale=form["locale"],
                today=node.clock.now().astimezone(UTC).date(),
            )
    except RegistryError as error:
        context.update(error_context(error))
    return context
