"""The OpenID4VCI endpoints (OpenID for Verifiable Credential Issuance 1.0), the issuer's keys,
its status lists, and the verification endpoint.

The issuer identifier is `{base_url}/identity/vci`; it is its own authorization server for the
pre-authorized code grant. The token and nonce endpoints are plain Starlette routes: a wallet
posts a form (or nothing) there without a browser's CSRF cookie, and the node-wide CSRF check,
which guards forms sent by browsers, must not refuse it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from comptoir.identity.credentials import catalogue, service
from comptoir.identity.credentials.errors import CredentialError
from comptoir.kernel.crypto import Jwk, jwks_document
from comptoir.kernel.crypto.sdjwt import SdJwtError, split, verify_presentation
from comptoir.kernel.errors import Problem, problem_type
from comptoir.kernel.i18n import N_, LazyText, lazy
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


# RFC 6750 section 3.1: the two errors of a protected resource that are not about the request.
_AUTHORIZATION_ERRORS = {"invalid_token": 401, "insufficient_scope": 403}


def _ascii_description(text: str) -> str:
    """`error_description` may hold only %x20-21 / %x23-5B / %x5D-7E (RFC 6749 section 5.2,
    OpenID4VCI 1.0 section 8.3.1.2): accents are dropped, quotes and backslashes replaced."""
    plain = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = plain.replace('"', "'").replace("\\", "/")
    return "".join(char for char in plain if " " <= char <= "~")


def _oauth_error(error: CredentialError) -> JSONResponse:
    """An OAuth error answer. Whatever the error's status on the person's pages, the protocol
    answers 400 for everything but the two authorization errors (OpenID4VCI 1.0 8.3.1)."""
    headers = dict(NO_STORE)
    status = _AUTHORIZATION_ERRORS.get(error.oauth_error, 400)
    if status != 400:
        headers["WWW-Authenticate"] = f'Bearer error="{error.oauth_error}"'
    return JSONResponse(
        {
            "error": error.oauth_error,
            "error_description": _ascii_description(error.text.render("en")),
        },
        status_code=status,
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
            "proof_types_supported": {
                "jwt": {"proof_signing_alg_values_supported": list(service.PROOF_ALGORITHMS)}
            },
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


def _request_error(code: str, text: LazyText) -> JSONResponse:
    return _oauth_error(CredentialError(code, text, oauth_error=code))


def _single_jwt_proof(body: dict[str, Any]) -> str | None:
    """The one `jwt` proof of a credential request: `proofs` (1.0), or the singular `proof` of
    the drafts before 1.0, which deployed wallets still send. None when there is not exactly
    one: a missing or malformed `proofs` is `invalid_proof` (OpenID4VCI 1.0 8.3.1.2)."""
    proofs, legacy = body.get("proofs"), body.get("proof")
    if proofs is None and isinstance(legacy, dict):
        jwt = legacy.get("jwt")
        return jwt if legacy.get("proof_type") == "jwt" and isinstance(jwt, str) else None
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        return None
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
        return None
    return jwts[0]


@router.post("/identity/vci/credential")
async def credential_endpoint(request: Request) -> Response:
    """OpenID4VCI 1.0 section 8. The body is read here rather than by a model, so that a body
    that is not what the section asks for gets its OAuth error, not a validation problem."""
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        missing = _oauth_error(
            CredentialError(
                "invalid_token",
                lazy("The request needs the access token (Authorization: Bearer)."),
                oauth_error="invalid_token",
                status=401,
            )
        )
        # RFC 6750 section 3.1: a request with no token at all is challenged without an error.
        missing.headers["WWW-Authenticate"] = "Bearer"
        return missing
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return _request_error(
            "invalid_credential_request", lazy("The credential request must be a JSON object.")
        )
    if "credential_identifier" in body and "credential_configuration_id" in body:
        # OpenID4VCI 1.0 section 8.2: either names the credential, never both.
        return _request_error(
            "invalid_credential_request",
            lazy("Send credential_configuration_id or credential_identifier, not both."),
        )
    if "credential_identifier" in body:
        # Only a token response with authorization_details hands these out; ours never does.
        return _request_error(
            "unknown_credential_identifier",
            lazy("This issuer hands out no credential identifiers."),
        )
    if "credential_response_encryption" in body:
        # The metadata offers no response encryption; a wallet that asks for it must not get
        # its credential in the clear (OpenID4VCI 1.0 sections 8.3 and 8.3.1.2).
        return _request_error(
            "invalid_encryption_parameters",
            lazy("This issuer does not encrypt credential responses; ask without encryption."),
        )
    configuration_id = body.get("credential_configuration_id")
    if not isinstance(configuration_id, str) or not configuration_id:
        return _request_error(
            "invalid_credential_request", lazy("Send the credential_configuration_id.")
        )
    proof = _single_jwt_proof(body)
    if proof is None:
        return _request_error("invalid_proof", lazy("Send exactly one proof, of type jwt."))
    node = node_context(request)
    issuer = issuer_of(request)

    def issue() -> service.IssuedCredential:
        with node.database.transaction() as session:
            return service.issue_for_token(
                session,
                issuer=issuer,
                token=token.strip(),
                configuration_id=configuration_id,
                proof=proof,
            )

    try:
        issued = await run_in_threadpool(issue)
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
        headers={
            "Cache-Control": f"max-age={service.issuance.STATUS_LIST_TTL_SECONDS}",
            # Token Status List section 8.1: the list is public and signed, and verifiers
            # running in a browser must be able to read it (CORS).
            "Access-Control-Allow-Origin": "*",
        },
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
