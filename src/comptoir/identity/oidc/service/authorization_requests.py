"""The authorization endpoint's side of a pushed request: found by its request_uri, taken by
a signed-in person (or parked for the browser while its person logs in, then resumed), and
found again for the consent form. A request_uri is used once, even by two racing browsers."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import ClaimsRequest, fresh_enough, pairwise_subject
from comptoir.identity.oidc.models import PushedRequest
from comptoir.identity.oidc.provider import CONSENT_SECONDS, Provider, RegisteredClient
from comptoir.identity.oidc.service.pushed import REQUEST_URI_PREFIX, hash_secret
from comptoir.kernel.db import connection_of


class AuthorizationError(Exception):
    """The authorization endpoint cannot go on and must not redirect (unknown client, no or
    bad request_uri): the person sees an error page instead."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class LoginAgain(Exception):  # noqa: N818 (not an error: the person must log in once more)
    """The request asks for a newer login than the browser's (prompt=login, max_age)."""


@dataclass(frozen=True)
class PendingAuthorization:
    """A request whose request_uri was just used by a signed-in person."""

    request_id: uuid.UUID
    client: RegisteredClient
    person_id: uuid.UUID
    redirect_uri: str
    state: str | None
    claims: ClaimsRequest
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class PushedRow:
    id: uuid.UUID
    client_id: str
    parameters: dict[str, Any]
    expires_at: datetime
    used_at: datetime | None


# The columns of a `PushedRow`, in its fields' order.
_PUSHED_COLUMNS: Final = (
    PushedRequest.id,
    PushedRequest.client_id,
    PushedRequest.parameters,
    PushedRequest.expires_at,
    PushedRequest.used_at,
)


def find_pushed_request(
    session: Session | Connection, *, client_id: str, request_uri: str, provider: Provider
) -> tuple[RegisteredClient, PushedRow]:
    """The pushed request behind a request_uri, still unused and in time; else a refusal."""
    client = provider.client(session, client_id)
    if client is None:
        raise AuthorizationError("invalid_request", "the client is not registered")
    if not request_uri:
        raise AuthorizationError(
            "invalid_request",
            "this provider accepts only pushed authorization requests (request_uri)",
        )
    if not request_uri.startswith(REQUEST_URI_PREFIX):
        raise AuthorizationError("invalid_request_uri", "the request_uri is not one of ours")
    handle = request_uri.removeprefix(REQUEST_URI_PREFIX)
    found = (
        connection_of(session).execute(_FIND_REQUEST, {"handle_hash": hash_secret(handle)}).first()
    )
    row = None if found is None else PushedRow(*found)
    if row is None or row.client_id != client.id:
        raise AuthorizationError("invalid_request_uri", "the request_uri is not known")
    if row.used_at is not None:
        raise AuthorizationError("invalid_request_uri", "the request_uri was used already")
    if row.expires_at <= provider.clock.now():
        raise AuthorizationError("invalid_request_uri", "the request_uri has expired")
    return client, row


def prompt_of(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(parameters.get("prompt") or ())


def login_answers(
    parameters: Mapping[str, Any],
    *,
    authenticated_at: datetime,
    asked_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether the browser's login answers the request's prompt and max_age."""
    max_age = parameters.get("max_age")
    return fresh_enough(
        prompt_of(parameters),
        max_age if isinstance(max_age, int) else None,
        authenticated_at=authenticated_at.timestamp(),
        asked_at=None if asked_at is None else asked_at.timestamp(),
        now=now.timestamp(),
    )


def is_requested_person(
    parameters: Mapping[str, Any],
    *,
    client: RegisteredClient,
    person_id: uuid.UUID,
    provider: Provider,
) -> bool:
    """Whether the person may answer the request: when it asked for an ID token with a given
    `sub` (the `claims` parameter), only the person with that subject may (OIDC Core 5.5.1:
    never an ID token or access token for a different user, even one signed in)."""
    claims = parameters.get("claims")
    wanted = claims.get("subject") if isinstance(claims, Mapping) else None
    if not isinstance(wanted, str):
        return True
    subject = pairwise_subject(provider.pairwise_secret, sector=client.sector, person_id=person_id)
    return hmac.compare_digest(subject.encode(), wanted.encode())


def pending_of(
    client: RegisteredClient, row: PushedRow, person_id: uuid.UUID
) -> PendingAuthorization:
    """The request as the signed-in person would take it (see `use_pushed_request`)."""
    return _pending(client, row, person_id)


def use_pushed_request(
    session: Session | Connection,
    pending: PendingAuthorization,
    *,
    provider: Provider,
    finished: bool,
) -> None:
    """The signed-in person takes the request: its request_uri cannot be used again. The
    conditional UPDATE makes that true even for two browsers racing with one request_uri.
    `finished` closes it at once too (a code is issued now: no consent form may follow)."""
    now = provider.clock.now()
    taken = (
        connection_of(session)
        .execute(
            _TAKE_REQUEST,
            {
                "request_id": pending.request_id,
                "now": now,
                "person_id": pending.person_id,
                "expires_at": now + timedelta(seconds=CONSENT_SECONDS),
                "finished_at": now if finished else None,
            },
        )
        .first()
    )
    if taken is None:
        raise AuthorizationError("invalid_request_uri", "the request_uri was used already")


_TAKE_REQUEST: Final = (
    update(PushedRequest)
    .where(PushedRequest.id == bindparam("request_id"), PushedRequest.used_at.is_(None))
    .values(
        used_at=bindparam("now"),
        person_id=bindparam("person_id"),
        expires_at=bindparam("expires_at"),
        finished_at=bindparam("finished_at"),
    )
    .returning(PushedRequest.id)
)


def park_pushed_request(
    session: Session | Connection, *, row: PushedRow, provider: Provider
) -> str:
    """Nobody is signed in on this browser yet: take the request for the browser while the
    person logs in, which may take minutes with a code by SMS. The request_uri cannot be used
    again; what is returned goes into a cookie, and only the browser holding it resumes."""
    secret = secrets.token_urlsafe(24)
    now = provider.clock.now()
    parameters = {**row.parameters, "browser": hash_secret(secret)}
    taken = (
        connection_of(session)
        .execute(
            update(PushedRequest)
            .where(PushedRequest.id == row.id, PushedRequest.used_at.is_(None))
            .values(
                used_at=now,
                expires_at=now + timedelta(seconds=CONSENT_SECONDS),
                parameters=parameters,
            )
            .returning(PushedRequest.id)
        )
        .first()
    )
    if taken is None:
        raise AuthorizationError("invalid_request_uri", "the request_uri was used already")
    return f"{row.id}.{secret}"


def resume_parked_request(
    session: Session,
    *,
    parked: str,
    person_id: uuid.UUID,
    authenticated_at: datetime,
    provider: Provider,
) -> PendingAuthorization:
    """The person is now signed in on the browser that holds `parked`: the request is theirs
    (LoginAgain when it asked for a newer login than this one)."""
    request_text, _, secret = parked.partition(".")
    try:
        request_id = uuid.UUID(request_text)
    except ValueError:
        raise AuthorizationError("invalid_request", "there is no sign-in to resume") from None
    found = session.execute(
        select(*_PUSHED_COLUMNS).where(
            PushedRequest.id == request_id,
            PushedRequest.used_at.is_not(None),
            PushedRequest.person_id.is_(None),
            PushedRequest.finished_at.is_(None),
        )
    ).first()
    if found is None:
        raise AuthorizationError("invalid_request", "there is no sign-in to resume")
    row = PushedRow(*found)
    expected = str(row.parameters.get("browser", ""))
    if not expected or not hmac.compare_digest(expected, hash_secret(secret)):
        raise AuthorizationError("invalid_request", "there is no sign-in to resume")
    now = provider.clock.now()
    if row.expires_at <= now:
        raise AuthorizationError("invalid_request", "the authorization request has expired")
    if not login_answers(
        row.parameters, authenticated_at=authenticated_at, asked_at=row.used_at, now=now
    ):
        raise LoginAgain
    taken = session.execute(
        update(PushedRequest)
        .where(PushedRequest.id == row.id, PushedRequest.person_id.is_(None))
        .values(person_id=person_id)
        .returning(PushedRequest.id)
    ).first()
    if taken is None:
        raise AuthorizationError("invalid_request", "there is no sign-in to resume")
    client = provider.client(session, row.client_id)
    assert client is not None  # the foreign key keeps it
    return _pending(client, row, person_id)


def pending_for_consent(
    session: Session, *, request_id: uuid.UUID, person_id: uuid.UUID, provider: Provider
) -> PendingAuthorization:
    found = session.execute(
        select(*_PUSHED_COLUMNS).where(
            PushedRequest.id == request_id,
            PushedRequest.person_id == person_id,
            PushedRequest.used_at.is_not(None),
            PushedRequest.finished_at.is_(None),
        )
    ).first()
    if found is None:
        raise AuthorizationError("invalid_request", "there is no authorization to decide on")
    row = PushedRow(*found)
    if row.expires_at <= provider.clock.now():
        raise AuthorizationError("invalid_request", "the authorization request has expired")
    client = provider.client(session, row.client_id)
    assert client is not None  # the foreign key keeps it
    return _pending(client, row, person_id)


def _pending(
    client: RegisteredClient, row: PushedRow, person_id: uuid.UUID
) -> PendingAuthorization:
    state = row.parameters.get("state")
    return PendingAuthorization(
        request_id=row.id,
        client=client,
        person_id=person_id,
        redirect_uri=str(row.parameters["redirect_uri"]),
        state=state if isinstance(state, str) else None,
        claims=ClaimsRequest.from_json(row.parameters["claims"]),
        parameters=row.parameters,
    )


# Built once: building a statement costs more than running it.
_FIND_REQUEST: Final = select(*_PUSHED_COLUMNS).where(
    PushedRequest.handle_hash == bindparam("handle_hash")
)
