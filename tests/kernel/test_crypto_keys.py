"""Key pairs, their base64 forms, and private key files."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.crypto import (
    KEY_KINDS,
    KeyFormatError,
    KeyKind,
    PrivateKey,
    ed25519_key_from_seed,
    ed25519_private_key_from_base64,
    ed25519_public_key_from_base64,
    generate_key_file,
    generate_private_key,
    key_kind,
    load_private_key,
    private_key_to_pem,
    public_key_to_base64,
    public_key_to_der_base64,
    raw_public_bytes,
    save_private_key,
    x25519_public_key_from_base64,
)
from comptoir.kernel.errors import ConfigurationError

# The BAP key pair of BECKN-006's worked example (docs/BECKN-006-Signing-Beckn-APIs-In-HTTP.md).
BECKN_006_SIGNING_PUBLIC_KEY = "awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk="
BECKN_006_SIGNING_PRIVATE_KEY = (
    "lP3sHA+9gileOkXYJXh4Jg8tK0gEEMbf9yCPnFpbldhrAY+NErqL9WD+Vav7TE5tyVXGXBle9ONZi2W7o144eQ=="
)

seeds = st.binary(min_size=32, max_size=32)


def _private_bytes(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _configuration_error(path: Path, *, kind: KeyKind | None = None) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        load_private_key(path, setting="signing_key_file", kind=kind)
    return caught.value


def assert_one_clear_sentence(error: ConfigurationError, path: Path) -> None:
    assert error.setting == "signing_key_file"
    assert str(path) in error.sentence
    assert "\n" not in error.sentence
    # The operator sees our sentence, never a chained traceback from cryptography.
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None


# --- generation and kinds -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_it_generates_a_key_of_each_kind_and_knows_its_kind(kind: KeyKind) -> None:
    key = generate_private_key(kind)

    assert key_kind(key) == kind
    assert key_kind(key.public_key()) == kind


def test_it_refuses_curves_other_than_p256() -> None:
    with pytest.raises(KeyFormatError):
        key_kind(ec.generate_private_key(ec.SECP384R1()))


@given(seeds)
def test_the_same_seed_always_gives_the_same_ed25519_key(seed: bytes) -> None:
    first = ed25519_key_from_seed(seed)
    second = ed25519_key_from_seed(seed)

    assert public_key_to_base64(first) == public_key_to_base64(second)


def test_it_refuses_a_seed_that_is_not_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        ed25519_key_from_seed(bytes(31))


# --- public keys as base64 ------------------------------------------------------------------


@given(seeds)
def test_an_ed25519_public_key_round_trips_through_raw_base64(seed: bytes) -> None:
    key = ed25519_key_from_seed(seed)

    text = public_key_to_base64(key.public_key())

    assert len(base64.b64decode(text)) == 32
    assert raw_public_bytes(ed25519_public_key_from_base64(text)) == raw_public_bytes(
        key.public_key()
    )


@given(seeds)
def test_an_x25519_public_key_round_trips_through_raw_base64(seed: bytes) -> None:
    key = X25519PrivateKey.from_private_bytes(seed)

    text = public_key_to_base64(key)

    assert raw_public_bytes(x25519_public_key_from_base64(text)) == raw_public_bytes(
        key.public_key()
    )


def test_it_accepts_the_der_subject_public_key_info_form_that_ondc_registries_publish() -> None:
    signing_key = Ed25519PrivateKey.generate()
    encryption_key = X25519PrivateKey.generate()

    signing_der = public_key_to_der_base64(signing_key)
    encryption_der = public_key_to_der_base64(encryption_key)

    # An Ed25519 SPKI is 44 bytes and starts with the OID 1.3.101.112: "MCowBQYDK2Vw...".
    assert signing_der.startswith("MCowBQYDK2Vw")
    assert encryption_der.startswith("MCowBQYDK2Vu")
    assert raw_public_bytes(ed25519_public_key_from_base64(signing_der)) == raw_public_bytes(
        signing_key.public_key()
    )
    assert raw_public_bytes(x25519_public_key_from_base64(encryption_der)) == raw_public_bytes(
        encryption_key.public_key()
    )


def test_it_refuses_a_der_public_key_of_the_wrong_kind() -> None:
    x25519_der = public_key_to_der_base64(X25519PrivateKey.generate())
    ed25519_der = public_key_to_der_base64(Ed25519PrivateKey.generate())

    with pytest.raises(KeyFormatError, match="X25519"):
        ed25519_public_key_from_base64(x25519_der)
    with pytest.raises(KeyFormatError, match="Ed25519"):
        x25519_public_key_from_base64(ed25519_der)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not base64!",
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        base64.urlsafe_b64encode(b"\xfb" * 32).decode(),
        base64.b64encode(b"\x30\x03\x02\x01\x00").decode(),
    ],
)
def test_it_refuses_public_key_text_that_is_not_a_key(text: str) -> None:
    with pytest.raises(KeyFormatError):
        ed25519_public_key_from_base64(text)
    with pytest.raises(KeyFormatError):
        x25519_public_key_from_base64(text)


def test_it_reads_the_beckn_006_example_private_key_in_its_64_byte_form() -> None:
    key = ed25519_private_key_from_base64(BECKN_006_SIGNING_PRIVATE_KEY)

    assert public_key_to_base64(key) == BECKN_006_SIGNING_PUBLIC_KEY


def test_it_reads_a_private_key_given_as_its_32_byte_seed() -> None:
    seed = base64.b64decode(BECKN_006_SIGNING_PRIVATE_KEY)[:32]

    key = ed25519_private_key_from_base64(base64.b64encode(seed).decode())

    assert public_key_to_base64(key) == BECKN_006_SIGNING_PUBLIC_KEY


def test_it_refuses_a_64_byte_private_key_whose_second_half_is_another_public_key() -> None:
    seed = base64.b64decode(BECKN_006_SIGNING_PRIVATE_KEY)[:32]
    other_public = raw_public_bytes(Ed25519PrivateKey.generate().public_key())

    with pytest.raises(KeyFormatError):
        ed25519_private_key_from_base64(base64.b64encode(seed + other_public).decode())


# --- private key files ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_a_private_key_round_trips_through_a_pem_file(tmp_path: Path, kind: KeyKind) -> None:
    key = generate_private_key(kind)
    path = tmp_path / f"node.{kind}.pem"

    save_private_key(path, key)
    loaded = load_private_key(path, setting="signing_key_file", kind=kind)

    assert _private_bytes(loaded) == _private_bytes(key)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_it_creates_key_files_that_only_their_owner_can_read(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "keys" / "node.ed25519.pem"
    previous = os.umask(umask)
    try:
        save_private_key(path, Ed25519PrivateKey.generate())
    finally:
        os.umask(previous)

    assert _mode(path) == 0o600


def test_replacing_a_key_file_tightens_a_looser_mode_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    path.write_text("old")
    path.chmod(0o644)

    save_private_key(path, Ed25519PrivateKey.generate(), overwrite=True)

    assert _mode(path) == 0o600
    load_private_key(path, setting="signing_key_file", kind="ed25519")


def test_saving_never_replaces_an_existing_file_unless_told_to(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    path.write_text("keep me")

    with pytest.raises(FileExistsError):
        save_private_key(path, Ed25519PrivateKey.generate())

    assert path.read_text() == "keep me"


def test_generate_key_file_writes_a_loadable_0600_key(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys" / "node.x25519.pem"

    key = generate_key_file(path, "x25519")

    assert isinstance(key, X25519PrivateKey)
    assert _mode(path) == 0o600
    loaded = load_private_key(path, setting="encryption_key_file", kind="x25519")
    assert _private_bytes(loaded) == _private_bytes(key)


def test_generate_key_file_refuses_to_overwrite_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    generate_key_file(path, "ed25519")
    original = path.read_bytes()

    with pytest.raises(ConfigurationError) as caught:
        generate_key_file(path, "ed25519", setting="signing_key_file")

    assert path.read_bytes() == original
    assert str(path) in caught.value.sentence
    assert "already exists" in caught.value.sentence


def test_generate_key_file_overwrites_when_told_to(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    generate_key_file(path, "ed25519")
    original = path.read_bytes()

    generate_key_file(path, "ed25519", overwrite=True)

    assert path.read_bytes() != original
    assert _mode(path) == 0o600


def test_a_missing_key_file_is_one_sentence_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys" / "node.ed25519.pem"

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert error.sentence == f"the key file {path} does not exist"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"this is not a key\n",
        b"\xff\xfe\x00binary",
        b"-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n",
    ],
)
def test_a_malformed_key_file_is_one_sentence_naming_the_file(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "node.ed25519.pem"
    path.write_bytes(content)

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert error.sentence == f"the key file {path} is not a PEM-encoded private key"


def test_a_public_key_file_given_as_a_private_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.pub.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert "not a PEM-encoded private key" in error.sentence


def test_an_encrypted_key_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert "encrypted" in error.sentence


def test_an_rsa_key_file_is_refused_as_an_unsupported_kind(tmp_path: Path) -> None:
    path = tmp_path / "node.rsa.pem"
    path.write_bytes(private_key_to_pem_unchecked(rsa.generate_private_key(65537, 2048)))

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert "an RSA key" in error.sentence


def test_a_key_of_another_kind_than_needed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.pem"
    save_private_key(path, X25519PrivateKey.generate())

    error = _configuration_error(path, kind="ed25519")

    assert_one_clear_sentence(error, path)
    assert error.sentence == (
        f"the key file {path} holds an X25519 key, but an Ed25519 key is needed here"
    )


def test_a_directory_given_as_a_key_file_is_refused(tmp_path: Path) -> None:
    error = _configuration_error(tmp_path)

    assert_one_clear_sentence(error, tmp_path)
    assert "is a directory" in error.sentence


def test_a_key_file_under_a_path_that_is_not_a_directory_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "keys"
    blocker.write_text("a file where a directory should be")
    path = blocker / "node.ed25519.pem"

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert error.sentence == f"the key file {path} cannot be read (not a directory)"


def test_a_huge_file_is_not_read_as_a_key(tmp_path: Path) -> None:
    path = tmp_path / "node.ed25519.pem"
    path.write_bytes(b"A" * (65 * 1024))

    error = _configuration_error(path)

    assert_one_clear_sentence(error, path)
    assert "too large" in error.sentence


def test_pem_export_refuses_keys_of_unsupported_kinds() -> None:
    with pytest.raises(KeyFormatError):
        private_key_to_pem(ec.generate_private_key(ec.SECP384R1()))


def private_key_to_pem_unchecked(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
