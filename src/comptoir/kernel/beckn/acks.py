"""Synchronous answers with the v2.0 counter-signature.

The spec's counter-signature has a `digest` over "the Ack response body", yet the signature sits
inside that body. Comptoir resolves the circle without any re-serialisation: the signed digest
covers the exact bytes of the body *without* its `signature` member, and the signature is then
appended as the last member. A reader strips that last member textually,
`,"signature":"..."}` → `}`, and hashes what remains: the exact bytes the signer hashed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final, Literal

from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.models.errors import Ack, Error
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.beckn import (
    BecknSignature,
    SignatureError,
    parse_signature_header,
    verify_counter_signature,
)
from comptoir.kernel.crypto.keys import ed25519_public_key_from_base64

_SIGNATURE_MEMBER: Final = b',"signature":'

ACK_STATUS: Final = 200
NACK_BAD_REQUEST: Final = 400
NACK_UNAUTHORIZED: Final = 401
ACK_NO_CALLBACK: Final = 409
SERVER_ERROR: Final = 500

# Error codes carried in `error.errorCode`, one per kind of refusal.
BAD_REQUEST_CODE: Final = "BAD_REQUEST"
UNAUTHORIZED_CODE: Final = "UNAUTHORIZED"
NO_CALLBACK_CODE: Final = "NO_CALLBACK"
SERVER_ERROR_CODE: Final = "INTERNAL_ERROR"


def signed_ack_body(
    identity: BecknIdentity,
    *,
    request_body: bytes,
    message_id: str,
    status: Literal["ACK", "NACK"] = "ACK",
    error: Error | None = None,
) -> bytes:
    """The exact bytes of an Ack (or NACK) body, counter-signed by `identity`."""
    unsigned: dict[str, object] = {"status": status}
    if error is not None:
        unsigned["error"] = error.model_dump(mode="json", exclude_none=True)
    unsigned_bytes = json.dumps(unsigned, separators=(",", ":"), ensure_ascii=False).encode()
    signature = identity.counter_sign(
        unsigned_bytes, request_body=request_body, message_id=message_id
    )
    return unsigned_bytes[:-1] + _SIGNATURE_MEMBER + json.dumps(signature).encode() + b"}"


def unsigned_part(ack_body: bytes, signature: str) -> bytes:
    """The bytes the counter-signature covers; `SignatureError` when the body is not laid out
    as `signed_ack_body` lays it out."""
    suffix = _SIGNATURE_MEMBER + json.dumps(signature).encode() + b"}"
    if not ack_body.endswith(suffix):
        raise SignatureError("malformed", "the signature is not the last member of the Ack")
    return ack_body[: -len(suffix)] + b"}"


@dataclass(frozen=True)
class CheckedAck:
    ack: Ack
    counter_signature: BecknSignature


def parse_ack(ack_body: bytes) -> Ack:
    return Ack.model_validate_json(ack_body)


def verify_ack(
    ack_body: bytes,
    *,
    request_body: bytes,
    message_id: str,
    public_key: str,
    clock: Clock = system_clock,
) -> CheckedAck:
    """Check that an Ack acknowledges this request and was signed with `public_key`."""
    ack = parse_ack(ack_body)
    checked = verify_counter_signature(
        ack.signature,
        unsigned_part(ack_body, ack.signature),
        request_body=request_body,
        message_id=message_id,
        public_key=ed25519_public_key_from_base64(public_key),
        clock=clock,
    )
    return CheckedAck(ack=ack, counter_signature=checked)


def counter_signer(ack: Ack) -> tuple[str, str]:
    """The subscriber id and key id that counter-signed an Ack."""
    parsed = parse_signature_header(ack.signature)
    return parsed.subscriber_id, parsed.unique_key_id
