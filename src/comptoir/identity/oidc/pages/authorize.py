"""The authorization endpoint: the pushed request, the person's login, consent, the code."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from comptoir.identity.oidc.domain import CLAIM_LABELS, SUBJECT
from comptoir.identity.oidc.pages.common import provider_of, refusal_page, shown_purpose
from comptoir.identity.oidc.provider import CONSENT_SECONDS, ENDPOINTS, PREFIX, Provider
from comptoir.identity.oidc.service import authorization, consents, repeated_answers
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.registry.pages.common import login_redirect, render, see_other
from comptoir.identity.registry.pages.pending import LOGIN_HINT, forget_pending, keep_pending
from comptoir.identity.registry.session import SignedInPerson, signed_in_person
from comptoir.kernel import i18n
from comptoir.kernel.i18n import _
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)
PARKED_COOKIE = "comptoir_oidc_request"
IDENTITY_PATH = "/identity"
LOGIN_THEN_RESUME = IDENTITY_PATH + "/login?next=" + quote(ENDPOINTS["resume"], safe="/")


def _claim_rows(pending: authorization.PendingAuthorization) -> list[dict[str, Any]]:
    return [
        {
            "name": claim,
            "label": _(CLAIM_LABELS.get(claim, claim)),
            "fixed": claim == SUBJECT or claim in pending.claims.essential,
        }
        for claim in pending.claims.asked
    ]


def _consent_page(request: Request, pending: authorization.PendingAuthorization) -> Response:
    return render(
        request,
        "identity_oidc/consent.html",
        {
            "client_name": pending.client.name,
            "purpose": shown_purpose(pending.client.purpose),
            "claims": _claim_rows(pending),
            "request_id": str(pending.request_id),
            # The screen is shown where the request was taken (it serves once) or after the
            # login: switching language comes back to the screen itself, not to either.
            "return_path": f"{ENDPOINTS['consent']}?{urlencode({'request': pending.request_id})}",
        },
    )


@router.get(ENDPOINTS["consent"])
def consent_screen(
    request: Request, request_id: Annotated[str, Query(alias="request")] = ""
) -> Response:
    """The consent screen of a request still waiting for the person's answer, shown again."""
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    provider = provider_of(request)
    try:
        parsed_id = uuid.UUID(request_id)
    except ValueError:
        return refusal_page(
            request, AuthorizationError("invalid_request", "there is no authorization to decide")
        )
    try:
        with node_context(request).database.reading() as session:
            pending = authorization.pending_for_consent(
                session, request_id=parsed_id, person_id=who.person_id, provider=provider
            )
    except AuthorizationError as refusal:
        return refusal_page(request, refusal)
    return _consent_page(request, pending)


