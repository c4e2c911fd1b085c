"""The provider's secrets in the data folder: its ES256 signing key and the pairwise secret.

Both are made on first use and kept (mode 0600), so tokens and `sub` values survive restarts.
The signing key's `kid` is its RFC 7638 thumbprint, so a rotated key gets a new one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from comptoir.kernel.crypto import (
    Jwk,
    generate_key_file,
    jwk_from_key,
    load_private_key,
)
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import Settings

SIGNING_KEY_SETTING = "COMPTOIR_DATA_DIR"


def signing_key_path(settings: Settings) -> Path:
    return settings.keys_dir / "oidc-signing.p256.pem"


def load_or_create_signing_key(settings: Settings) -> Jwk:
    path = signing_key_path(settings)
    if not path.exists():
        try:
            generate_key_file(path, "p256", setting=SIGNING_KEY_SETTING)
        except ConfigurationError:
            # Another process made it first; read theirs.
            if not path.exists():
                raise
    key = load_private_key(path, setting=SIGNING_KEY_SETTING, kind="p256")
    return jwk_from_key(key)


def load_or_create_pairwise_secret(settings: Settings) -> bytes:
    path = settings.keys_dir / "oidc-pairwise.secret"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise ConfigurationError(SIGNING_KEY_SETTING, f"the pairwise secret in {path} is too short")
    return secret.encode()
