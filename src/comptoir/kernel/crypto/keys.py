"""Key pairs: Ed25519 (Beckn signing), X25519 (Beckn encryption) and P-256 (ES256).

Public keys travel as base64 text, the way Beckn registries carry `signing_public_key` and
`encr_public_key`. Private keys live in PKCS#8 PEM files readable by their owner only.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from pathlib import Path
from typing import Final, Literal, TypeAlias, overload

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from comptoir.kernel.errors import ConfigurationError

KeyKind: TypeAlias = Literal["ed25519", "x25519", "p256"]
KEY_KINDS: Final[tuple[KeyKind, ...]] = ("ed25519", "x25519", "p256")

PrivateKey: TypeAlias = Ed25519PrivateKey | X25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = Ed25519PublicKey | X25519PublicKey | ec.EllipticCurvePublicKey

_RAW_KEY_LENGTH: Final = 32
# A PEM private key of the kinds above is a few hundred bytes; a file far larger than this is
# not a key file, and reading it whole would only waste memory.
_MAX_KEY_FILE_BYTES: Final = 64 * 1024
_KIND_NAMES: Final[dict[KeyKind, str]] = {
    "ed25519": "an Ed25519",
    "x25519": "an X25519",
    "p256": "a P-256",
}


class KeyFormatError(ValueError):
    """A key given as text (base64, a JWK, a registry entry) is not a usable key."""


def generate_private_key(kind: KeyKind) -> PrivateKey:
    if kind == "ed25519":
        return Ed25519PrivateKey.generate()
    if kind == "x25519":
        return X25519PrivateKey.generate()
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key kind {kind!r}; expected one of {', '.join(KEY_KINDS)}")


def key_kind(key: PrivateKey | PublicKey) -> KeyKind:
    """Which of the supported kinds a key is; any other curve is a `KeyFormatError`."""
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, X25519PrivateKey | X25519PublicKey):
        return "x25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "p256"
        raise KeyFormatError(f"the elliptic curve {key.curve.name} is not supported; use P-256")
    raise KeyFormatError(f"a {type(key).__name__} is not a supported key")


def ed25519_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 key pair determined by a 32-byte seed (RFC 8032 section 5.1.5)."""
    if len(seed) != _RAW_KEY_LENGTH:
        raise KeyFormatError(f"an Ed25519 seed is 32 bytes, not {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def ed25519_private_key_from_base64(value: str) -> Ed25519PrivateKey:
    """Read a Beckn `signing_private_key`: base64 of the 32-byte seed or of seed || public key.

    The 64-byte form is what libsodium writes and what BECKN-006's worked example shows; its
    second half must be the public key of the first, or the value is corrupt.
    """
    raw = _decode_base64(value, what="an Ed25519 private key")
    if len(raw) == _RAW_KEY_LENGTH:
        return Ed25519PrivateKey.from_private_bytes(raw)
    if len(raw) == 2 * _RAW_KEY_LENGTH:
        key = Ed25519PrivateKey.from_private_bytes(raw[:_RAW_KEY_LENGTH])
        if raw_public_bytes(key.public_key()) != raw[_RAW_KEY_LENGTH:]:
            raise KeyFormatError(
                "the second half of the 64-byte Ed25519 private key is not its public key"
            )
        return key
    raise KeyFormatError(f"an Ed25519 private key is 32 or 64 bytes, not {len(raw)}")


def raw_public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_to_base64(
    key: Ed25519PublicKey | X25519PublicKey | Ed25519PrivateKey | X25519PrivateKey,
) -> str:
    """Base64 of the raw 32 public bytes: the `signing_public_key` a Beckn registry carries."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey | X25519PrivateKey) else key
    return base64.b64encode(raw_public_bytes(public)).decode("ascii")


def public_key_to_der_base64(key: PublicKey | PrivateKey) -> str:
    """Base64 of the DER SubjectPublicKeyInfo: the form ONDC registries publish."""
    public = key.public_key() if isinstance(key, PrivateKey) else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def ed25519_public_key_from_base64(value: str) -> Ed25519PublicKey:
    """Read a signing public key given as base64 of the raw 32 bytes or of a DER SPKI."""
    raw = _decode_base64(value, what="an Ed25519 public key")
    if len(raw) == _RAW_KEY_LENGTH:
        return Ed25519PublicKey.from_public_bytes(raw)
    key = _load_der_public_key(raw, what="an Ed25519 public key")
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFormatError(f"the public key is {_describe(key)} key, not an Ed25519 key")
    return key


def x25519_public_key_from_base64(value: str) -> X25519PublicKey:
    """Read an encryption public key given as base64 of the raw 32 bytes or of a DER SPKI."""
    raw = _decode_base64(value, what="an X25519 public key")
    if len(raw) == _RAW_KEY_LENGTH:
        return X25519PublicKey.from_public_bytes(raw)
    key = _load_der_public_key(raw, what="an X25519 public key")
    if not isinstance(key, X25519PublicKey):
        raise KeyFormatError(f"the public key is {_describe(key)} key, not an X25519 key")
    return key


def private_key_to_pem(key: PrivateKey) -> bytes:
    key_kind(key)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def save_private_key(
    path: str | os.PathLike[str], key: PrivateKey, *, overwrite: bool = False
) -> None:
    """Write the key as PKCS#8 PEM to a file only its owner can read or write (mode 0600).

    The file never exists with looser permissions, not even for an instant: it is created 0600.
    Without `overwrite`, an existing file is a `FileExistsError` and is left untouched.
    """
    target = Path(path)
    pem = private_key_to_pem(key)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not overwrite:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        _write_private_file(descriptor, pem)
        return
    # Replacing through a new file keeps a reader from ever seeing half a key, and keeps the
    # old file's permissions (which may be looser) from carrying over.
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        _write_private_file(descriptor, pem)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@overload
def load_private_key(
    path: str | os.PathLike[str], *, setting: str, kind: Literal["ed25519"]
) -> Ed25519PrivateKey: ...
@overload
def load_private_key(
    path: str | os.PathLike[str], *, setting: str, kind: Literal["x25519"]
) -> X25519PrivateKey: ...
@overload
def load_private_key(
    path: str | os.PathLike[str], *, setting: str, kind: Literal["p256"]
) -> ec.EllipticCurvePrivateKey: ...
@overload
def load_private_key(
    path: str | os.PathLike[str], *, setting: str, kind: None = None
) -> PrivateKey: ...
def load_private_key(
    path: str | os.PathLike[str], *, setting: str, kind: KeyKind | None = None
) -> PrivateKey:
    """Read a PEM private key; any problem is a `ConfigurationError` naming the file.

    `setting` names the setting that pointed at the file, so the operator knows what to fix.
    `kind`, when given, is the kind of key the caller needs.
    """
    location = os.fspath(path)
    pem = _read_key_file(Path(location), setting=setting)
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        # cryptography says TypeError when the key is encrypted and no password was given.
        raise ConfigurationError(
            setting,
            f"the key file {location} is encrypted with a passphrase, "
            "which Comptoir cannot use; store it unencrypted with mode 0600",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigurationError(
            setting, f"the key file {location} is not a PEM-encoded private key"
        ) from None
    if not isinstance(loaded, PrivateKey):
        raise ConfigurationError(
            setting,
            f"the key file {location} holds {_describe(loaded)} key, "
            "but Comptoir uses only Ed25519, X25519 and P-256 keys",
        )
    try:
        found = key_kind(loaded)
    except KeyFormatError:
        raise ConfigurationError(
            setting,
            f"the key file {location} holds {_describe(loaded)} key, "
            "but Comptoir uses only Ed25519, X25519 and P-256 keys",
        ) from None
    if kind is not None and found != kind:
        raise ConfigurationError(
            setting,
            f"the key file {location} holds {_KIND_NAMES[found]} key, "
            f"but {_KIND_NAMES[kind]} key is needed here",
        )
    return loaded


def generate_key_file(
    path: str | os.PathLike[str],
    kind: KeyKind,
    *,
    overwrite: bool = False,
    setting: str = "key_file",
) -> PrivateKey:
    """Create a new key of `kind` in a 0600 PEM file and return it.

    An existing file is never replaced unless `overwrite` is true: losing a registered key
    would cut the node off its network.
    """
    location = os.fspath(path)
    key = generate_private_key(kind)
    try:
        save_private_key(location, key, overwrite=overwrite)
    except FileExistsError:
        raise ConfigurationError(
            setting,
            f"the key file {location} already exists; "
            "refusing to replace it (ask explicitly to overwrite)",
        ) from None
    except OSError as error:
        raise ConfigurationError(
            setting, f"the key file {location} cannot be written ({_os_reason(error)})"
        ) from None
    return key


def _write_private_file(descriptor: int, content: bytes) -> None:
    with os.fdopen(descriptor, "wb") as stream:
        # The umask may have narrowed the mode further; 0600 is exactly what we promise.
        os.fchmod(stream.fileno(), 0o600)
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


def _read_key_file(path: Path, *, setting: str) -> bytes:
    location = os.fspath(path)
    try:
        with path.open("rb") as stream:
            content = stream.read(_MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigurationError(setting, f"the key file {location} does not exist") from None
    except IsADirectoryError:
        raise ConfigurationError(
            setting, f"the key file {location} is a directory, not a file"
        ) from None
    except PermissionError:
        raise ConfigurationError(
            setting, f"the key file {location} cannot be read (permission denied)"
        ) from None
    except OSError as error:
        raise ConfigurationError(
            setting, f"the key file {location} cannot be read ({_os_reason(error)})"
        ) from None
    if len(content) > _MAX_KEY_FILE_BYTES:
        raise ConfigurationError(
            setting, f"the key file {location} is too large to be a PEM-encoded private key"
        )
    return content


def _decode_base64(value: str, *, what: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"{what} must be standard base64 text") from None


def _load_der_public_key(raw: bytes, *, what: str) -> object:
    try:
        return serialization.load_der_public_key(raw)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFormatError(
            f"{what} must be base64 of its 32 raw bytes or of a DER SubjectPublicKeyInfo"
        ) from None


def _describe(key: object) -> str:
    name = type(key).__name__
    for suffix in ("PrivateKey", "PublicKey"):
        name = name.removesuffix(suffix)
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        name = f"elliptic-curve {key.curve.name}"
    # "an RSA", "an X25519", "an Ed25519": the article follows the sound of the letter.
    article = "an" if name[:1].lower() in "aeioux" or name.startswith("RSA") else "a"
    return f"{article} {name}"


def _os_reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()
