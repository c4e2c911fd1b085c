"""The switch's own RSA key, which signs the FSPIOP messages the switch originates."""

from __future__ import annotations

import json
import os
from pathlib import Path

from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.fspiop import (
    RsaJwk,
    RsaKeyError,
    generate_rsa_jwk,
    import_rsa_jwk,
    rsa_jwks_document,
)
from comptoir.kernel.settings import Settings

KEY_SETTING = "COMPTOIR_DATA_DIR"


def switch_key_path(settings: Settings) -> Path:
    return settings.keys_dir / "switch.rsa.json"


def load_or_create_switch_key(settings: Settings) -> RsaJwk:
    """The switch's signing key: read from the data folder, or made there on first use."""
    path = switch_key_path(settings)
    if not path.exists():
        private, _public = generate_rsa_jwk(kid=f"{settings.switch_id}-1")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(private, handle)
        return import_rsa_jwk(private)
    try:
        return import_rsa_jwk(path.read_text(encoding="utf-8"))
    except (OSError, RsaKeyError, ValueError) as exc:
        raise ConfigurationError(
            KEY_SETTING, f"the switch's key file {path} is not a private RSA JWK ({exc})."
        ) from exc


def switch_public_jwks(settings: Settings) -> dict[str, object]:
    """The JWKS a DFSP needs to check the switch's own signatures."""
    key = load_or_create_switch_key(settings)
    return dict(rsa_jwks_document([key]))
