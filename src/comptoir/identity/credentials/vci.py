"""The OpenID4VCI endpoints (OpenID for Verifiable Credential Issuance 1.0), the issuer's keys,
its status lists, and the verification endpoint.

The issuer identifier is `{base_url}/identity/vci`; it is its own authorization server for the
pre-authorized code grant. The token and nonce endpoints are plain Starlette routes: a wallet
posts a form (or nothing) there without a browser's CSRF cookie, and the node-wide CSRF check,
which guards forms sent by browsers, must not refuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.routing import Route

from comptoir.identity.credentials import catalogue, service
from comptoir.identity.credentials.errors import CredentialError
from comptoir.kernel.crypto import Jwk, jwks_document
from comptoir.kernel.crypto.sdjwt import SdJwtError, split, verify_presentation
from comptoir.kernel.errors import Problem, problem_type
from comptoir.kernel.i18n import N_, lazy
from comptoir.kernel.web.context import node_context

router = APIRouter(tags=["identity credentials"])
NO_STORE = {"Cache-Control": "no-store"}
CREDENTIAL_REFUSED = problem_type(
    "credential-refused",
    400,
    N_("The credential was not accepted"),
    N_("The presentation is malformed, forged, expired, revoked or not bound to its holder."),
)
# What verification failures mean to a person, by the kernel's stable reason codes.
_REASONS = {
    "revoked": N_("The credential has been revoked."),
    "suspended": N_("The credential is suspended."),
    "key_binding": N_("The holder's proof (key binding) is missing or wrong."),
    "disclosure": N_("A disclosed claim was altered or does not belong to this credential."),
    "issuer_untrusted": N_("The credential comes from another issuer."),
    "issuer_bad_signature": N_("The issuer's signature does not match."),
    "issuer_expired": N_("The credential has expired."),
    "type": N_("The credential is not of the expected type."),
}


def issuer_of(request: Request) -> service.Issuer:
    node = node_context(request)
    key: Jwk = request.app.state.credential_issuer_key
    return service.Issuer(node.settings.base_url.rstrip("/"), key, node.clock)


def _oauth_error(error: CredentialError) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{error.oauth_error}"'
    return JSONResponse(
        {"error": error.oauth_error, "error_description": error.text.render()},
        status_code=error.status,
        headers=headers,
    )


def _display(message: str) -> list[dict[str, str]]:
    return [{"name": lazy(message).render(locale), "locale": locale} for locale in ("en", "fr")]


@router.get("/.well-known/openid-credential-issuer/identity/vci")
def credential_issuer_metadata(request: Request) -> dict[str, Any]:
    issuer = issuer_of(request)
    configurations: dict[str, Any] = {}
    for kind in catalogue.KINDS.values():
        configurations[kind.id] = {
            "format": "dc+sd-jwt",
            "vct": kind.vct(issuer.identifier),
            "cryptographic_binding_methods_supported": ["jwk"],
            "credential_signing_alg_values_supported": ["ES256"],
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
            "credential_metadata": {
                "display": _display(kind.title),
                "claims": [
                    {"path": [name], "display": _display(label)} for name, label in kind.claims
                ],
            },
        }
    return {
        "credential_issuer": issuer.identifier,
        "credential_endpoint": f"{issuer.identifier}/credential",
        "nonce_endpoint": f"{issuer.identifier}/nonce",
        "display": _display(N_("Comptoir identity registry")),
        "credential_configurations_supported": configurations,
    }


@router.get("/.well-known/oauth-authorization-server/identity/vci")
def authorization_server_metadata(request: Request) -> dict[str, Any]:
    issuer = issuer_of(request)
    return {
        "issuer": issuer.identifier,
        "token_endpoint": f"{issuer.identifier}/token",
        "grant_types_supported": [service.PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    }


@router.get("/.well-known/jwt-vc-issuer/identity/vci")
def jwt_vc_issuer_metadata(request: Request) -> dict[str, Any]:
    """SD-JWT VC's issuer metadata: where a verifier finds the keys behind `iss`."""
    issuer = issuer_of(request)
    return {"issuer": issuer.identifier, "jwks_uri": f"{issuer.identifier}/jwks"}


@router.get("/identity/vci/credentials/{kind}")
def type_metadata(request: Request, kind: str) -> Response:
    """SD-JWT VC Type Metadata at the `vct` URL itself: what the credential says, in words."""
    found = catalogue.KINDS.get(kind)
    if found is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    locales = ("en", "fr")
    return JSONResponse(
        {
            "vct": found.vct(issuer_of(request).identifier),
            "name": found.title,
            "description": found.description,
            "display": [
                {
                    "locale": locale,
                    "name": lazy(found.title).render(locale),
                    "description": lazy(found.description).render(locale),
                }
                for locale in locales
            ],
            "claims": [
                {
                    "path": [name],
                    "display": [
                        {"locale": locale, "label": lazy(label).render(locale)}
                        for locale in locales
                    ],
                    "sd": "always",
                }
                for name, label in found.claims
            ],
        }
    )


@router.get("/identity/vci/jwks")
def issuer_jwks(request: Request) -> dict[str, Any]:
    return dict(jwks_document([issuer_of(request).key.public()]))


