"""What passes between a relying party and its OpenID provider, as the relying party reads
and keeps it: the discovery document, the start of an authorization kept in the browser's
session, the tokens, the callback's parameters, and the provider's refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx


class OidcError(Exception):
    """The provider refused, or answered something this client cannot accept.

    `error` is the OAuth error code when the provider gave one (`invalid_grant`, ...), else
    `invalid_response` for an answer that failed a check here.
    """

    def __init__(self, error: str, description: str, *, status: int | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    pushed_authorization_request_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    document: Mapping[str, object]

    @classmethod
    def from_document(cls, document: Mapping[str, object], *, issuer: str) -> ProviderMetadata:
        def required(name: str) -> str:
            value = document.get(name)
            if not isinstance(value, str) or not value:
                raise OidcError("invalid_response", f"the discovery document has no {name}")
            return value

        # OpenID Connect Discovery 1.0 section 4.3: the issuer must be the one asked for.
        if document.get("issuer") != issuer:
            raise OidcError("invalid_response", "the discovery document names another issuer")
        end_session = document.get("end_session_endpoint")
        return cls(
            issuer=issuer,
            authorization_endpoint=required("authorization_endpoint"),
            pushed_authorization_request_endpoint=required("pushed_authorization_request_endpoint"),
            token_endpoint=required("token_endpoint"),
            userinfo_endpoint=required("userinfo_endpoint"),
            jwks_uri=required("jwks_uri"),
            end_session_endpoint=end_session if isinstance(end_session, str) else None,
            document=dict(document),
        )


@dataclass(frozen=True)
class AuthorizationStart:
    """What the client keeps (in its session) between sending the browser off and its return."""

    authorization_url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    token_type: str
    expires_in: int
    id_token: str
    id_token_claims: dict[str, object]
    scope: str

    @property
    def subject(self) -> str:
        return str(self.id_token_claims["sub"])


def error_from(response: httpx.Response, what: str) -> OidcError:
    """The provider's refusal: its OAuth error, from the JSON body or a WWW-Authenticate
    challenge, or `invalid_response` naming the HTTP status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return OidcError(
            body["error"], str(body.get("error_description", "")), status=response.status_code
        )
    challenge = response.headers.get("www-authenticate", "")
    for code in ("invalid_token", "invalid_dpop_proof", "insufficient_scope"):
        if f'error="{code}"' in challenge:
            return OidcError(code, challenge, status=response.status_code)
    return OidcError(
        "invalid_response",
        f"the {what} endpoint answered HTTP {response.status_code}",
        status=response.status_code,
    )


def callback_parameters(callback_url: str) -> dict[str, str]:
    """The query parameters of an authorization response, one value each."""
    return {name: found[0] for name, found in parse_qs(urlsplit(callback_url).query).items()}
