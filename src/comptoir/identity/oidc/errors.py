"""OAuth 2.0 errors as RFC 6749 section 5.2 (and RFC 9449, RFC 6750) define them: a JSON body
with `error` and `error_description`, the status each code calls for, and a `WWW-Authenticate`
challenge for the resource (userinfo)."""

from __future__ import annotations

from typing import Final

from starlette.responses import JSONResponse

_STATUS: Final[dict[str, int]] = {
    "invalid_request": 400,
    "invalid_client": 401,
    "invalid_grant": 400,
    "invalid_scope": 400,
    "unauthorized_client": 400,
    "unsupported_grant_type": 400,
    "unsupported_response_type": 400,
    "invalid_dpop_proof": 400,
    "invalid_token": 401,
    "access_denied": 403,
    "invalid_request_uri": 400,
}


class OAuthError(Exception):
    """A refusal at a protocol endpoint; `www_authenticate` is the challenge a resource sends."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int | None = None,
        challenge: bool = False,
        unauthenticated: bool = False,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status or _STATUS.get(error, 400)
        self.challenge = challenge
        # A request to a resource with no authentication at all: its challenge names no error
        # (RFC 6750 section 3.1, as RFC 9449 section 7.1 shows it).
        self.unauthenticated = unauthenticated

    def response(self) -> JSONResponse:
        headers = {"Cache-Control": "no-store"}
        if self.challenge and self.unauthenticated:
            headers["WWW-Authenticate"] = 'DPoP algs="ES256"'
        elif self.challenge:
            # The description is ours; keep it one line without quotes for the header.
            description = self.description.replace('"', "'").replace("\n", " ")
            headers["WWW-Authenticate"] = (
                f'DPoP error="{self.error}", error_description="{description}", algs="ES256"'
            )
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )
