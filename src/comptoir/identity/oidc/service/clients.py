"""Relying parties: registered by the operator with their redirect URIs, keys, scopes and
purpose; listed; looked up by the protocol endpoints."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import SUPPORTED_SCOPES, parse_scopes, redirect_uri_problem
from comptoir.identity.oidc.models import OidcClient
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import JoseError, Jwk, import_jwks
from comptoir.kernel.i18n import LazyText, lazy

MAX_REDIRECT_URIS = 10
# What `userinfo_signed_response_alg` may be: the provider signs with ES256 only.
USERINFO_SIGNING_ALGORITHMS = ("ES256",)
T = TypeVar("T")


class ClientRegistrationError(ValueError):
    """The registration is refused; `field` names what to fix, `text` says why (translated
    when shown; `message` is it in English, for the command line and logs). `also` holds the
    other problems found in the same registration, so that a form names them all at once."""

    def __init__(
        self,
        field: str,
        text: LazyText,
        *,
        also: tuple[ClientRegistrationError, ...] = (),
    ) -> None:
        self.text = text
        self.message = text.render("en")
        super().__init__(self.message)
        self.field = field
        self.also = also

    @property
    def problems(self) -> tuple[ClientRegistrationError, ...]:
        """This problem and the others found with it, in the form's order."""
        return (self, *self.also)


@dataclass(frozen=True)
class ClientView:
    client_id: str
    name: str
    purpose: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    sector: str
    key_ids: tuple[str, ...]
    created_at: datetime
    userinfo_signed_response_alg: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "purpose": self.purpose,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "scopes": " ".join(self.scopes),
            "sector_identifier": self.sector,
            "key_ids": list(self.key_ids),
            "token_endpoint_auth_method": "private_key_jwt",
            **(
                {"userinfo_signed_response_alg": self.userinfo_signed_response_alg}
                if self.userinfo_signed_response_alg
                else {}
            ),
            "created_at": self.created_at.isoformat(),
        }


def add_client(
    session: Session,
    *,
    name: str,
    redirect_uris: Sequence[str],
    jwks: dict[str, Any] | None,
    scopes: str,
    purpose: str = "",
    post_logout_redirect_uris: Sequence[str] = (),
    sector: str | None = None,
    userinfo_signed_response_alg: str | None = None,
    actor: str,
    clock: Clock,
) -> ClientView:
    """Register a relying party; anything wrong is a `ClientRegistrationError` naming every
    problem found, and nothing is written. `jwks` None is a JWKS that could not be read.
    `userinfo_signed_response_alg` None: userinfo answers it with JSON, as OpenID Connect
    Registration 1.0 has it when the client registers no algorithm."""
    problems: list[ClientRegistrationError] = []

    def checked(check: Callable[[], T], otherwise: T) -> T:
        try:
            return check()
        except ClientRegistrationError as problem:
            problems.append(problem)
            return otherwise

    name = name.strip()
    if not name or len(name) > 200:
        problems.append(
            ClientRegistrationError("name", lazy("the name must have 1 to 200 characters"))
        )
    if sector is not None and len(sector.strip()) > 255:
        problems.append(
            ClientRegistrationError("sector", lazy("the sector must have at most 255 characters"))
        )
    if (
        userinfo_signed_response_alg is not None
        and userinfo_signed_response_alg not in USERINFO_SIGNING_ALGORITHMS
    ):
        problems.append(
            ClientRegistrationError(
                "userinfo_signed_response_alg",
                lazy("userinfo answers can be signed with ES256 only"),
            )
        )
    no_uris: tuple[str, ...] = ()
    uris = checked(lambda: _checked_uris(redirect_uris, "redirect_uri", required=True), no_uris)
    logout_uris = checked(
        lambda: _checked_uris(post_logout_redirect_uris, "post_logout_redirect_uri"), no_uris
    )
    requested = parse_scopes(scopes)
    unknown = [scope for scope in requested if scope not in SUPPORTED_SCOPES]
    if unknown:
        problems.append(
            ClientRegistrationError(
                "scopes",
                lazy(
                    "the scope {scope} is not offered (choose among {offered})",
                    scope=repr(unknown[0]),
                    offered=" ".join(SUPPORTED_SCOPES),
                ),
            )
        )
    elif "openid" not in requested:
        problems.append(ClientRegistrationError("scopes", lazy("the scopes must include openid")))
    no_keys: list[Jwk] = []
    keys = checked(lambda: _checked_keys(jwks), no_keys)
    if problems:
        first = problems[0]
        raise ClientRegistrationError(first.field, first.text, also=tuple(problems[1:]))
    client_id = secrets.token_urlsafe(16)
    row = OidcClient(
        id=client_id,
        name=name,
        purpose=purpose.strip(),
        redirect_uris=list(uris),
        post_logout_redirect_uris=list(logout_uris),
        jwks={"keys": [key.to_dict() for key in keys]},
        scopes=" ".join(requested),
        sector=(sector or "").strip() or f"client:{client_id}",
        userinfo_signed_response_alg=userinfo_signed_response_alg,
        created_at=clock.now(),
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="identity.oidc.client_added",
        subject=f"oidc-client:{client_id}",
        details={"name": name, "redirect_uris": list(uris), "scopes": row.scopes},
        clock=clock,
    )
    return _view(row)


def list_clients(session: Session) -> list[ClientView]:
    rows = session.scalars(select(OidcClient).order_by(OidcClient.created_at)).all()
    return [_view(row) for row in rows]


def find_client(session: Session, client_id: str) -> OidcClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return session.get(OidcClient, client_id)


def _checked_keys(jwks: dict[str, Any] | None) -> list[Jwk]:
    """The public ES256 keys of a JWKS, refused when it holds none, or a private key."""
    if jwks is None:
        raise ClientRegistrationError("jwks", lazy("the JWKS is not a JSON object"))
    try:
        found = import_jwks(jwks)
    except JoseError as error:
        raise ClientRegistrationError(
            "jwks", lazy("the JWKS is not valid ({detail})", detail=error.detail)
        ) from None
    if any(key.is_private for key in found):
        raise ClientRegistrationError(
            "jwks", lazy("the JWKS holds a private key: send the public one")
        )
    keys = [key for key in found if key.allows("ES256")]
    if not keys:
        raise ClientRegistrationError("jwks", lazy("the JWKS holds no public ES256 (P-256) key"))
    return keys


def _checked_uris(uris: Sequence[str], field: str, *, required: bool = False) -> tuple[str, ...]:
    cleaned: list[str] = []
    for given in uris:
        uri = given.strip()
        if not uri or uri in cleaned:
            continue
        problem = redirect_uri_problem(uri)
        if problem is not None:
            raise ClientRegistrationError(
                field, lazy("{uri} cannot be registered: {problem}", uri=uri, problem=problem)
            )
        if len(uri) > 500:
            raise ClientRegistrationError(
                field, lazy("{uri}... is longer than 500 characters", uri=uri[:40])
            )
        cleaned.append(uri)
    if required and not cleaned:
        raise ClientRegistrationError(field, lazy("register at least one redirect URI"))
    if len(cleaned) > MAX_REDIRECT_URIS:
        raise ClientRegistrationError(
            field, lazy("register at most {count} URIs", count=MAX_REDIRECT_URIS)
        )
    return tuple(cleaned)


def _view(row: OidcClient) -> ClientView:
    keys = row.jwks.get("keys", [])
    return ClientView(
        client_id=row.id,
        name=row.name,
        purpose=row.purpose,
        redirect_uris=tuple(row.redirect_uris),
        post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
        scopes=parse_scopes(row.scopes),
        sector=row.sector,
        key_ids=tuple(str(key.get("kid", "")) for key in keys if isinstance(key, dict)),
        created_at=row.created_at,
        userinfo_signed_response_alg=row.userinfo_signed_response_alg,
    )
