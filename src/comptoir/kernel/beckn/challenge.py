"""The registry's proof that a subscriber controls its encryption key (on_subscribe).

The registry seals a random challenge to the subscriber's X25519 `encr_public_key`; only the
holder of the private key can open it and answer it in clear. Sealing is ECIES: an ephemeral
X25519 key, HKDF-SHA256 over the shared secret, AES-256-GCM. (ONDC's registry uses AES-ECB
under a static registry key; ECB leaks patterns and a static key needs distributing, so Comptoir
seals with an ephemeral key whose public half travels with the challenge.)

Sealed text: base64( ephemeral public key (32) || nonce (12) || ciphertext+tag ).
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from comptoir.kernel.crypto.keys import raw_public_bytes, x25519_public_key_from_base64

_INFO: Final = b"comptoir beckn on_subscribe challenge"
_KEY_LENGTH: Final = 32
_NONCE_LENGTH: Final = 12


class ChallengeError(ValueError):
    """A sealed challenge could not be opened with this key."""


def new_challenge() -> str:
    return base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")


def seal_challenge(challenge: str, recipient_public_key: str) -> str:
    """Seal `challenge` to the base64 X25519 public key of the subscriber."""
    recipient = x25519_public_key_from_base64(recipient_public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public_bytes(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), ephemeral_public, raw_public_bytes(recipient))
    nonce = os.urandom(_NONCE_LENGTH)
    ciphertext = AESGCM(key).encrypt(nonce, challenge.encode("utf-8"), None)
    return base64.b64encode(ephemeral_public + nonce + ciphertext).decode("ascii")


def open_challenge(sealed: str, private_key: X25519PrivateKey) -> str:
    """Open a sealed challenge with the subscriber's X25519 private key."""
    try:
        raw = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError):
        raise ChallengeError("the challenge is not base64") from None
    if len(raw) <= _KEY_LENGTH + _NONCE_LENGTH:
        raise ChallengeError("the challenge is too short")
    ephemeral_public = raw[:_KEY_LENGTH]
    nonce = raw[_KEY_LENGTH : _KEY_LENGTH + _NONCE_LENGTH]
    ciphertext = raw[_KEY_LENGTH + _NONCE_LENGTH :]
    ephemeral = X25519PublicKey.from_public_bytes(ephemeral_public)
    own_public = raw_public_bytes(private_key.public_key())
    key = _derive(private_key.exchange(ephemeral), ephemeral_public, own_public)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, None).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise ChallengeError("the challenge was not sealed to this key") from None


def _derive(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=_KEY_LENGTH,
        salt=ephemeral_public + recipient_public,
        info=_INFO,
    ).derive(shared)
