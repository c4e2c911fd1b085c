"""A consent form sent twice (a double click, or a second press on a slow link): the browser
most often drops the first answer and shows the second, so the second press must lead where
the first did, without a second code or a second consent.

Why sending the same code again is safe, and when it is not. An authorization code is single
use: it must reach the client that asked, once. The answer repeated here goes only:
- to the person who took the request (their signed-in session, and the form's CSRF token,
  which only their browser holds), never to another browser or party;
- to the client's registered redirect URI, with the request's own `state` and `iss`, exactly
  as the first answer did; the code is still bound to that client, its PKCE verifier and its
  key at the token endpoint, so whoever else saw it could not redeem it;
- only while the code is unused and in time (`CODE_SECONDS`). Once the client redeemed it, the
  first answer did reach the client, and a second redemption would make the token endpoint
  revoke what the first gave (RFC 6749 section 4.1.2), ending a sign-in that worked: then the
  person gets a page saying the sign-in went on, with a link back to the service instead.
A refusal carries no secret: it is repeated for as long as a code would have been.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from comptoir.identity.oidc.models import AuthorizationCode, PushedRequest
from comptoir.identity.oidc.provider import CODE_SECONDS, Provider
from comptoir.identity.oidc.service.authorization_requests import PushedRow, pending_of
from comptoir.identity.oidc.service.authorization_responses import (
    DENIED,
    code_for,
    response_redirect,
)
from comptoir.identity.oidc.service.pushed import hash_secret
from comptoir.kernel.db import connection_of


@dataclass(frozen=True)
class EarlierAnswer:
    """What the first answer to a request was, as its person may get it again.
    `location` is the redirect back to the client, or None when it may not be sent again (the
    sign-in went on already): then `client_name` and `client_home` make a link back."""

    location: str | None
    client_name: str
    client_home: str


def earlier_answer(
    session: Session | Connection,
    *,
    request_id: uuid.UUID,
    person_id: uuid.UUID,
    provider: Provider,
) -> EarlierAnswer | None:
    """The answer already given to a request this person took; None when it has none (not
    theirs, not answered, forgotten)."""
    connection = connection_of(session)
    found = connection.execute(
        _ANSWERED, {"request_id": request_id, "person_id": person_id}
    ).first()
    if found is None:
        return None
    client = provider.client(session, found.client_id)
    assert client is not None  # the foreign key keeps it
    row = PushedRow(found.id, found.client_id, found.parameters, found.expires_at, found.used_at)
    pending = pending_of(client, row, person_id)
    redirect = urlsplit(pending.redirect_uri)
    earlier = EarlierAnswer(None, client.name, f"{redirect.scheme}://{redirect.netloc}/")
    now = provider.clock.now()
    code = code_for(request_id, provider)
    issued = connection.execute(
        _CODE, {"code_hash": hash_secret(code), "person_id": person_id}
    ).first()
    if issued is not None:
        if issued.used_at is not None or issued.expires_at <= now:
            return earlier
        return EarlierAnswer(
            response_redirect(pending, provider=provider, code=code),
            earlier.client_name,
            earlier.client_home,
        )
    # No code: the request was refused (a code, kept a day past its time, would be found).
    if found.finished_at + timedelta(seconds=CODE_SECONDS) <= now:
        return earlier
    return EarlierAnswer(
        response_redirect(pending, provider=provider, error="access_denied", description=DENIED),
        earlier.client_name,
        earlier.client_home,
    )


# Built once: building a statement costs more than running it.
_ANSWERED: Final = select(
    PushedRequest.id,
    PushedRequest.client_id,
    PushedRequest.parameters,
    PushedRequest.expires_at,
    PushedRequest.used_at,
    PushedRequest.finished_at,
).where(
    PushedRequest.id == bindparam("request_id"),
    PushedRequest.person_id == bindparam("person_id"),
    PushedRequest.finished_at.is_not(None),
)
_CODE: Final = select(AuthorizationCode.used_at, AuthorizationCode.expires_at).where(
    AuthorizationCode.code_hash == bindparam("code_hash"),
    AuthorizationCode.person_id == bindparam("person_id"),
)
