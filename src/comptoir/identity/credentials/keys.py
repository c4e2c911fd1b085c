"""The issuer's P-256 signing key: read from the data folder, or made there on first use."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from comptoir.kernel.crypto import Jwk, generate_key_file, jwk_from_key, load_private_key
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import Settings

KEY_SETTING = "COMPTOIR_DATA_DIR"


def issuer_key_path(settings: Settings) -> Path:
    return settings.keys_dir / "identity-credentials.p256.pem"


def load_or_create_issuer_key(settings: Settings) -> Jwk:
    """The credential issuer's key; its kid is its RFC 7638 thumbprint."""
    path = issuer_key_path(settings)
    if not path.exists():
        try:
            generate_key_file(path, "p256", setting=KEY_SETTING)
        except ConfigurationError:
            # Another worker may have made it first: then read theirs.
            if not path.exists():
                raise
    key = load_private_key(path, setting=KEY_SETTING, kind="p256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return jwk_from_key(key)
