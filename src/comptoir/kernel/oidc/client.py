"""A relying party of an OpenID provider under the FAPI 2.0 security profile.

What a participant app (a shop, a bank) needs to sign its customers in: discovery, a pushed
authorization request authenticated by `private_key_jwt`, the browser redirect with PKCE S256,
the check of the authorization response's `iss` (RFC 9207) and `state`, the code exchange with a
DPoP proof, and a DPoP-bound call to userinfo, whose signed answer is verified. The HTTP client
is injected, so the same code talks to a provider across the network or to an app in-process
(Starlette's TestClient is an httpx.Client).

The provider's JWKS is kept as long as its `Cache-Control: max-age` says (five minutes when it
says nothing), so a key the provider retired stops being trusted. A token naming a key not in
the JWKS held (the provider rotated its key) makes the client fetch the JWKS again before
refusing it, at most once every `JWKS_REFETCH_SECONDS`.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

import httpx

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto import JoseError, Jwk, generate_jwk, import_jwks, issue_jwt
from comptoir.kernel.crypto.compact import protected_header
from comptoir.kernel.oidc.dpop import make_dpop_proof
from comptoir.kernel.oidc.exchanges import (
    AuthorizationStart,
    OidcError,
    ProviderMetadata,
    TokenSet,
    callback_parameters,
    error_from,
)
from comptoir.kernel.oidc.pkce import S256, new_code_verifier, s256_challenge
from comptoir.kernel.oidc.tokens import (
    TokenError,
    userinfo_claims,
    verify_id_token,
    verify_userinfo,
)

CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLIENT_ASSERTION_TTL_SECONDS: Final = 60
# A provider that rotates its key signs with the new one at once; the first token naming it
# makes the client fetch the JWKS again. Not more often than this, though: a flood of tokens
# naming unknown keys must not become a flood of requests to the provider. (A second rotation
# within this time is taken up when it has passed.)
JWKS_REFETCH_SECONDS: Final = 30.0
# How long the JWKS is kept when the provider gives no max-age, and the most it is kept.
JWKS_DEFAULT_MAX_AGE_SECONDS: Final = 300.0
JWKS_LONGEST_MAX_AGE_SECONDS: Final = 86_400.0
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)", re.IGNORECASE)


@dataclass
class RelyingParty:
    """One registered client. `client_key` is its private ES256 key (its public part is in the
    JWKS the operator registered); `dpop_key` is the key its tokens are bound to."""

    issuer: str
    client_id: str
    redirect_uri: str
    client_key: Jwk
    http: httpx.Client
    dpop_key: Jwk = field(default_factory=lambda: generate_jwk("P-256"))
    clock: Clock = system_clock
    _metadata: ProviderMetadata | None = None
    _keys: tuple[Jwk, ...] = ()
    _keys_expire_at: float = 0.0
    _keys_refetched_at: float | None = None
    _dpop_public: dict[str, object] = field(default_factory=dict)
    _parsed_urls: dict[str, httpx.URL] = field(default_factory=dict)

    def _endpoint_url(self, endpoint: str) -> httpx.URL:
        # httpx parses a URL given as text on every request, character by character; the
        # provider's endpoints are a handful, so each is parsed once.
        parsed = self._parsed_urls.get(endpoint)
        if parsed is None:
            parsed = self._parsed_urls[endpoint] = httpx.URL(endpoint)
        return parsed

    def _proof(self, method: str, url: str, access_token: str | None = None) -> str:
        if not self._dpop_public:
            self._dpop_public = dict(self.dpop_key.public().to_dict())
        return make_dpop_proof(
            self.dpop_key,
            method=method,
            url=url,
            access_token=access_token,
            public_jwk=self._dpop_public,
            clock=self.clock,
        )

    # -- discovery -------------------------------------------------------------------------

    @property
    def metadata(self) -> ProviderMetadata:
        if self._metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = self._json(self.http.get(url), "discovery")
            self._metadata = ProviderMetadata.from_document(document, issuer=self.issuer)
        return self._metadata

    def provider_keys(self, *, refresh: bool = False) -> tuple[Jwk, ...]:
        """The provider's public keys: the JWKS held, or fetched when asked to or when its
        max-age has passed."""
        now = self.clock.now().timestamp()
        left = self._keys_expire_at - now
        if refresh or not self._keys or not 0 < left <= JWKS_LONGEST_MAX_AGE_SECONDS:
            response = self.http.get(self.metadata.jwks_uri)
            document = self._json(response, "JWKS")
            try:
                self._keys = import_jwks(document)
            except JoseError as error:
                raise OidcError("invalid_response", f"the JWKS is not usable: {error}") from None
            self._keys_expire_at = now + _max_age(response.headers.get("cache-control", ""))
        return self._keys

    def keys_for(self, token: str) -> tuple[Jwk, ...]:
        """The provider's keys to check `token` with. When its `kid` is not among those held,
        the JWKS is fetched again first, unless that was done in the last
        `JWKS_REFETCH_SECONDS`; a kid still unknown is then refused by the check."""
        held_until = self._keys_expire_at
        keys = self.provider_keys()
        try:
            kid = protected_header(token).get("kid")
        except (JoseError, ValueError):
            return keys  # the check refuses it
        fetched_now = self._keys_expire_at != held_until
        if not isinstance(kid, str) or fetched_now or any(key.kid == kid for key in keys):
            return keys
        now = self.clock.now().timestamp()
        last = self._keys_refetched_at
        if last is not None and 0 <= now - last < JWKS_REFETCH_SECONDS:
            return keys
        self._keys_refetched_at = now
        return self.provider_keys(refresh=True)

    # -- the front channel -----------------------------------------------------------------

    def begin(
        self,
        *,
        scope: str = "openid",
        claims: Mapping[str, object] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> AuthorizationStart:
        """Push the authorization request and return where to send the browser."""
        state = secrets.token_urlsafe(16)
        nonce = secrets.token_urlsafe(16)
        code_verifier = new_code_verifier()
        parameters: dict[str, str] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": s256_challenge(code_verifier),
            "code_challenge_method": S256,
            **self._client_authentication(),
        }
        if claims is not None:
            parameters["claims"] = json.dumps(claims, separators=(",", ":"))
        parameters.update(extra or {})
        endpoint = self.metadata.pushed_authorization_request_endpoint
        proof = self._proof("POST", endpoint)
        answer = self._json(
            self.http.post(self._endpoint_url(endpoint), data=parameters, headers={"DPoP": proof}),
            "pushed authorization request",
            expected=201,
        )
        request_uri = answer.get("request_uri")
        if not isinstance(request_uri, str):
            raise OidcError("invalid_response", "the PAR answer has no request_uri")
        query = urlencode({"client_id": self.client_id, "request_uri": request_uri})
        return AuthorizationStart(
            authorization_url=f"{self.metadata.authorization_endpoint}?{query}",
            state=state,
            nonce=nonce,
            code_verifier=code_verifier,
        )

    def finish(self, start: AuthorizationStart, callback_url: str) -> TokenSet:
        """Check the authorization response at `callback_url`, then exchange its code."""
        values = callback_parameters(callback_url)
        # RFC 9207: the response names its issuer, so a mix-up attack is caught here.
        if values.get("iss") != self.issuer:
            raise OidcError("invalid_response", "the authorization response names another issuer")
        if not hmac.compare_digest(values.get("state", ""), start.state):
            raise OidcError("invalid_response", "the authorization response's state is not ours")
        if "error" in values:
            raise OidcError(values["error"], values.get("error_description", ""))
        code = values.get("code")
        if not code:
            raise OidcError("invalid_response", "the authorization response has no code")
        return self.exchange_code(code, code_verifier=start.code_verifier, nonce=start.nonce)

    # -- the back channel ------------------------------------------------------------------

    def exchange_code(self, code: str, *, code_verifier: str, nonce: str | None) -> TokenSet:
        endpoint = self.metadata.token_endpoint
        proof = self._proof("POST", endpoint)
        answer = self._json(
            self.http.post(
                self._endpoint_url(endpoint),
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": code_verifier,
                    **self._client_authentication(),
                },
                headers={"DPoP": proof},
            ),
            "token",
        )
        access_token, id_token = answer.get("access_token"), answer.get("id_token")
        if not isinstance(access_token, str) or not isinstance(id_token, str):
            raise OidcError("invalid_response", "the token answer lacks a token")
        if str(answer.get("token_type", "")).lower() != "dpop":
            raise OidcError("invalid_response", "the access token is not DPoP-bound")
        try:
            claims = verify_id_token(
                id_token,
                keys=self.keys_for(id_token),
                issuer=self.issuer,
                client_id=self.client_id,
                nonce=nonce,
                clock=self.clock,
            )
        except TokenError as error:
            raise OidcError("invalid_response", str(error)) from None
        expires_in = answer.get("expires_in")
        return TokenSet(
            access_token=access_token,
            token_type="DPoP",  # noqa: S106 (a token type, not a secret)
            expires_in=expires_in if isinstance(expires_in, int) else 0,
            id_token=id_token,
            id_token_claims=claims,
            scope=str(answer.get("scope", "")),
        )

    def userinfo(self, tokens: TokenSet) -> dict[str, object]:
        """The person's claims, from a DPoP-bound call: a signed answer is verified, a JSON one
        checked for its subject."""
        endpoint = self.metadata.userinfo_endpoint
        proof = self._proof("GET", endpoint, tokens.access_token)
        response = self.http.get(
            self._endpoint_url(endpoint),
            headers={"Authorization": f"DPoP {tokens.access_token}", "DPoP": proof},
        )
        if response.status_code != 200:
            raise error_from(response, "userinfo")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media_type == "application/json":
                # OIDC Core 5.3.2: a client registered for no signed answer gets JSON.
                return userinfo_claims(response.text, subject=tokens.subject)
            return verify_userinfo(
                response.text,
                keys=self.keys_for(response.text),
                issuer=self.issuer,
                client_id=self.client_id,
                subject=tokens.subject,
                clock=self.clock,
            )
        except TokenError as error:
            raise OidcError("invalid_response", str(error)) from None

    def logout_url(self, *, id_token: str, post_logout_redirect_uri: str, state: str) -> str:
        """Where to send the browser to end the person's session at the provider too."""
        endpoint = self.metadata.end_session_endpoint
        if endpoint is None:
            raise OidcError("invalid_response", "the provider offers no end_session_endpoint")
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.client_id,
                "state": state,
            }
        )
        return f"{endpoint}?{query}"

    def client_assertion(self, *, audience: str | None = None) -> str:
        """A `private_key_jwt` assertion (RFC 7523), by default for the issuer itself, as
        FAPI 2.0 recommends."""
        return issue_jwt(
            {"sub": self.client_id, "jti": secrets.token_urlsafe(16)},
            self.client_key,
            issuer=self.client_id,
            audience=audience or self.issuer,
            ttl_seconds=CLIENT_ASSERTION_TTL_SECONDS,
            algorithm="ES256",
            clock=self.clock,
        )

    def _client_authentication(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
        }

    @staticmethod
    def _json(response: httpx.Response, what: str, *, expected: int = 200) -> dict[str, object]:
        if response.status_code != expected:
            raise error_from(response, what)
        try:
            document = response.json()
        except ValueError:
            raise OidcError("invalid_response", f"the {what} answer is not JSON") from None
        if not isinstance(document, dict):
            raise OidcError("invalid_response", f"the {what} answer is not a JSON object")
        return document


def _max_age(cache_control: str) -> float:
    """Seconds from a Cache-Control header's max-age, within bounds; no-store or no-cache
    keep nothing."""
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0.0
    found = _MAX_AGE.search(cache_control)
    if found is None:
        return JWKS_DEFAULT_MAX_AGE_SECONDS
    return min(float(found.group(1)), JWKS_LONGEST_MAX_AGE_SECONDS)
