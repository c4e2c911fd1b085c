"""The payee's fulfilment, derived rather than stored.

The payee institution must later reveal the fulfilment whose SHA-256 is the condition it put
in its quote. Deriving it as HMAC-SHA256(secret, the ILP packet's data), as Mojaloop's SDK
does, means it need not be kept: the transfer brings the packet back, and the same secret
gives the same fulfilment. The secret is itself derived from the institution's private
signing key, so there is no second secret to store, back up or leak.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

_LABEL: Final = b"comptoir.wallet.ilp-fulfilment.v1"


def fulfilment_secret(private_exponent: str) -> bytes:
    """A 32-byte secret from the RSA private exponent `d` (base64url), one way."""
    raw = base64.urlsafe_b64decode(private_exponent + "=" * (-len(private_exponent) % 4))
    return hmac.new(_LABEL, raw, hashlib.sha256).digest()


def derive_fulfilment(secret: bytes, packet_data: bytes) -> str:
    """The fulfilment (base64url of 32 bytes) for an ILP packet's data."""
    digest = hmac.new(secret, packet_data, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