async def token_endpoint(request: Request) -> Response:
    form = await request.form()
    grant_type, code, tx_code = (
        form.get(name) for name in ("grant_type", "pre-authorized_code", "tx_code")
    )
    if grant_type != service.PRE_AUTHORIZED_GRANT:
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400, headers=NO_STORE)
    if not isinstance(code, str) or not code:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "pre-authorized_code is missing"},
            status_code=400,
            headers=NO_STORE,
        )
    node = node_context(request)
    with node.database.transaction() as session:
        outcome = service.redeem_code(
            session,
            issuer=issuer_of(request),
            code=code,
            tx_code=tx_code if isinstance(tx_code, str) else None,
        )
    if isinstance(outcome, CredentialError):
        return _oauth_error(outcome)
    return JSONResponse(
        {"access_token": outcome.value, "token_type": "Bearer", "expires_in": outcome.expires_in},
        headers=NO_STORE,
    )


async def nonce_endpoint(request: Request) -> Response:
    node = node_context(request)
    with node.database.transaction() as session:
        nonce = service.new_nonce(session, issuer=issuer_of(request))
    return JSONResponse({"c_nonce": nonce}, headers=NO_STORE)


PROTOCOL_ROUTES = [
    Route("/identity/vci/token", token_endpoint, methods=["POST"]),
    Route("/identity/vci/nonce", nonce_endpoint, methods=["POST"]),
]


class CredentialRequest(BaseModel):
    credential_configuration_id: str | None = None
    proofs: dict[str, list[str]] | None = None
    # The singular `proof` of the drafts before 1.0, which deployed wallets still send.
    proof: dict[str, str] | None = None


@router.post("/identity/vci/credential")
def credential_endpoint(request: Request, body: CredentialRequest) -> Response:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _oauth_error(
            CredentialError(
                "invalid_token",
                lazy("The request needs the access token (Authorization: Bearer)."),
                oauth_error="invalid_token",
                status=401,
            )
        )
    proofs: list[str] = []
    if body.proofs is not None:
        proofs = list(body.proofs.get("jwt", []))
        if set(body.proofs) - {"jwt"}:
            proofs = []
    elif body.proof is not None and body.proof.get("proof_type") == "jwt":
        proofs = [body.proof.get("jwt", "")]
    if len(proofs) != 1 or not body.credential_configuration_id:
        return _oauth_error(
            CredentialError(
                "invalid_credential_request",
                lazy("Send one credential_configuration_id and exactly one jwt proof."),
                oauth_error="invalid_credential_request",
            )
        )
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            issued = service.issue_for_token(
                session,
                issuer=issuer_of(request),
                token=token.strip(),
                configuration_id=body.credential_configuration_id,
                proof=proofs[0],
            )
    except CredentialError as error:
        return _oauth_error(error)
    return JSONResponse({"credentials": [{"credential": issued.sd_jwt}]}, headers=NO_STORE)


@router.get("/identity/credentials/status/{list_id}")
def status_list(request: Request, list_id: int) -> Response:
    node = node_context(request)
    with node.database.reading() as session:
        token = service.status_list_token(session, issuer=issuer_of(request), list_id=list_id)
    if token is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return Response(
        token,
        media_type="application/statuslist+jwt",
        headers={"Cache-Control": f"max-age={service.issuance.STATUS_LIST_TTL_SECONDS}"},
    )


class VerificationRequest(BaseModel):
    presentation: str = Field(min_length=1, max_length=20_000)
    audience: str | None = None
    nonce: str | None = None
    require_key_binding: bool = True
    vct: str | None = None


def local_fetch(request: Request) -> Callable[[str], bytes]:
    """Reads this issuer's own status lists from the database, without a trip over HTTP."""
    issuer = issuer_of(request)
    prefix = issuer.status_list_uri(0)[:-1]
    node = node_context(request)

    def fetch(url: str) -> bytes:
        number = url.removeprefix(prefix)
        if not url.startswith(prefix) or not number.isdigit():
            raise ValueError("only this issuer's status lists are read here")
        with node.database.reading() as session:
            token = service.status_list_token(session, issuer=issuer, list_id=int(number))
        if token is None:
            raise ValueError("there is no such status list")
        return token.encode("ascii")

    return fetch


@router.post("/identity/credentials/verify")
def verify(request: Request, body: VerificationRequest) -> dict[str, Any]:
    """Verify a presentation of a credential from this issuer; answer the disclosed claims."""
    issuer = issuer_of(request)
    try:
        has_key_binding = split(body.presentation)[2] is not None
        verified = verify_presentation(
            body.presentation,
            trusted_issuers={issuer.identifier},
            audience=body.audience,
            nonce=body.nonce,
            issuer_keys=[issuer.key.public()],
            fetch=local_fetch(request),
            require_key_binding=body.require_key_binding,
            vct=body.vct,
            clock=issuer.clock,
        )
    except SdJwtError as error:
        message = _REASONS.get(error.reason)
        raise Problem(
            CREDENTIAL_REFUSED,
            lazy(message)
            if message
            else lazy("The credential was refused: {reason}.", reason=error.detail),
            extensions={"reason": error.reason},
        ) from None
    except ValueError:
        if has_key_binding and (body.audience is None or body.nonce is None):
            raise Problem(
                CREDENTIAL_REFUSED,
                lazy("Checking the holder's proof needs the audience and the nonce you gave."),
                extensions={"reason": "key_binding"},
            ) from None
        raise
    claims = {
        name: value
        for name, value in verified.claims.items()
        if name not in ("cnf", "status", "iss", "vct", "iat", "exp", "nbf")
    }
    return {
        "valid": True,
        "iss": verified.claims.get("iss"),
        "vct": verified.claims.get("vct"),
        "iat": verified.claims.get("iat"),
        "exp": verified.claims.get("exp"),
        "key_bound": verified.key_bound,
        "claims": claims,
    }
