"""Secrets a node must be able to read back, kept sealed at rest.

Some credentials cannot be stored as digests because the node itself uses them: an API key it
presents to another service, the secret it checks that service's webhooks with. These are
sealed with AES-256-GCM under a key file in the node's key folder (not in the database), one
derived key per purpose (HKDF-SHA256), the purpose also bound as associated data: a database
dump or backup alone reveals none of them, and a value sealed for one purpose cannot be passed
off as another's.

A sealed value is text: `sealed.v1.` then base64url(nonce || ciphertext || tag).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX: Final = "sealed.v1."
KEY_BYTES: Final = 32
_NONCE_BYTES: Final = 12


class SealError(Exception):
    """A sealed value that cannot be opened: altered, for another purpose or another key."""


def load_or_create_sealing_key(path: Path) -> bytes:
    """The key in `path`, made there (readable by its owner only) the first time."""
    if path.exists():
        return _read_key(path)
    key = secrets.token_bytes(KEY_BYTES)
    # Written whole under another name, then linked into place: two processes starting at
    # once both end up with the one key that won, and none ever reads a half-written file.
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.urlsafe_b64encode(key))
        try:
            os.link(draft, path)
        except FileExistsError:
            return _read_key(path)
    finally:
        draft.unlink(missing_ok=True)
    return key


def _read_key(path: Path) -> bytes:
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except (OSError, binascii.Error, ValueError) as error:
        raise SealError(f"the sealing key {path} cannot be read ({error})") from None
    if len(key) != KEY_BYTES:
        raise SealError(f"the sealing key {path} is not {KEY_BYTES} bytes")
    return key


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def seal_text(text: str, *, key: bytes, purpose: str) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _cipher(key, purpose).encrypt(nonce, text.encode("utf-8"), purpose.encode())
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def open_text(value: str, *, key: bytes, purpose: str) -> str:
    """The text sealed in `value` (SealError when it is not a value this key sealed for this
    purpose)."""
    if not is_sealed(value):
        raise SealError("the value is not sealed")
    encoded = value[len(SEALED_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        opened = _cipher(key, purpose).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode()
        )
        return opened.decode("utf-8")
    except (binascii.Error, ValueError, InvalidTag):
        raise SealError("the sealed value was altered or sealed for something else") from None


def _cipher(key: bytes, purpose: str) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"comptoir.sealing", info=purpose.encode()
    ).derive(key)
    return AESGCM(derived)
