"""The protocol endpoints: discovery, JWKS, PAR, token, userinfo.

They are plain Starlette routes rather than FastAPI ones: clients authenticate by signatures
(`private_key_jwt`, DPoP), not cookies, so the node's CSRF check for browser forms does not
apply, and every refusal is an OAuth error (RFC 6749 section 5.2), never a problem document.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from comptoir.identity.oidc.domain import SUPPORTED_CLAIMS, SUPPORTED_SCOPES
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.provider import ENDPOINTS, Provider
from comptoir.identity.oidc.service import pushed, tokens, userinfo
from comptoir.kernel.crypto import jwks_document
from comptoir.kernel.web.context import node_context

_NO_STORE = {"Cache-Control": "no-store"}
_MAX_BODY_BYTES = 64 * 1024


def provider_of(request: Request) -> Provider:
    provider: Provider = request.app.state.oidc_provider
    return provider


def discovery_document(provider: Provider) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 metadata, with RFC 9126, RFC 9207 and RFC 9449 members; the
    same document answers RFC 8414's /.well-known/oauth-authorization-server."""
    return {
        "issuer": provider.issuer,
        "authorization_endpoint": provider.url("authorize"),
        "pushed_authorization_request_endpoint": provider.url("par"),
        "require_pushed_authorization_requests": True,
        "token_endpoint": provider.url("token"),
        "userinfo_endpoint": provider.url("userinfo"),
        "jwks_uri": provider.url("jwks"),
        "end_session_endpoint": provider.url("logout"),
        "scopes_supported": list(SUPPORTED_SCOPES),
        "claims_supported": list(SUPPORTED_CLAIMS),
        "claims_parameter_supported": True,
        # Discovery 1.0 section 3 takes an absent member for true: request objects are not
        # taken, by value or by reference (a PAR request_uri is no request object's URI).
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "userinfo_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": ["en", "fr"],
    }


async def discovery(request: Request) -> Response:
    return JSONResponse(discovery_document(provider_of(request)))


async def jwks(request: Request) -> Response:
    return JSONResponse(
        jwks_document(provider_of(request).published_keys()),
        headers={"Cache-Control": "public, max-age=300"},
    )


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "send the parameters form-encoded")
    body = await request.body()
    if len(body) > _MAX_BODY_BYTES:
        # RFC 9126 2.3: 413 for a request beyond the size the server allows.
        raise OAuthError("invalid_request", "the request is too large", status=413)
    # The standard library's parser rather than the multipart one behind request.form(): a
    # token request is a few short parameters, and that parser's set-up cost more than them.
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the parameters are not form-encoded text") from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            # RFC 6749 section 3.1: parameters must not be included more than once.
            raise OAuthError("invalid_request", f"the parameter {name} is repeated")
        values[name] = value
    return values


def _dpop_header(request: Request, *, resource: bool = False) -> str | None:
    """The request's one DPoP proof. RFC 9449 section 4.3 refuses a request with more than one
    DPoP header field (a proof, a JWT, has no comma: one means fields were joined)."""
    proofs = request.headers.getlist("dpop")
    if len(proofs) > 1 or any("," in proof for proof in proofs):
        raise OAuthError(
            "invalid_dpop_proof",
            "send one DPoP header",
            status=401 if resource else 400,
            challenge=resource,
        )
    return proofs[0] if proofs else None


_AUTH_SCHEME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


def _client_challenge(request: Request, error: OAuthError) -> Response:
    """The refusal; RFC 6749 section 5.2: a client that tried to authenticate with the
    Authorization header and failed hears 401 with a `WWW-Authenticate` challenge of the
    scheme it used."""
    response = error.response()
    authorization = request.headers.get("authorization")
    if error.error == "invalid_client" and authorization:
        scheme = authorization.split(" ", 1)[0]
        if not _AUTH_SCHEME.fullmatch(scheme):
            scheme = "Basic"
        issuer = provider_of(request).issuer.replace('"', "")
        response.headers["WWW-Authenticate"] = f'{scheme} realm="{issuer}"'
    return response


def _guarded(
    work: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await work(request)
        except OAuthError as error:
            return _client_challenge(request, error)

    return endpoint


def _one_way_to_authenticate(request: Request, form: dict[str, str]) -> None:
    """RFC 6749 2.3: a client uses one authentication method per request; section 5.2 names
    more than one invalid_request."""
    if "client_assertion" in form and request.headers.get("authorization"):
        raise OAuthError(
            "invalid_request",
            "authenticate one way: a client assertion, without the Authorization header",
        )


async def _par(request: Request) -> Response:
    form = await _form(request)
    _one_way_to_authenticate(request, form)
    provider = provider_of(request)
    database = node_context(request).database

    answer = await run_in_threadpool(
        pushed.push_request,
        database,
        form,
        dpop_proof=_dpop_header(request),
        provider=provider,
    )
    return JSONResponse(
        {"request_uri": answer.request_uri, "expires_in": answer.expires_in},
        status_code=201,
        headers=_NO_STORE,
    )


async def _token(request: Request) -> Response:
    form = await _form(request)
    _one_way_to_authenticate(request, form)
    provider = provider_of(request)
    database = node_context(request).database

    answer = await run_in_threadpool(
        tokens.exchange_code,
        database,
        form,
        dpop_proof=_dpop_header(request),
        provider=provider,
    )
    if isinstance(answer, OAuthError):
        return _client_challenge(request, answer)
    return JSONResponse(answer.body, headers={**_NO_STORE, "Pragma": "no-cache"})


async def _userinfo(request: Request) -> Response:
    provider = provider_of(request)
    database = node_context(request).database

    answer = await run_in_threadpool(
        userinfo.userinfo,
        database,
        authorization=request.headers.get("authorization"),
        dpop_proof=_dpop_header(request, resource=True),
        method=request.method,
        provider=provider,
    )
    if answer.signed is None:
        # OpenID Connect Core 1.0 section 5.3.2: JSON unless the client registered for a
        # signed answer.
        return JSONResponse(answer.claims, headers=_NO_STORE)
    return Response(answer.signed, media_type="application/jwt", headers=_NO_STORE)


def routes() -> list[Route]:
    return [
        Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
        # RFC 8414 section 3: the authorization server's metadata, for OAuth clients that look
        # there rather than at OpenID Connect's address.
        Route("/.well-known/oauth-authorization-server", discovery, methods=["GET"]),
        Route(ENDPOINTS["jwks"], jwks, methods=["GET"]),
        Route(ENDPOINTS["par"], _guarded(_par), methods=["POST"]),
        Route(ENDPOINTS["token"], _guarded(_token), methods=["POST"]),
        Route(ENDPOINTS["userinfo"], _guarded(_userinfo), methods=["GET", "POST"]),
    ]