class _LanguageHint:
    """The language the client asked for (`ui_locales`), where the person has chosen none here:
    spoken from the authorization's own answer on, and kept in a cookie of the browser session,
    on the identity pages only, through the login and the consent screen that follow."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.locale: str | None = None

    def follow(self, parameters: Mapping[str, Any]) -> None:
        hinted = parameters.get("ui_locales")
        if isinstance(hinted, str) and i18n.LANGUAGE_COOKIE not in self.request.cookies:
            self.locale = hinted
            i18n.set_current_locale(hinted)

    def kept_on(self, response: Response) -> Response:
        if self.locale is not None:
            response.set_cookie(
                i18n.LANGUAGE_HINT_COOKIE,
                self.locale,
                httponly=True,
                secure=node_context(self.request).settings.secure_cookies,
                samesite="lax",
                path=IDENTITY_PATH,
            )
        return response


@router.get(ENDPOINTS["authorize"])
def authorize(request: Request, client_id: str = "", request_uri: str = "") -> Response:
    hint = _LanguageHint(request)
    return hint.kept_on(_authorization_answer(request, client_id, request_uri, hint))


def _authorization_answer(
    request: Request, client_id: str, request_uri: str, hint: _LanguageHint
) -> Response:
    node = node_context(request)
    provider = provider_of(request)
    try:
        # One transaction for the whole answer, the person's session included: statements
        # only, on a Core connection (a session's bookkeeping would cost more than some).
        with node.database.connection_transaction() as connection:
            who = signed_in_person(request, session=connection)
            client, row = authorization.find_pushed_request(
                connection, client_id=client_id, request_uri=request_uri, provider=provider
            )
            hint.follow(row.parameters)
            prompt = authorization.prompt_of(row.parameters)
            logged_in = (
                who is not None
                and authorization.login_answers(
                    row.parameters,
                    authenticated_at=who.authenticated_at,
                    asked_at=None,
                    now=provider.clock.now(),
                )
                # Signed in as someone other than the person the client asked for: that
                # person must log in (OIDC Core 5.5.1).
                and authorization.is_requested_person(
                    row.parameters, client=client, person_id=who.person_id, provider=provider
                )
            )
            if who is None or not logged_in:
                if "none" in prompt:
                    return see_other(
                        authorization.refuse_without_page(
                            connection,
                            row=row,
                            provider=provider,
                            error="login_required",
                            description="the person must log in",
                        )
                    )
                parked = authorization.park_pushed_request(connection, row=row, provider=provider)
            else:
                pending = authorization.pending_of(client, row, who.person_id)
                decision = (
                    None
                    if "consent" in prompt
                    else authorization.consent_in_force(connection, pending)
                )
                if decision is None and "none" in prompt:
                    return see_other(
                        authorization.refuse_without_page(
                            connection,
                            row=row,
                            provider=provider,
                            error="consent_required",
                            description="the person has not agreed to share this yet",
                        )
                    )
                # Taking the request and, when the consent on file covers it, closing it is
                # one conditional UPDATE: of two browsers racing with one request_uri, one
                # wins.
                authorization.use_pushed_request(
                    connection, pending, provider=provider, finished=decision is not None
                )
                if decision is None:
                    return _consent_page(request, pending)
                return see_other(
                    authorization.issue_code(
                        connection,
                        pending,
                        decision=decision,
                        authenticated_at=who.authenticated_at.timestamp(),
                        provider=provider,
                    )
                )
    except AuthorizationError as refusal:
        return refusal_page(request, refusal)
    response = see_other(LOGIN_THEN_RESUME)
    if hinted_phone := row.parameters.get("login_hint"):
        keep_pending(request, response, LOGIN_HINT, {"phone": str(hinted_phone)})
    elif LOGIN_HINT in request.cookies:
        forget_pending(request, response, LOGIN_HINT)  # an earlier client's hint
    response.set_cookie(
        PARKED_COOKIE,
        parked,
        max_age=CONSENT_SECONDS,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
        path=PREFIX,
    )
    return response


async def authorize_directly(request: Request) -> Response:
    """`authorize` as `kernel.web.direct.DirectRoutes` serves it, before the router (every sign-in
    passes here): the same answer, the query read as FastAPI reads it (the last value)."""
    query = request.query_params
    return await run_in_threadpool(
        authorize, request, query.get("client_id", ""), query.get("request_uri", "")
    )


async def authorize_posted(request: Request) -> Response:
    """OpenID Connect Core 1.0 section 3.1.2.1: the authorization endpoint takes POST as well
    as GET. A pushed request has only `client_id` and `request_uri` to send, so the form's go to
    the GET: a relying party's page posts cross-site, and the person's session cookie
    (SameSite=Lax) comes with the navigation that follows, not with the POST."""
    form = await request.form()
    sent = {name: form.get(name) for name in ("client_id", "request_uri")}
    query = urlencode({name: value for name, value in sent.items() if isinstance(value, str)})
    return see_other(ENDPOINTS["authorize"] + (f"?{query}" if query else ""))


def routes() -> list[Route]:
    """The authorization endpoint's POST, to go before the pages' router (whose CSRF check
    would refuse a relying party's form)."""
    return [Route(ENDPOINTS["authorize"], authorize_posted, methods=["POST"])]


@router.get(ENDPOINTS["resume"])
def resume(request: Request) -> Response:
    """Back from the login page: the request this browser parked goes on."""
    who = signed_in_person(request)
    if who is None:
        return see_other(LOGIN_THEN_RESUME)
    node = node_context(request)
    provider = provider_of(request)
    try:
        with node.database.transaction() as session:
            pending = authorization.resume_parked_request(
                session,
                parked=request.cookies.get(PARKED_COOKIE, ""),
                person_id=who.person_id,
                authenticated_at=who.authenticated_at,
                provider=provider,
            )
            location = _grant_if_covered(session, pending, who, provider)
            response = (
                see_other(location) if location is not None else _consent_page(request, pending)
            )
    except authorization.LoginAgain:
        # The request asked for a newer login (prompt=login, max_age): once more, then back.
        return see_other(LOGIN_THEN_RESUME)
    except AuthorizationError as refusal:
        return refusal_page(request, refusal)
    response.delete_cookie(
        PARKED_COOKIE,
        path=PREFIX,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
    )
    return response


def _grant_if_covered(
    session: Session,
    pending: authorization.PendingAuthorization,
    who: SignedInPerson,
    provider: Provider,
) -> str | None:
    if not authorization.is_requested_person(
        pending.parameters, client=pending.client, person_id=who.person_id, provider=provider
    ):
        return authorization.deny(
            session,
            pending,
            provider=provider,
            description="the person who logged in is not the one the client asked for (sub)",
        )
    if "consent" in authorization.prompt_of(pending.parameters):
        return None  # prompt=consent: the screen is shown even with a consent on file
    decision = authorization.consent_in_force(session, pending)
    if decision is None:
        return None
    return authorization.grant(
        session,
        pending,
        decision=decision,
        authenticated_at=who.authenticated_at.timestamp(),
        provider=provider,
    )


@router.post(ENDPOINTS["consent"])
def decide(
    request: Request,
    request_id: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    claim: Annotated[list[str] | None, Form()] = None,
) -> Response:
    node = node_context(request)
    provider = provider_of(request)
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    try:
        parsed_id = uuid.UUID(request_id)
    except ValueError:
        return refusal_page(
            request, AuthorizationError("invalid_request", "there is no authorization to decide")
        )
    try:
        with node.database.transaction() as session:
            pending = authorization.pending_for_consent(
                session, request_id=parsed_id, person_id=who.person_id, provider=provider
            )
            if decision != "allow":
                return see_other(authorization.deny(session, pending, provider=provider))
            # Closed before the consent is written: of two presses racing, the second waits
            # here for the first to commit, finds the request answered, and writes nothing.
            authorization.finish_request(session, pending, provider)
            answer = consents.record_consent(
                session,
                person_id=who.person_id,
                client=pending.client,
                wanted=pending.claims,
                ticked=claim or [],
                clock=node.clock,
            )
            location = authorization.issue_code(
                session,
                pending,
                decision=answer,
                authenticated_at=who.authenticated_at.timestamp(),
                provider=provider,
            )
    except AuthorizationError as refusal:
        return _answered_before(request, parsed_id, who, refusal)
    return see_other(location)


def _answered_before(
    request: Request, request_id: uuid.UUID, who: SignedInPerson, refusal: AuthorizationError
) -> Response:
    """The form was sent again (a double press, a slow link): the first answer again, as
    `repeated_answers` says when that is safe; the refusal when there was no first answer."""
    with node_context(request).database.reading() as session:
        earlier = repeated_answers.earlier_answer(
            session, request_id=request_id, person_id=who.person_id, provider=provider_of(request)
        )
    if earlier is None:
        return refusal_page(request, refusal)
    if earlier.location is not None:
        return see_other(earlier.location)
    return render(
        request,
        "identity_oidc/answered.html",
        {"client_name": earlier.client_name, "client_home": earlier.client_home},
    )
