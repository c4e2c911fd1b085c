"""PKCE (RFC 7636) with the S256 method only: FAPI 2.0 allows no other."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Final

S256: Final = "S256"
# RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER: Final = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def new_code_verifier() -> str:
    """A fresh verifier of 43 characters: 256 bits of randomness, base64url."""
    return secrets.token_urlsafe(32)


def is_well_formed_verifier(verifier: str) -> bool:
    return _VERIFIER.fullmatch(verifier) is not None


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    """Whether `verifier` answers the S256 `challenge` (compared in constant time)."""
    if not is_well_formed_verifier(verifier):
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)
