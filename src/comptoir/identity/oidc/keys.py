"""The provider's secrets in the data folder: its ES256 signing keys and the pairwise secret.

Both are made on first use and kept (mode 0600), so tokens and `sub` values survive restarts.
A key's `kid` is its RFC 7638 thumbprint, so a rotated key gets a new one.

A node starts with one signing key, `oidc-signing.p256.pem`. The first rotation moves the keys
to the folder `oidc-signing/`: one PEM file per key, named by its kid, and `keyring.json`, which
says which key signs, which previous ones are still published, and when each was made. The
keyring file is the one commit point of a change: the key files it will name are written first
(each to a temporary name, synced, then renamed), the keyring is replaced by a rename, and only
then are the files it no longer names removed. A crash at any moment thus leaves the old state
or the new one, at worst with an unnamed key file that the next change removes. Changes hold a
lock on `oidc-signing/.lock`, so two operators rotating at once cannot interleave. Running
processes notice a change by the keyring file's identity (`keyring_marker`): a rename gives it
a new inode.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec

from comptoir.kernel.crypto import Jwk, jwk_from_key, load_private_key, private_key_to_pem
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.i18n import LazyText, lazy
from comptoir.kernel.settings import Settings

SIGNING_KEY_SETTING = "COMPTOIR_DATA_DIR"
# Tokens signed by a replaced key stay valid while it is published: one previous key covers
# the tokens in flight at a scheduled rotation, a second covers a rotation soon after it (a
# suspected leak found just after a scheduled rotation).
MAX_PREVIOUS_KEYS: Final = 2
KEYRING_FILE: Final = "keyring.json"
_KEY_SUFFIX: Final = ".p256.pem"
# An RFC 7638 SHA-256 thumbprint in base64url: also what keeps a kid from naming another path.
_KID: Final = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class SigningKey:
    key: Jwk
    created: datetime

    @property
    def kid(self) -> str:
        return self.key.kid


@dataclass(frozen=True)
class SigningKeys:
    """One reading of the keys: the key that signs and the previous ones still published and
    accepted, newest first. `public_keys` lists the current key first."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()
    public_keys: tuple[Jwk, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        published = tuple(entry.key.public() for entry in (self.current, *self.previous))
        object.__setattr__(self, "public_keys", published)

    @property
    def kids(self) -> list[str]:
        return [entry.kid for entry in (self.current, *self.previous)]

    def listing(self) -> list[dict[str, str]]:
        """What `comptoir identity keys list` prints."""
        return [
            {"kid": entry.kid, "status": status, "created": utc_text(entry.created)}
            for status, entry in (
                ("current", self.current),
                *(("previous", entry) for entry in self.previous),
            )
        ]


class SigningKeyError(Exception):
    """A change of the keys that is refused. `code` is stable; `text` is shown translated."""

    def __init__(self, code: str, text: LazyText) -> None:
        super().__init__(f"{code}: {text.render('en')}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Rotation:
    keys: SigningKeys
    replaced: str | None
    dropped: tuple[str, ...]


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def signing_key_path(settings: Settings) -> Path:
    """The node's first signing key, used until the first rotation."""
    return settings.keys_dir / "oidc-signing.p256.pem"


def signing_keys_folder(settings: Settings) -> Path:
    return settings.keys_dir / "oidc-signing"


def keyring_marker(settings: Settings) -> tuple[int, int, int] | None:
    """What changes whenever the keyring is replaced (None before the first rotation): one stat."""
    try:
        found = os.stat(signing_keys_folder(settings) / KEYRING_FILE)
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def read_signing_keys(settings: Settings) -> SigningKeys:
    """The keys as the data folder holds them now; a node without any makes its first key."""
    kept = _read_keyring(settings)
    if kept is not None:
        return kept
    try:
        first = _first_key(settings, create=True)
    except ConfigurationError:
        # A first rotation may have committed, and removed the first key, while it was read.
        kept = _read_keyring(settings)
        if kept is None:
            raise
        return kept
    assert first is not None
    return _read_keyring(settings) or first


def rotate_signing_key(settings: Settings, *, now: datetime) -> Rotation:
    """Make a new key the signing key; the one it replaces stays published as the newest
    previous key, and the oldest beyond `MAX_PREVIOUS_KEYS` is no longer published."""
    folder = signing_keys_folder(settings)
    with _changing(folder):
        before = _read_keyring(settings) or _first_key(settings, create=False)
        private = ec.generate_private_key(ec.SECP256R1())
        key = jwk_from_key(private)
        _save_key(folder, key.kid, private)
        kept: tuple[SigningKey, ...] = ()
        if before is not None:
            kept = (before.current, *before.previous)[:MAX_PREVIOUS_KEYS]
            if not (folder / f"{before.current.kid}{_KEY_SUFFIX}").exists():
                # The node's first key joins the others in the folder.
                first = load_private_key(
                    signing_key_path(settings), setting=SIGNING_KEY_SETTING, kind="p256"
                )
                _save_key(folder, before.current.kid, first)
        after = SigningKeys(SigningKey(key, now.astimezone(UTC)), kept)
        _commit(settings, after)
    dropped = () if before is None else tuple(k for k in before.kids if k not in after.kids)
    return Rotation(after, before.current.kid if before else None, dropped)


def retire_signing_key(settings: Settings, kid: str) -> SigningKeys:
    """Stop publishing and accepting a previous key; the current key cannot be retired."""
    folder = signing_keys_folder(settings)
    with _changing(folder):
        before = _read_keyring(settings) or _first_key(settings, create=False)
        if before is not None and kid == before.current.kid:
            raise SigningKeyError(
                "current_key",
                lazy(
                    "The key {kid} is the current signing key; rotate first, then retire it.",
                    kid=kid,
                ),
            )
        if before is None or kid not in before.kids:
            raise SigningKeyError(
                "unknown_kid", lazy("No published signing key has the kid {kid}.", kid=kid)
            )
        after = SigningKeys(before.current, tuple(k for k in before.previous if k.kid != kid))
        _commit(settings, after)
    return after


def _first_key(settings: Settings, *, create: bool) -> SigningKeys | None:
    path = signing_key_path(settings)
    if create and not path.exists():
        try:
            _write_private_file(
                path, private_key_to_pem(ec.generate_private_key(ec.SECP256R1())), replace=False
            )
        except FileExistsError:
            pass  # Another process made it first; read theirs.
        except OSError as error:
            raise ConfigurationError(
                SIGNING_KEY_SETTING, f"the key file {path} cannot be written ({error.strerror})"
            ) from None
    elif not path.exists():
        return None
    private = load_private_key(path, setting=SIGNING_KEY_SETTING, kind="p256")
    created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return SigningKeys(SigningKey(jwk_from_key(private), created))


def _read_keyring(settings: Settings) -> SigningKeys | None:
    folder = signing_keys_folder(settings)
    path = folder / KEYRING_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = [
            (str(entry["kid"]), datetime.fromisoformat(str(entry["created"])))
            for entry in document["keys"]
        ]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(
            SIGNING_KEY_SETTING, f"the signing keyring {path} cannot be read ({error})"
        ) from None
    keys: list[SigningKey] = []
    for kid, created in entries:
        if not _KID.fullmatch(kid):
            raise ConfigurationError(
                SIGNING_KEY_SETTING, f"the signing keyring {path} names a malformed kid"
            )
        private = load_private_key(
            folder / f"{kid}{_KEY_SUFFIX}", setting=SIGNING_KEY_SETTING, kind="p256"
        )
        key = jwk_from_key(private)
        if key.kid != kid:
            raise ConfigurationError(
                SIGNING_KEY_SETTING, f"the key file for {kid} in {folder} holds another key"
            )
        keys.append(SigningKey(key, created))
    if not keys:
        raise ConfigurationError(SIGNING_KEY_SETTING, f"the signing keyring {path} is empty")
    return SigningKeys(keys[0], tuple(keys[1:]))


@contextmanager
def _changing(folder: Path) -> Iterator[None]:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # also releases the lock


def _save_key(folder: Path, kid: str, private: ec.EllipticCurvePrivateKey) -> None:
    _write_private_file(folder / f"{kid}{_KEY_SUFFIX}", private_key_to_pem(private), replace=True)


def _commit(settings: Settings, keys: SigningKeys) -> None:
    """Replace the keyring by a rename, then remove the key files it no longer names."""
    folder = signing_keys_folder(settings)
    document = {
        "keys": [
            {"kid": entry.kid, "created": utc_text(entry.created)}
            for entry in (keys.current, *keys.previous)
        ]
    }
    _write_private_file(
        folder / KEYRING_FILE, json.dumps(document, indent=2).encode(), replace=True
    )
    named = {f"{kid}{_KEY_SUFFIX}" for kid in keys.kids}
    for found in folder.iterdir():
        if found.name.endswith(_KEY_SUFFIX) and found.name not in named:
            found.unlink(missing_ok=True)
        elif found.name.startswith(".") and found.name != ".lock":
            found.unlink(missing_ok=True)  # a temporary file left by a crash
    signing_key_path(settings).unlink(missing_ok=True)


def _write_private_file(path: Path, content: bytes, *, replace: bool) -> None:
    """Write to a temporary name (mode 0600 from the start), sync, then rename into place, or
    link there when an existing file must win (FileExistsError): a reader never finds half a
    file, and a crash leaves the old one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
