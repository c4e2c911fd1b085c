"""The compact JWS written and read by the kernel itself, checked against joserfc both ways.

The kernel signs and verifies ES256 and EdDSA with `cryptography` directly (see the `jose`
module). These properties hold it to joserfc, the library it used to go through: whatever one
signs the other verifies, any change to a token is refused, and a token refused before is
refused now with the same reason and words.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any, get_args

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from joserfc import jws as joserfc_jws
from joserfc.errors import JoseError as JoserfcError
from joserfc.errors import UnsupportedAlgorithmError
from joserfc.jwa import JWSAlgModel
from joserfc.jwk import ECKey, OctKey, RSAKey
from joserfc.jws import JWSRegistry

from comptoir.kernel.crypto import (
    JoseError,
    Jwk,
    JwkCurve,
    JwsAlgorithm,
    generate_jwk,
    import_jwk,
    sign_jws,
    verify_jws,
)
from comptoir.kernel.crypto.compact import base64url_decode, protected_header

CURVES: tuple[JwkCurve, ...] = get_args(JwkCurve)
PAIRS: tuple[tuple[JwkCurve, JwsAlgorithm], ...] = (
    ("P-256", "ES256"),
    ("Ed25519", "EdDSA"),
    ("Ed25519", "Ed25519"),
)
KEYS = {curve: generate_jwk(curve) for curve in CURVES}
ALL_PUBLIC = [KEYS["P-256"].public(), KEYS["Ed25519"].public()]
ALL_ALGORITHMS: list[JwsAlgorithm] = ["ES256", "EdDSA", "Ed25519"]
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
REGISTERED_HEADER_MEMBERS = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64"}
)

# Signatures are slow next to most properties, and the machine may be shared: no deadline.
crypto_settings = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
extra_headers = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda name: name not in REGISTERED_HEADER_MEMBERS),
    json_values,
    max_size=3,
)
types = st.none() | st.sampled_from(["JWT", "dpop+jwt", "kb+jwt", "example+jws"])
payloads = st.binary(max_size=1024)
pairs = st.sampled_from(PAIRS)


class JoserfcRegistry(JWSRegistry):
    """joserfc with only the one algorithm under test, and without its warning on "EdDSA"."""

    def get_alg(self, name: str) -> JWSAlgModel:
        if not self.allowed or name not in self.allowed:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


def joserfc_registry(algorithm: str) -> JoserfcRegistry:
    return JoserfcRegistry(algorithms=[algorithm], strict_check_header=False)


def joserfc_sign(protected: dict[str, Any], payload: bytes, key: Jwk, algorithm: str = "") -> str:
    chosen = algorithm or str(protected["alg"])
    return joserfc_jws.serialize_compact(
        protected, payload, key.joserfc_key(), registry=joserfc_registry(chosen)
    )


def joserfc_verify(token: str, key: Jwk, algorithm: str) -> joserfc_jws.CompactSignature:
    return joserfc_jws.deserialize_compact(
        token, key.public().joserfc_key(), registry=joserfc_registry(algorithm)
    )


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def refusal(token: str, key: Jwk | list[Jwk], algorithms: list[JwsAlgorithm]) -> JoseError:
    with pytest.raises(JoseError) as caught:
        verify_jws(token, key, algorithms=algorithms)
    return caught.value


def fits_joserfc_limits(token: str) -> bool:
    return len(token.split(".", maxsplit=1)[0]) <= 512


# --- both ways -------------------------------------------------------------------------------


@crypto_settings
@given(payload=payloads, pair=pairs, headers=extra_headers, typ=types, include_kid=st.booleans())
def test_every_token_signed_here_is_verified_by_joserfc(
    payload: bytes,
    pair: tuple[JwkCurve, JwsAlgorithm],
    headers: dict[str, object],
    typ: str | None,
    include_kid: bool,
) -> None:
    curve, algorithm = pair
    key = KEYS[curve]

    token = sign_jws(
        payload, key, algorithm=algorithm, typ=typ, headers=headers, include_kid=include_kid
    )
    assume(fits_joserfc_limits(token))
    verified = joserfc_verify(token, key, algorithm)

    assert verified.payload == payload
    expected = {**headers, "alg": algorithm}
    if typ is not None:
        expected["typ"] = typ
    if include_kid:
        expected["kid"] = key.kid
    assert verified.headers() == expected


@crypto_settings
@given(payload=payloads, pair=pairs, headers=extra_headers, typ=types)
def test_every_token_joserfc_signs_is_verified_here(
    payload: bytes,
    pair: tuple[JwkCurve, JwsAlgorithm],
    headers: dict[str, object],
    typ: str | None,
) -> None:
    curve, algorithm = pair
    key = KEYS[curve]
    protected: dict[str, Any] = {**headers, "alg": algorithm, "kid": key.kid}
    if typ is not None:
        protected["typ"] = typ

    token = joserfc_sign(protected, payload, key)
    assume(fits_joserfc_limits(token))
    verified = verify_jws(token, ALL_PUBLIC, algorithms=ALL_ALGORITHMS, typ=typ)

    assert verified.payload == payload
    assert verified.header == protected
    assert verified.key == key.public()


@crypto_settings
@given(payload=payloads, headers=extra_headers, algorithm=st.sampled_from(["EdDSA", "Ed25519"]))
def test_an_ed25519_token_is_the_very_string_joserfc_writes(
    payload: bytes, headers: dict[str, object], algorithm: JwsAlgorithm
) -> None:
    # Ed25519 signatures are deterministic (RFC 8032), so the two must agree to the byte.
    key = KEYS["Ed25519"]

    ours = sign_jws(payload, key, algorithm=algorithm, typ="JWT", headers=headers)
    theirs = joserfc_sign({**headers, "alg": algorithm, "typ": "JWT", "kid": key.kid}, payload, key)

    assert ours == theirs


@crypto_settings
@given(payload=payloads)
def test_an_es256_signature_is_r_then_s_in_32_bytes_each(payload: bytes) -> None:
    key = KEYS["P-256"]
    public = key.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)

    header, body, signature_part = sign_jws(payload, key).split(".")
    signature = unb64url(signature_part)

    assert len(signature) == 64
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public.verify(
        encode_dss_signature(r, s), f"{header}.{body}".encode(), ec.ECDSA(hashes.SHA256())
    )


# --- every change is refused ------------------------------------------------------------------


@crypto_settings
@given(payload=payloads, pair=pairs, data=st.data())
def test_any_character_changed_anywhere_in_a_token_is_refused(
    payload: bytes, pair: tuple[JwkCurve, JwsAlgorithm], data: st.DataObject
) -> None:
    curve, algorithm = pair
    key = KEYS[curve]
    token = sign_jws(payload, key, algorithm=algorithm, typ="example+jws")
    index = data.draw(st.integers(0, len(token) - 1), label="index")
    replacement = data.draw(
        st.characters(codec="ascii").filter(lambda char: char != token[index]),
        label="replacement",
    )
    changed = token[:index] + replacement + token[index + 1 :]

    with pytest.raises(JoseError):
        verify_jws(changed, ALL_PUBLIC, algorithms=ALL_ALGORITHMS, typ="example+jws")
    with pytest.raises((JoserfcError, ValueError)):
        joserfc_verify(changed, key, algorithm)


@crypto_settings
@given(payload=payloads, pair=pairs, data=st.data())
def test_any_byte_changed_in_any_part_is_refused(
    payload: bytes, pair: tuple[JwkCurve, JwsAlgorithm], data: st.DataObject
) -> None:
    curve, algorithm = pair
    key = KEYS[curve]
    parts = [unb64url(part) for part in sign_jws(payload, key, algorithm=algorithm).split(".")]
    which = data.draw(st.sampled_from([i for i, part in enumerate(parts) if part]), label="part")
    index = data.draw(st.integers(0, len(parts[which]) - 1), label="index")
    mask = data.draw(st.integers(1, 255), label="mask")
    changed = bytearray(parts[which])
    changed[index] ^= mask
    parts[which] = bytes(changed)
    token = ".".join(b64url(part) for part in parts)

    caught = refusal(token, ALL_PUBLIC, ALL_ALGORITHMS)

    if which > 0:
        assert caught.reason == "bad_signature"


@crypto_settings
@given(payload=payloads, pair=pairs, data=st.data())
def test_a_truncated_signature_is_a_bad_signature(
    payload: bytes, pair: tuple[JwkCurve, JwsAlgorithm], data: st.DataObject
) -> None:
    curve, algorithm = pair
    key = KEYS[curve]
    token = sign_jws(payload, key, algorithm=algorithm)
    cut = data.draw(st.integers(1, 86), label="characters cut")

    assert refusal(token[:-cut], key.public(), [algorithm]).reason == "bad_signature"


@crypto_settings
@given(payload=payloads, pair=pairs)
def test_a_token_checked_with_another_key_of_its_curve_is_refused(
    payload: bytes, pair: tuple[JwkCurve, JwsAlgorithm]
) -> None:
    curve, algorithm = pair
    token = sign_jws(payload, KEYS[curve], algorithm=algorithm, include_kid=False)
    stranger = generate_jwk(curve).public()

    assert refusal(token, stranger, [algorithm]).reason == "bad_signature"
    with pytest.raises(JoserfcError):
        joserfc_verify(token, stranger, algorithm)


@crypto_settings
@given(payload=payloads)
def test_a_signature_under_a_header_naming_another_algorithm_is_refused(payload: bytes) -> None:
    # An ES256 signature presented as EdDSA, and an Ed25519 one presented as ES256.
    for signer, claimed, other in (("P-256", "EdDSA", "ES256"), ("Ed25519", "ES256", "EdDSA")):
        key = KEYS[signer]
        genuine = sign_jws(payload, key, algorithm=other, include_kid=False)  # type: ignore[arg-type]
        header = b64url(json.dumps({"alg": claimed}, separators=(",", ":")).encode())
        _, body, signature = genuine.split(".")
        forged = f"{header}.{body}.{signature}"

        assert refusal(forged, key.public(), [claimed]).reason == "key"  # type: ignore[list-item]
        assert refusal(forged, ALL_PUBLIC, ALL_ALGORITHMS).reason == "bad_signature"


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "PS256", "ES384", "ES256K", "none"])
def test_a_token_joserfc_signs_with_an_algorithm_not_supported_here_is_refused(
    algorithm: str,
) -> None:
    keys: dict[str, Any] = {
        "HS256": OctKey.import_key(json.dumps(KEYS["Ed25519"].to_dict()).encode()),
        "RS256": RSAKey.generate_key(2048),
        "PS256": RSAKey.generate_key(2048),
        "ES384": ECKey.generate_key("P-384"),
        "ES256K": ECKey.generate_key("secp256k1"),
        "none": None,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = joserfc_jws.serialize_compact(
            {"alg": algorithm}, b'{"sub":"admin"}', keys[algorithm], algorithms=[algorithm]
        )

    caught = refusal(token, ALL_PUBLIC, ALL_ALGORITHMS)

    assert caught.reason == "algorithm"


# --- the ES256 signature's integers -------------------------------------------------------------


def es256_parts(payload: bytes) -> tuple[str, int, int]:
    header, body, signature_part = sign_jws(payload, KEYS["P-256"]).split(".")
    signature = unb64url(signature_part)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    return f"{header}.{body}", r, s


def es256_token(signing_input: str, r: int, s: int) -> str:
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@crypto_settings
@given(payload=payloads)
def test_a_high_s_es256_signature_is_accepted_as_joserfc_accepts_it(payload: bytes) -> None:
    # ECDSA's (R, n - S) is as valid as (R, S); RFC 7518 does not ask for low S (see _verify).
    signing_input, r, s = es256_parts(payload)
    mirrored = es256_token(signing_input, r, P256_ORDER - s)

    assert verify_jws(mirrored, KEYS["P-256"].public(), algorithms=["ES256"]).payload == payload
    assert joserfc_verify(mirrored, KEYS["P-256"], "ES256").payload == payload


@pytest.mark.parametrize(
    "change",
    [
        lambda r, s: (0, s),
        lambda r, s: (r, 0),
        lambda r, s: (0, 0),
        lambda r, s: (P256_ORDER, s),
        lambda r, s: (r, P256_ORDER),
        lambda r, s: (r, P256_ORDER + 1),
        lambda r, s: (2**256 - 1, 2**256 - 1),
    ],
    ids=["r zero", "s zero", "both zero", "r is n", "s is n", "s past n", "all ones"],
)
def test_es256_integers_of_zero_or_past_the_group_order_are_a_bad_signature(change: Any) -> None:
    signing_input, r, s = es256_parts(b"pay 100")

    token = es256_token(signing_input, *change(r, s))

    assert refusal(token, KEYS["P-256"].public(), ["ES256"]).reason == "bad_signature"


ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493


@crypto_settings
@given(payload=payloads)
def test_an_ed25519_signature_whose_s_is_past_the_group_order_is_refused(payload: bytes) -> None:
    # RFC 8032 section 5.1.7: S must be below L, so an Ed25519 signature has one spelling.
    key = KEYS["Ed25519"]
    signing_input, signature_part = sign_jws(payload, key).rsplit(".", 1)
    signature = unb64url(signature_part)
    s = int.from_bytes(signature[32:], "little")
    respelled = signature[:32] + (s + ED25519_ORDER).to_bytes(32, "little")
    token = f"{signing_input}.{b64url(respelled)}"

    assert refusal(token, key.public(), ["EdDSA"]).reason == "bad_signature"
    with pytest.raises(JoserfcError):
        joserfc_verify(token, key, "EdDSA")


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("length", [0, 1, 32, 63, 65, 96, 128, 700])
def test_a_signature_of_the_wrong_length_is_a_bad_signature(curve: JwkCurve, length: int) -> None:
    key = KEYS[curve]
    signing_input = sign_jws(b"pay 100", key).rsplit(".", 1)[0]
    genuine = unb64url(sign_jws(b"pay 100", key).rsplit(".", 1)[1])
    signature = (genuine * 12)[:length]

    token = f"{signing_input}.{b64url(signature)}"

    assert refusal(token, key.public(), [key.default_algorithm]).reason == "bad_signature"


@pytest.mark.parametrize("curve", CURVES)
def test_a_second_spelling_of_a_signature_is_refused(curve: JwkCurve) -> None:
    key = KEYS[curve]
    token = sign_jws(b"pay 100", key)
    # 64 bytes take 86 characters, the last carrying 4 unused bits: setting one respells it.
    last = token[-1]
    respelled = token[:-1] + BASE64URL[BASE64URL.index(last) + 1]

    assert unb64url(respelled.rsplit(".", 1)[1]) == unb64url(token.rsplit(".", 1)[1])
    assert refusal(respelled, key.public(), [key.default_algorithm]).reason == "bad_signature"
    with pytest.raises(JoserfcError):
        joserfc_verify(respelled, key, key.default_algorithm)


# --- joserfc's own checks, kept with its words ------------------------------------------------


def header_with(member: str, value: object) -> dict[str, object]:
    return {"alg": "EdDSA", member: value}


@pytest.mark.parametrize(
    ("header", "payload", "signature"),
    [
        (header_with("pad", "a" * 400), b"x", b"s" * 64),
        ({"alg": "EdDSA"}, b"a" * 96_001, b"s" * 64),
        ({"alg": "EdDSA"}, b"x", b"s" * 769),
        (header_with("jku", "ftp://keys.example"), b"x", b"s" * 64),
        (header_with("jku", 7), b"x", b"s" * 64),
        (header_with("jwk", "not a key"), b"x", b"s" * 64),
        (header_with("x5u", "keys.example"), b"x", b"s" * 64),
        (header_with("x5c", "not a list"), b"x", b"s" * 64),
        (header_with("x5c", [1]), b"x", b"s" * 64),
        (header_with("x5t", 1), b"x", b"s" * 64),
        (header_with("x5t#S256", 1), b"x", b"s" * 64),
        (header_with("typ", 7), b"x", b"s" * 64),
        (header_with("cty", ["a"]), b"x", b"s" * 64),
    ],
    ids=[
        "header too large",
        "payload too large",
        "signature too large",
        "jku not https",
        "jku not a string",
        "jwk not an object",
        "x5u not a URL",
        "x5c not a list",
        "x5c not strings",
        "x5t not a string",
        "x5t#S256 not a string",
        "typ not a string",
        "cty not a string",
    ],
)
def test_a_token_joserfc_refused_as_unreadable_is_refused_with_its_words(
    header: dict[str, object], payload: bytes, signature: bytes
) -> None:
    token = f"{b64url(json.dumps(header).encode())}.{b64url(payload)}.{b64url(signature)}"
    with pytest.raises(JoserfcError) as joserfc_refusal:
        joserfc_verify(token, KEYS["Ed25519"], "EdDSA")

    caught = refusal(token, KEYS["Ed25519"].public(), ["EdDSA"])

    assert caught.reason == "malformed"
    assert caught.detail == f"the JWS cannot be read ({joserfc_refusal.value})"


@pytest.mark.parametrize("twist", [1, 2])
def test_a_payload_that_is_not_canonical_base64url_is_refused_as_unreadable(twist: int) -> None:
    key = KEYS["Ed25519"]
    header, body, signature = sign_jws(b"hello", key).split(".")
    respelled = body[:-1] + BASE64URL[BASE64URL.index(body[-1]) + twist]

    caught = refusal(f"{header}.{respelled}.{signature}", key.public(), ["EdDSA"])

    assert caught.reason == "malformed"
    assert caught.detail == "the JWS cannot be read (decode_error: Invalid payload)"


@pytest.mark.parametrize("member", ["jku", "x5u"])
def test_signing_with_a_header_member_of_the_wrong_type_is_refused_with_joserfcs_words(
    member: str,
) -> None:
    with pytest.raises(JoseError) as caught:
        sign_jws(b"x", KEYS["P-256"], headers={member: "ftp://keys.example"})

    assert caught.value.reason == "key"
    assert caught.value.detail == (
        f"cannot sign with this key (invalid_header_value: '{member}' in header must be a URL)"
    )


def test_a_key_whose_key_ops_forbid_the_operation_is_refused() -> None:
    private = {**KEYS["Ed25519"].to_dict(private=True), "key_ops": ["verify"]}
    public = {**KEYS["Ed25519"].to_dict(), "key_ops": ["sign"]}
    token = sign_jws(b"x", KEYS["Ed25519"])

    with pytest.raises(JoseError) as signing:
        sign_jws(b"x", import_jwk(private))
    verifying = refusal(token, import_jwk(public), ["EdDSA"])

    assert signing.value.reason == "key"
    assert signing.value.detail == (
        "cannot sign with this key (unsupported_key_operation: Unsupported key_op 'sign')"
    )
    assert verifying.reason == "malformed"
    assert verifying.detail == (
        "the JWS cannot be read (unsupported_key_operation: Unsupported key_op 'verify')"
    )


# --- what a key keeps ---------------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_a_key_builds_its_cryptography_objects_once(curve: JwkCurve) -> None:
    key = generate_jwk(curve)

    assert key.signing_key() is key.signing_key()
    assert key.verifying_key() is key.verifying_key()
    assert key.public().verifying_key() is not key.verifying_key()
    with pytest.raises(ValueError, match="private"):
        key.public().signing_key()


def test_a_key_from_the_keys_module_signs_what_joserfc_verifies() -> None:
    from comptoir.kernel.crypto import jwk_from_key

    key = jwk_from_key(Ed25519PrivateKey.generate())
    token = sign_jws(b"from keys", key)

    assert joserfc_verify(token, key, "EdDSA").payload == b"from keys"


@pytest.mark.parametrize("what", ["header", "claims"])
def test_a_header_or_claims_nested_deeper_than_the_parser_goes_are_malformed(what: str) -> None:
    from comptoir.kernel.crypto.compact import json_object

    with pytest.raises(JoseError) as refused:
        json_object(b"[" * 100_000 + b"]" * 100_000, what=what)

    assert refused.value.reason == "malformed"
    assert refused.value.detail == f"the {what} are not JSON"


def test_a_jwk_text_nested_deeper_than_the_parser_goes_is_malformed() -> None:
    with pytest.raises(JoseError, match="not JSON"):
        import_jwk("[" * 100_000 + "]" * 100_000)


@settings(max_examples=400)
@given(st.text(alphabet=BASE64URL, max_size=12).filter(lambda text: len(text) % 4 != 1))
def test_a_base64url_part_is_read_exactly_when_it_is_the_encoding_of_what_it_decodes_to(
    segment: str,
) -> None:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    canonical = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") == segment

    if canonical:
        assert base64url_decode(segment) == raw
    else:
        with pytest.raises(JoseError, match="not canonical base64url"):
            base64url_decode(segment)


def test_a_header_read_again_is_a_new_dict_that_changes_nothing_for_the_next_reader() -> None:
    token = sign_jws(b"{}", KEYS["P-256"], typ="JWT")

    first = protected_header(token)
    first["alg"] = "none"
    first["extra"] = True

    assert protected_header(token) == {"alg": "ES256", "typ": "JWT", "kid": KEYS["P-256"].kid}
    assert verify_jws(token, KEYS["P-256"].public(), algorithms=["ES256"]).payload == b"{}"


def test_a_header_holding_a_key_read_again_shares_no_member_with_the_last_reader() -> None:
    key = KEYS["P-256"]
    token = sign_jws(b"{}", key, headers={"jwk": key.public().to_dict()}, include_kid=False)

    first = protected_header(token)
    nested = first["jwk"]
    assert isinstance(nested, dict)
    nested["x"] = "changed"

    assert protected_header(token)["jwk"] == key.public().to_dict()


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "", "e30"])
def test_a_token_without_three_parts_has_no_header(token: str) -> None:
    with pytest.raises(JoseError, match="three dot-separated parts"):
        protected_header(token)


def test_a_header_nested_deeper_than_a_key_reads_the_same_every_time() -> None:
    header = {"alg": "ES256", "deep": {"a": {"b": [1]}}, "list": [{"c": 1}]}
    segment = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    token = f"{segment}.e30.sig"

    first = protected_header(token)
    first["deep"]["a"]["b"].append(2)  # type: ignore[index]

    assert protected_header(token) == header
