"""The subscriber's side of joining a network: answering the registry's on_subscribe.

A participant app mounts `on_subscribe_endpoint(...)` at `{its url}/on_subscribe`, then calls
`RegistryClient.subscribe`; the registry posts a sealed challenge there and expects it back in
clear, which proves the participant holds the private half of its `encr_public_key`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from comptoir.kernel.beckn.challenge import ChallengeError, open_challenge
from comptoir.kernel.beckn.registry_client import OnSubscribeRequest, OnSubscribeResponse
from comptoir.kernel.crypto.beckn import SignatureError, verify_request
from comptoir.kernel.crypto.keys import public_key_to_base64


def on_subscribe_endpoint(
    encryption_key: X25519PrivateKey,
    *,
    registry_signing_public_key: str | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that opens the registry's challenge with `encryption_key`.

    With `registry_signing_public_key`, it also checks that the call is the registry's own
    (the registry signs on_subscribe like any message).
    """
    own_public_key = public_key_to_base64(encryption_key)

    async def on_subscribe(request: Request) -> Response:
        body = await request.body()
        if registry_signing_public_key is not None:
            try:
                verify_request(
                    request.headers.get("authorization", ""), body, registry_signing_public_key
                )
            except SignatureError as error:
                return JSONResponse({"error": error.detail}, status_code=401)
        try:
            challenge = OnSubscribeRequest.model_validate_json(body)
            answer = open_challenge(challenge.challenge, encryption_key)
        except (ValidationError, ChallengeError):
            return JSONResponse(
                {"error": f"cannot open the challenge with the key {own_public_key}"},
                status_code=400,
            )
        return Response(
            OnSubscribeResponse(answer=answer).model_dump_json(), media_type="application/json"
        )

    return on_subscribe
