"""Logging in with a phone and a one-time code, logging out, and enrolling oneself."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import (
    birthdate_form,
    error_context,
    render,
    see_other,
    time_zone,
)
from comptoir.identity.registry.pages.pending import (
    LOGIN_HINT,
    PENDING_LOGIN,
    PENDING_REGISTRATION,
    REFUSED_LOGIN,
    REFUSED_REGISTRATION,
    forget_pending,
    keep_pending,
    pending,
)
from comptoir.identity.registry.pages.refused_details import (
    KEPT_CHARACTERS,
    forget_details,
    keep_details,
    kept_details,
)
from comptoir.identity.registry.service import sessions, signin
from comptoir.identity.registry.session import (
    clear_session_cookie,
    current_session_id,
    set_session_cookie,
)
from comptoir.kernel.i18n import AVAILABLE_LOCALES, _, current_locale, local_moment
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.routes import language_chosen

router = APIRouter(include_in_schema=False)

LOCKED_STATUS = 429


def _status_of(error: RegistryError) -> int:
    return (
        LOCKED_STATUS
        if error.code in ("phone_locked", "resend_too_soon", "too_many_codes")
        else 400
    )


def _step_after(error: RegistryError, otherwise: str) -> str:
    """Where a refused code form goes: the code step again for a code that was mistyped, or
    when none is waiting (its button asks for a new one)."""
    return "code" if error.code in ("malformed_code", "no_code_waiting") else otherwise


def _wrong_code(check: signin.CodeCheck, *, enrolling: bool = False) -> tuple[str, int]:
    if check.outcome is signin.Outcome.LOCKED:
        time = local_moment(check.locked_until)
        return (
            _(
                "Too many wrong codes. Signing up with this number is locked until {time}.",
                time=time,
            )
            if enrolling
            else _(
                "Too many wrong codes. Logging in with this number is locked until {time}.",
                time=time,
            ),
            LOCKED_STATUS,
        )
    return _("This code is wrong or has expired. Check it, or ask for a new one."), 400


# --- log in ------------------------------------------------------------------------------------


def _code_step(next: str) -> str:
    """The code step's own address, where switching language or reloading brings the visitor
    back, to the code already sent (none is sent from it); a POST's answer has no address of
    its own. The phone is not in it: it waits in the pending-login cookie."""
    return "/identity/login/code" + (f"?{urlencode({'next': next})}" if next else "")


def _login_code_page(
    request: Request, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """The code step, kept for a reload or a language switch of this browser."""
    context.update(step="code", return_path=_code_step(context["next"]))
    response = render(request, "identity/login.html", context, status_code=status_code)
    if context["phone"]:
        keep_pending(request, response, PENDING_LOGIN, {"phone": context["phone"]})
    return response


def _refused_phone_step(next: str) -> str:
    """Where switching language brings back a refused phone, from its cookie."""
    return "/identity/login?" + urlencode({"kept": "1", **({"next": next} if next else {})})


@router.get("/identity/login")
def login_form(request: Request, next: str = "", kept: str = "") -> Response:
    """The phone step: empty, or the refused phone as typed (`kept`), with why, said again."""
    context: dict[str, Any] = {"step": "phone", "next": domain.safe_next(next)}
    typed = pending(request, REFUSED_LOGIN) if kept else None
    if typed is not None:
        phone = typed.get("phone", "")
        context.update(phone=phone, return_path=_refused_phone_step(context["next"]))
        try:
            domain.normalise_phone(phone)
        except RegistryError as error:
            context.update(error_context(error))
        return render(request, "identity/login.html", context)
    hint = pending(request, LOGIN_HINT)
    if hint is not None:
        context["phone"] = hint.get("phone", "")  # the relying party's `login_hint`
    response = render(request, "identity/login.html", context)
    forget_details(request, response, REFUSED_LOGIN)
    return response


@router.get("/identity/login/code")
def login_code_form(request: Request, next: str = "") -> Response:
    """The code step again, for the phone this browser asked a code for."""
    target = domain.safe_next(next)
    kept = pending(request, PENDING_LOGIN)
    if kept is None:
        return see_other("/identity/login" + (f"?{urlencode({'next': target})}" if target else ""))
    return _login_code_page(request, {"phone": kept["phone"], "next": target})


@router.post("/identity/login")
def login_send_code(
    request: Request,
    phone: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    context: dict[str, Any] = {"step": "phone", "phone": phone, "next": domain.safe_next(next)}
    try:
        with node.database.transaction() as session:
            sent = signin.request_login_code(
                session, phone=phone, secret=node.secret, clock=node.clock, zone=time_zone(request)
            )
    except RegistryError as error:
        context.update(error_context(error))
        # A resend asked too soon stays on the code page: the code sent before still works.
        if error.code == "resend_too_soon":
            context["phone"] = domain.normalise_phone(phone)
            return _login_code_page(request, context, status_code=_status_of(error))
        # Kept in this browser for a language switch, never in the address it comes back to.
        context["return_path"] = _refused_phone_step(context["next"])
        refused = render(request, "identity/login.html", context, status_code=_status_of(error))
        keep_pending(request, refused, REFUSED_LOGIN, {"phone": phone[:KEPT_CHARACTERS]})
        return refused
    context["phone"] = sent.phone
    response = _login_code_page(request, context)
    forget_details(request, response, REFUSED_LOGIN)
    return response


@router.post("/identity/login/code")
def login_check_code(
    request: Request,
    phone: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    target = domain.safe_next(next)
    if not phone:
        phone = (pending(request, PENDING_LOGIN) or {}).get("phone", "")
    context: dict[str, Any] = {"step": "code", "phone": phone, "next": target}
    try:
        with node.database.transaction() as session:
            check = signin.confirm_login(
                session, phone=phone, code=code, secret=node.secret, clock=node.clock
            )
    except RegistryError as error:
        # A mistyped code is asked for again; anything else goes back to the phone number.
        context.update(error_context(error))
        if _step_after(error, "phone") == "code":
            return _login_code_page(request, context, status_code=_status_of(error))
        context["step"] = "phone"
        return render(request, "identity/login.html", context, status_code=_status_of(error))
    if check.outcome is not signin.Outcome.SIGNED_IN or check.session_id is None:
        message, status = _wrong_code(check)
        context.update(error=message, error_field="code")
        return _login_code_page(request, context, status_code=status)
    response = see_other(target)
    set_session_cookie(request, response, check.session_id)
    forget_pending(request, response, PENDING_LOGIN)
    if LOGIN_HINT in request.cookies:
        forget_pending(request, response, LOGIN_HINT)
    return response


@router.post("/identity/logout")
def logout(request: Request) -> Response:
    node = node_context(request)
    session_id = current_session_id(request)
    if session_id is not None:
        with node.database.transaction() as session:
            sessions.end_session(session, session_id=session_id, clock=node.clock)
    response = see_other("/")
    clear_session_cookie(request, response)
    return response


# --- enrol oneself -----------------------------------------------------------------------------


REFUSED_DETAILS = "/identity/register?kept=1"


@router.get("/identity/register")
def register_form(request: Request, kept: str = "") -> Response:
    """The details form: empty; or, at `REFUSED_DETAILS` (where a language switch comes back
    to), the refused one as it was typed, from this browser's cookie, with its problems found
    again, so said in today's language."""
    context = kept_details(request, REFUSED_REGISTRATION) if kept else None
    if context is None:
        fresh = {"step": "details", "form": {"locale": current_locale()}}
        response = render(request, "identity/register.html", fresh)
        forget_details(request, response, REFUSED_REGISTRATION)
        return response
    context.update(step="details", return_path=REFUSED_DETAILS)
    return render(request, "identity/register.html", context)


def _refused_details(request: Request, context: dict[str, Any], status_code: int) -> Response:
    """The details form refused, kept in this browser for a language switch."""
    context["return_path"] = REFUSED_DETAILS
    response = render(request, "identity/register.html", context, status_code=status_code)
    keep_details(request, response, REFUSED_REGISTRATION, context["form"])
    return response


def _details(
    name: str, phone: str, birthdate: str, national_id: str, locale: str
) -> dict[str, str]:
    return {
        "name": name,
        "phone": phone,
        "birthdate": birthdate,
        "national_id": national_id,
        "locale": locale,
    }


BirthDay = Annotated[str, Form(alias="birthdate_day")]
BirthMonth = Annotated[str, Form(alias="birthdate_month")]
BirthYear = Annotated[str, Form(alias="birthdate_year")]


REGISTRATION_CODE_STEP = "/identity/register/code"
DETAILS = ("name", "phone", "birthdate", "national_id", "locale")


def _registration_code_page(
    request: Request, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """The code step of a registration, kept for a reload or a language switch of this
    browser (the details are in the page's form, and in the pending-registration cookie)."""
    context.update(step="code", return_path=REGISTRATION_CODE_STEP)
    response = render(request, "identity/register.html", context, status_code=status_code)
    form = context["form"]
    keep_pending(request, response, PENDING_REGISTRATION, {key: form[key] for key in DETAILS})
    return response


@router.get(REGISTRATION_CODE_STEP)
def register_code_form(request: Request) -> Response:
    """The code step again, for the details this browser asked a code for."""
    kept = pending(request, PENDING_REGISTRATION)
    if kept is None:
        return see_other("/identity/register")
    form = _details(*(kept.get(key, "") for key in DETAILS))
    form.update(birthdate_form(form["birthdate"], "", "", "")[1])
    return _registration_code_page(request, {"form": form})


@router.post("/identity/register")
def register_send_code(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    birthdate: Annotated[str, Form()] = "",
    national_id: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "",
    day: BirthDay = "",
    month: BirthMonth = "",
    year: BirthYear = "",
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    birthdate, boxes = birthdate_form(birthdate, day, month, year)
    form = _details(name, phone, birthdate, national_id, locale or current_locale())
    form.update(boxes)
    if lang:
        # The header's language buttons send the form here (`switch_keeps`): no code is
        # sent; what was typed waits in this browser's cookie for the page in `lang`. A
        # preferred language that was the page's (its default) follows the page: the person
        # who would rather read French most likely wants their messages in French too.
        if form["locale"] == current_locale() and lang in AVAILABLE_LOCALES:
            form["locale"] = lang
        switched = language_chosen(request, lang, REFUSED_DETAILS)
        keep_details(request, switched, REFUSED_REGISTRATION, form, refused=bool(refused))
        return switched
    context: dict[str, Any] = {"step": "details", "form": form}
    try:
        with node.database.transaction() as session:
            sent = signin.request_enrolment_code(
                session,
                name=name,
                phone=phone,
                birthdate=birthdate,
                national_id=national_id or None,
                locale=form["locale"],
                secret=node.secret,
                clock=node.clock,
                zone=time_zone(request),
            )
    except RegistryError as error:
        context.update(error_context(error))
        if error.code == "resend_too_soon":
            return _registration_code_page(request, context, status_code=_status_of(error))
        return _refused_details(request, context, _status_of(error))
    form["phone"] = sent.phone
    response = _registration_code_page(request, context)
    forget_details(request, response, REFUSED_REGISTRATION)
    return response


@router.post("/identity/register/code")
def register_check_code(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    birthdate: Annotated[str, Form()] = "",
    national_id: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "",
    day: BirthDay = "",
    month: BirthMonth = "",
    year: BirthYear = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    birthdate, boxes = birthdate_form(birthdate, day, month, year)
    form = _details(name, phone, birthdate, national_id, locale or current_locale())
    form.update(boxes)
    context: dict[str, Any] = {"step": "code", "form": form}
    try:
        with node.database.transaction() as session:
            check = signin.confirm_enrolment(
                session,
                name=name,
                phone=phone,
                birthdate=birthdate,
                national_id=national_id or None,
                locale=form["locale"],
                code=code,
                secret=node.secret,
                clock=node.clock,
            )
    except RegistryError as error:
        context.update(error_context(error))
        if _step_after(error, "details") == "code":
            return _registration_code_page(request, context, status_code=_status_of(error))
        context["step"] = "details"
        return render(request, "identity/register.html", context, status_code=_status_of(error))
    if check.outcome is not signin.Outcome.SIGNED_IN or check.session_id is None:
        message, status = _wrong_code(check, enrolling=True)
        context.update(error=message, error_field="code")
        if check.outcome is signin.Outcome.LOCKED:
            # No code can be typed any more: back to the details, kept, for a later try.
            context.update(step="details", error_field="phone")
            return render(request, "identity/register.html", context, status_code=status)
        return _registration_code_page(request, context, status_code=status)
    response = see_other("/identity/me")
    set_session_cookie(request, response, check.session_id)
    forget_pending(request, response, PENDING_REGISTRATION)
    return response
