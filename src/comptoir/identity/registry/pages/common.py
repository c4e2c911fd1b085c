"""What the registry's pages share: rendering, the signed-in person, dates, redirects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.session import SignedInPerson, signed_in_person
from comptoir.kernel.i18n import current_locale
from comptoir.kernel.web.context import node_context


def time_zone(request: Request) -> tzinfo:
    """Where the node's people live (the `time_zone` setting): times are shown on their clock."""
    return ZoneInfo(node_context(request).settings.time_zone)


def day(value: date | None) -> str:
    return "" if value is None else format_date(value, "long", locale=current_locale())


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "day": day,
        "signed_in": signed_in_person(request) is not None,
    }
    values.update(context or {})
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, coming back here afterwards."""
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    return see_other("/identity/login?next=" + quote(here, safe="/"))


def person_or_redirect(request: Request) -> SignedInPerson | RedirectResponse:
    who = signed_in_person(request)
    return login_redirect(request) if who is None else who


def error_context(error: RegistryError) -> dict[str, Any]:
    """What a page shows of a refusal: the sentence, or the list when the form had several
    problems, and each field at fault with its own sentence (`error_fields`)."""
    problems = error.problems
    return {
        "error": error.text.render(),
        "errors": [(problem.field, problem.text.render()) for problem in problems],
        "error_field": error.field,
        "error_fields": {
            problem.field: problem.text.render() for problem in problems if problem.field
        },
    }


def birthdate_form(birthdate: str, day: str, month: str, year: str) -> tuple[str, dict[str, str]]:
    """The date of birth a form sent, as ISO text (`birthdate`, from a form that carries it
    hidden, or the day, month and year boxes), and the boxes to show again."""
    if not birthdate:
        birthdate = domain.birthdate_text(day, month, year)
    elif not (day or month or year):
        year, _, rest = birthdate.partition("-")
        month, _, day = rest.partition("-")
    return birthdate, {"birthdate_day": day, "birthdate_month": month, "birthdate_year": year}
