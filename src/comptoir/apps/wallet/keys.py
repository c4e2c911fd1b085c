"""Each institution's RSA signing key, in files under the node's keys folder.

`wallet-<id>.rsa.json` holds the private JWK (mode 0600); `wallet-<id>.jwks.json` the public
JWK Set the operator registers with the switch (`comptoir switch participant add ... --jwks`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from comptoir.apps.wallet.domain.conditions import fulfilment_secret
from comptoir.kernel.fspiop import RsaJwk, generate_rsa_jwk, import_rsa_jwk
from comptoir.kernel.fspiop.rsa_keys import JwksDocument


def private_key_path(keys_dir: Path, institution_id: str) -> Path:
    return keys_dir / f"wallet-{institution_id}.rsa.json"


def public_jwks_path(keys_dir: Path, institution_id: str) -> Path:
    return keys_dir / f"wallet-{institution_id}.jwks.json"


@dataclass(frozen=True)
class CreatedKey:
    kid: str
    jwks: JwksDocument
    private_path: Path
    public_path: Path


def create_key(keys_dir: Path, institution_id: str) -> CreatedKey:
    """A new RSA key for the institution; an existing private key file is never overwritten."""
    private_path = private_key_path(keys_dir, institution_id)
    public_path = public_jwks_path(keys_dir, institution_id)
    private, jwks = generate_rsa_jwk(kid=f"{institution_id}-1")
    keys_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(private, handle)
    public_path.write_text(json.dumps(jwks, indent=2) + "\n", encoding="utf-8")
    return CreatedKey(private["kid"], jwks, private_path, public_path)


@dataclass(frozen=True)
class SigningKey:
    key: RsaJwk
    fulfilment_secret: bytes


def signing_key(keys_dir: Path, institution_id: str) -> SigningKey:
    """The institution's private key and the fulfilment secret derived from it."""
    path = private_key_path(keys_dir, institution_id)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise LookupError(f"the institution {institution_id} has no key at {path}") from None
    return _load(str(path), stamp)


@lru_cache(maxsize=64)
def _load(path: str, stamp: int) -> SigningKey:
    del stamp  # part of the cache key: a replaced file is read again
    members = json.loads(Path(path).read_text(encoding="utf-8"))
    key = import_rsa_jwk(members)
    if not key.is_private:
        raise LookupError(f"{path} holds no private key")
    return SigningKey(key, fulfilment_secret(members["d"]))
