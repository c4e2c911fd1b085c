"""JWK, compact JWS and JWT: round trips, RFC test vectors, and every refusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import (
    DEFAULT_LEEWAY_SECONDS,
    JoseError,
    Jwk,
    JwkCurve,
    JwsAlgorithm,
    find_jwk,
    generate_jwk,
    generate_private_key,
    import_jwk,
    import_jwks,
    issue_jwt,
    jwk_from_key,
    jwks_document,
    sign_jws,
    verify_jws,
    verify_jwt,
)

# RFC 8037 appendix A.1 (the Ed25519 private key), A.3 (its thumbprint), A.4 (a signature).
RFC_8037_PRIVATE_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC_8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC_8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
ISSUER = "https://identity.example.gov"
AUDIENCE = "https://buyer.example.org"
CURVES: tuple[JwkCurve, ...] = get_args(JwkCurve)
ALGORITHMS_BY_CURVE: dict[JwkCurve, tuple[JwsAlgorithm, ...]] = {
    "P-256": ("ES256",),
    "Ed25519": ("EdDSA", "Ed25519"),
}
KEYS = {curve: generate_jwk(curve) for curve in CURVES}

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
claim_sets = st.dictionaries(
    st.text(max_size=12).filter(lambda name: name not in {"iat", "exp", "nbf", "iss", "aud"}),
    json_values,
    max_size=6,
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def handmade_token(header: dict[str, object], payload: bytes, signature: bytes = b"") -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(payload)}.{b64url(signature)}"


def jwt_for(key: Jwk, clock: FrozenClock, **overrides: object) -> str:
    claims = {"sub": "person-1", **overrides}
    return issue_jwt(claims, key, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=300, clock=clock)


def verified_reason(token: str, key: Jwk, clock: FrozenClock, **options: object) -> str:
    arguments: dict[str, object] = {
        "algorithms": [key.default_algorithm],
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "clock": clock,
        **options,
    }
    with pytest.raises(JoseError) as caught:
        verify_jwt(token, key.public(), **arguments)  # type: ignore[arg-type]
    return caught.value.reason


# --- keys -----------------------------------------------------------------------------------


def test_the_thumbprint_matches_rfc_8037_appendix_a3() -> None:
    key = import_jwk(RFC_8037_PRIVATE_JWK)

    assert key.thumbprint() == RFC_8037_THUMBPRINT
    assert key.public().thumbprint() == RFC_8037_THUMBPRINT
    assert key.kid == RFC_8037_THUMBPRINT


@pytest.mark.parametrize("curve", CURVES)
def test_a_generated_key_is_named_by_its_thumbprint_unless_given_a_kid(curve: JwkCurve) -> None:
    key = generate_jwk(curve)

    assert key.kid == key.thumbprint()
    assert generate_jwk(curve, kid="2026-03").kid == "2026-03"


@pytest.mark.parametrize("curve", CURVES)
def test_the_public_export_has_no_private_part(curve: JwkCurve) -> None:
    key = KEYS[curve]

    public = key.public()

    assert key.is_private
    assert "d" in key.to_dict(private=True)
    assert "d" not in key.to_dict()
    assert not public.is_private
    assert "d" not in public.to_dict()
    assert public.thumbprint() == key.thumbprint()
    with pytest.raises(ValueError, match="private"):
        public.to_dict(private=True)


@pytest.mark.parametrize("curve", CURVES)
def test_a_private_jwk_round_trips_through_its_members_and_json(curve: JwkCurve) -> None:
    key = KEYS[curve]

    assert import_jwk(key.to_dict(private=True)) == key
    assert import_jwk(json.dumps(key.to_dict(private=True))) == key
    assert import_jwk(key.to_dict()) == key.public()


def test_the_repr_of_a_key_never_shows_its_private_part() -> None:
    key = KEYS["Ed25519"]
    private_member = key.to_dict(private=True)["d"]

    assert isinstance(private_member, str)
    assert private_member not in repr(key)
    assert "private" in repr(key)


@pytest.mark.parametrize(
    "members",
    [
        {"kty": "RSA", "n": "sXch", "e": "AQAB"},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "OKP", "crv": "Ed25519", "x": 12},
        {**RFC_8037_PRIVATE_JWK, "x": KEYS["Ed25519"].to_dict()["x"]},
        {**KEYS["P-256"].to_dict(private=True), "x": KEYS["P-256"].to_dict()["y"]},
    ],
)
def test_it_refuses_jwks_that_are_not_sound_p256_or_ed25519_keys(
    members: dict[str, object],
) -> None:
    with pytest.raises(JoseError) as caught:
        import_jwk(members)

    assert caught.value.reason == "key"


def test_it_ignores_unregistered_members_such_as_webcrypto_ext() -> None:
    members = {**KEYS["P-256"].to_dict(), "ext": True}

    assert import_jwk(members) == KEYS["P-256"].public()


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '"a string"'])
def test_it_refuses_jwk_text_that_is_not_a_json_object(text: str) -> None:
    with pytest.raises(JoseError) as caught:
        import_jwk(text)

    assert caught.value.reason == "malformed"


def test_it_wraps_keys_from_the_keys_module() -> None:
    signing = generate_private_key("ed25519")
    p256 = generate_private_key("p256")
    assert isinstance(signing, Ed25519PrivateKey)
    assert isinstance(p256, ec.EllipticCurvePrivateKey)

    assert jwk_from_key(signing).curve == "Ed25519"
    assert jwk_from_key(signing).thumbprint() == jwk_from_key(signing.public_key()).thumbprint()
    assert jwk_from_key(p256, kid="es").kid == "es"
    assert not jwk_from_key(p256.public_key()).is_private
    with pytest.raises(JoseError):
        jwk_from_key(ec.generate_private_key(ec.SECP384R1()))


def test_a_jwks_document_publishes_only_public_parts_and_finds_keys_by_kid() -> None:
    document = jwks_document([KEYS["P-256"], KEYS["Ed25519"]])

    assert all("d" not in member for member in document["keys"])
    keys = import_jwks(json.dumps(document))
    assert find_jwk(keys, KEYS["Ed25519"].kid) == KEYS["Ed25519"].public()
    assert find_jwk(keys, KEYS["P-256"].kid) == KEYS["P-256"].public()
    with pytest.raises(JoseError) as caught:
        find_jwk(keys, "unknown")
    assert caught.value.reason == "key"


def test_a_jwks_document_refuses_two_keys_with_one_kid() -> None:
    with pytest.raises(ValueError, match="kid"):
        jwks_document([generate_jwk("P-256", kid="a"), generate_jwk("Ed25519", kid="a")])


def test_reading_a_jwk_set_skips_key_types_it_does_not_use() -> None:
    document = {
        "keys": [
            {"kty": "RSA", "n": "sXch", "e": "AQAB", "kid": "rsa"},
            {"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
            KEYS["Ed25519"].to_dict(),
        ]
    }

    assert import_jwks(document) == (KEYS["Ed25519"].public(),)


@pytest.mark.parametrize("document", [{}, {"keys": "none"}, {"keys": ["x"]}])
def test_reading_a_malformed_jwk_set_fails(document: dict[str, object]) -> None:
    with pytest.raises(JoseError) as caught:
        import_jwks(document)

    assert caught.value.reason == "malformed"


# --- JWS ------------------------------------------------------------------------------------


def test_it_signs_exactly_as_rfc_8037_appendix_a4_and_verifies_that_signature() -> None:
    key = import_jwk(RFC_8037_PRIVATE_JWK)

    token = sign_jws(b"Example of Ed25519 signing", key, include_kid=False)
    verified = verify_jws(RFC_8037_JWS, key.public(), algorithms=["EdDSA"])

    assert token == RFC_8037_JWS
    assert verified.payload == b"Example of Ed25519 signing"
    assert verified.header == {"alg": "EdDSA"}


@given(
    payload=st.binary(max_size=2048),
    curve=st.sampled_from(CURVES),
    data=st.data(),
)
def test_any_payload_signed_then_verified_comes_back_unchanged(
    payload: bytes, curve: JwkCurve, data: st.DataObject
) -> None:
    key = KEYS[curve]
    algorithm = data.draw(st.sampled_from(ALGORITHMS_BY_CURVE[curve]))

    token = sign_jws(payload, key, algorithm=algorithm, typ="example+jws")
    verified = verify_jws(
        token,
        [KEYS["P-256"].public(), KEYS["Ed25519"].public()],
        algorithms=["ES256", "EdDSA", "Ed25519"],
        typ="example+jws",
    )

    assert verified.payload == payload
    assert verified.header["alg"] == algorithm
    assert verified.key == key.public()


def test_a_tampered_payload_is_refused() -> None:
    key = KEYS["Ed25519"]
    header, _, signature = sign_jws(b'{"amount":100}', key).split(".")

    forged_payload = b64url(b'{"amount":900}')
    tampered = f"{header}.{forged_payload}.{signature}"

    with pytest.raises(JoseError) as caught:
        verify_jws(tampered, key.public(), algorithms=["EdDSA"])
    assert caught.value.reason == "bad_signature"


def test_a_signature_by_another_key_is_refused() -> None:
    token = sign_jws(b"x", generate_jwk("Ed25519", kid="same"))

    with pytest.raises(JoseError) as caught:
        verify_jws(token, generate_jwk("Ed25519", kid="same").public(), algorithms=["EdDSA"])

    assert caught.value.reason == "bad_signature"


def test_an_unknown_kid_is_refused_as_an_unknown_key() -> None:
    token = sign_jws(b"x", generate_jwk("Ed25519", kid="stranger"))

    with pytest.raises(JoseError) as caught:
        verify_jws(token, KEYS["Ed25519"].public(), algorithms=["EdDSA"])

    assert caught.value.reason == "key"


def test_a_token_without_kid_is_tried_against_each_usable_key() -> None:
    token = sign_jws(b"x", KEYS["Ed25519"], include_kid=False)

    verified = verify_jws(
        token, [generate_jwk("Ed25519").public(), KEYS["Ed25519"].public()], algorithms=["EdDSA"]
    )

    assert verified.key == KEYS["Ed25519"].public()


@pytest.mark.parametrize(
    ("algorithm", "allowed"),
    [("ES256", ["EdDSA"]), ("EdDSA", ["ES256"]), ("EdDSA", ["Ed25519"]), ("Ed25519", ["EdDSA"])],
)
def test_an_algorithm_the_caller_did_not_allow_is_refused(
    algorithm: JwsAlgorithm, allowed: list[JwsAlgorithm]
) -> None:
    key = KEYS["P-256"] if algorithm == "ES256" else KEYS["Ed25519"]
    token = sign_jws(b"x", key, algorithm=algorithm)

    with pytest.raises(JoseError) as caught:
        verify_jws(token, [KEYS["P-256"].public(), KEYS["Ed25519"].public()], algorithms=allowed)

    assert caught.value.reason == "algorithm"


@pytest.mark.parametrize("algorithm", ["none", "None", "NONE"])
def test_an_unsigned_token_is_refused_whatever_the_caller_allows(algorithm: str) -> None:
    token = handmade_token({"alg": algorithm}, b'{"sub":"admin"}')

    with pytest.raises(JoseError) as caught:
        verify_jws(token, KEYS["Ed25519"].public(), algorithms=["EdDSA", "ES256"])

    assert caught.value.reason == "algorithm"


def test_an_hmac_token_keyed_with_the_public_key_is_refused() -> None:
    # The classic algorithm confusion: an attacker uses the published key as an HMAC secret.
    public = json.dumps(KEYS["Ed25519"].to_dict()).encode()
    header = b64url(json.dumps({"alg": "HS256"}).encode())
    payload = b64url(b'{"sub":"admin"}')
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    with pytest.raises(JoseError) as caught:
        verify_jws(
            f"{header}.{payload}.{b64url(mac)}", KEYS["Ed25519"].public(), algorithms=["EdDSA"]
        )

    assert caught.value.reason == "algorithm"


@pytest.mark.parametrize("allowed", [[], ["none"], ["HS256"], ["RS256", "EdDSA"]])
def test_the_allow_list_cannot_be_empty_or_name_unsupported_algorithms(allowed: list[str]) -> None:
    token = sign_jws(b"x", KEYS["Ed25519"])

    with pytest.raises(ValueError, match="algorithm"):
        verify_jws(token, KEYS["Ed25519"].public(), algorithms=allowed)  # type: ignore[arg-type]


def test_a_key_cannot_sign_with_an_algorithm_of_another_curve() -> None:
    with pytest.raises(ValueError, match="cannot sign"):
        sign_jws(b"x", KEYS["P-256"], algorithm="EdDSA")
    with pytest.raises(ValueError, match="private"):
        sign_jws(b"x", KEYS["P-256"].public())


def test_a_key_declared_for_one_algorithm_is_not_used_for_another() -> None:
    members = {**KEYS["Ed25519"].to_dict(), "alg": "Ed25519"}
    token = sign_jws(b"x", KEYS["Ed25519"], algorithm="EdDSA")

    with pytest.raises(JoseError) as caught:
        verify_jws(token, import_jwk(members), algorithms=["EdDSA"])

    assert caught.value.reason == "key"


DUPLICATED_ALG_HEADER = b64url(b'{"alg":"EdDSA","alg":"ES256"}')
NUMERIC_KID_HEADER = b64url(b'{"alg":"EdDSA","kid":7}')


@pytest.mark.parametrize(
    "token",
    [
        "",
        "only.two",
        "a.b.c.d",
        "!!!.e30.AA",
        f"{b64url(b'not json')}.e30.AA",
        f"{b64url(b'[1]')}.e30.AA",
        f"{b64url(bytes([0xFF, 0xFE]))}.e30.AA",
        f"{DUPLICATED_ALG_HEADER}.e30.AA",
        "eyJhbGciOiJFZERTQSJ9=.e30.AA",
        f"{b64url(b'{}')}.e30.AA",
        f"{NUMERIC_KID_HEADER}.e30.AA",
    ],
)
def test_a_malformed_token_is_refused_as_malformed(token: str) -> None:
    with pytest.raises(JoseError) as caught:
        verify_jws(token, KEYS["Ed25519"].public(), algorithms=["EdDSA"])

    assert caught.value.reason == "malformed"


def test_a_signature_part_that_is_not_a_signature_is_a_bad_signature() -> None:
    header = b64url(b'{"alg":"EdDSA"}')

    for signature in ("", "A", "AA", b64url(bytes(64))):
        with pytest.raises(JoseError) as caught:
            verify_jws(f"{header}.e30.{signature}", KEYS["Ed25519"].public(), algorithms=["EdDSA"])
        assert caught.value.reason == "bad_signature"


def test_a_non_canonical_header_encoding_is_refused() -> None:
    header = b64url(b'{"alg":"EdDSA"}')
    # The last character of a base64url segment can carry unused low bits; setting them
    # gives a second spelling of the same header, which a strict decoder must refuse.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twisted = header[:-1] + alphabet[alphabet.index(header[-1]) + 1]

    with pytest.raises(JoseError) as caught:
        verify_jws(f"{twisted}.e30.AA", KEYS["Ed25519"].public(), algorithms=["EdDSA"])

    assert caught.value.reason == "malformed"


def test_a_header_with_critical_extensions_is_refused() -> None:
    token = handmade_token({"alg": "EdDSA", "crit": ["b64"], "b64": False}, b"x", bytes(64))

    with pytest.raises(JoseError) as caught:
        verify_jws(token, KEYS["Ed25519"].public(), algorithms=["EdDSA"])

    assert caught.value.reason == "malformed"


def test_sign_jws_keeps_control_of_alg_typ_and_kid() -> None:
    for member in ("alg", "typ", "kid", "crit"):
        with pytest.raises(ValueError, match=member):
            sign_jws(b"x", KEYS["Ed25519"], headers={member: "x"})


def test_extra_protected_headers_such_as_a_dpop_jwk_are_signed() -> None:
    key = KEYS["P-256"]

    token = sign_jws(
        b"{}", key, typ="dpop+jwt", headers={"jwk": key.public().to_dict()}, include_kid=False
    )
    verified = verify_jws(token, key.public(), algorithms=["ES256"], typ="dpop+jwt")

    assert verified.header["jwk"] == key.public().to_dict()
    assert "kid" not in verified.header


# --- JWT ------------------------------------------------------------------------------------


@given(claims=claim_sets, curve=st.sampled_from(CURVES), data=st.data())
def test_any_claims_issued_then_verified_come_back_with_the_registered_claims(
    claims: dict[str, object], curve: JwkCurve, data: st.DataObject
) -> None:
    key = KEYS[curve]
    algorithm = data.draw(st.sampled_from(ALGORITHMS_BY_CURVE[curve]))
    clock = FrozenClock(START)

    token = issue_jwt(
        claims, key, issuer=ISSUER, audience=AUDIENCE, algorithm=algorithm, clock=clock
    )
    clock.advance(timedelta(seconds=299))
    verified = verify_jwt(
        token,
        key.public(),
        algorithms=[algorithm],
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
    )

    now = int(START.timestamp())
    assert verified.claims == {
        **claims,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
    }
    assert verified.header["typ"] == "JWT"


@pytest.mark.parametrize("curve", CURVES)
def test_an_expired_jwt_is_refused(curve: JwkCurve) -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS[curve], clock)

    clock.advance(timedelta(seconds=300 + DEFAULT_LEEWAY_SECONDS))

    assert verified_reason(token, KEYS[curve], clock) == "expired"


def test_a_jwt_just_past_its_expiry_is_forgiven_within_the_leeway() -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["P-256"], clock)
    clock.advance(timedelta(seconds=300 + DEFAULT_LEEWAY_SECONDS - 1))

    verified = verify_jwt(
        token,
        KEYS["P-256"].public(),
        algorithms=["ES256"],
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
    )

    assert verified.claims["sub"] == "person-1"


@pytest.mark.parametrize("curve", CURVES)
def test_a_jwt_before_its_not_before_time_is_refused(curve: JwkCurve) -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS[curve], clock, nbf=int(START.timestamp()) + 120)

    assert verified_reason(token, KEYS[curve], clock) == "not_yet_valid"
    clock.advance(timedelta(seconds=120))
    assert verify_jwt(
        token,
        KEYS[curve].public(),
        algorithms=[KEYS[curve].default_algorithm],
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
    )


def test_a_jwt_issued_in_the_future_is_refused() -> None:
    clock = FrozenClock(START + timedelta(minutes=2))
    token = jwt_for(KEYS["Ed25519"], clock)

    assert verified_reason(token, KEYS["Ed25519"], FrozenClock(START)) == "not_yet_valid"


def test_a_jwt_for_another_audience_is_refused() -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["Ed25519"], clock)

    assert verified_reason(token, KEYS["Ed25519"], clock, audience="https://other.example") == (
        "audience"
    )


def test_a_jwt_naming_an_audience_is_refused_when_the_caller_names_none() -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["Ed25519"], clock)

    assert verified_reason(token, KEYS["Ed25519"], clock, audience=None) == "audience"


def test_a_jwt_without_an_audience_is_refused_when_one_is_expected() -> None:
    clock = FrozenClock(START)
    token = issue_jwt({}, KEYS["Ed25519"], issuer=ISSUER, clock=clock)

    assert verified_reason(token, KEYS["Ed25519"], clock) == "audience"


def test_an_audience_array_containing_the_caller_is_accepted() -> None:
    clock = FrozenClock(START)
    token = issue_jwt(
        {}, KEYS["Ed25519"], issuer=ISSUER, audience=["https://a.example", AUDIENCE], clock=clock
    )

    assert verify_jwt(
        token,
        KEYS["Ed25519"].public(),
        algorithms=["EdDSA"],
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
    )


def test_a_jwt_from_another_issuer_is_refused() -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["P-256"], clock)

    assert verified_reason(token, KEYS["P-256"], clock, issuer="https://evil.example") == "issuer"


def test_a_jwt_signed_with_an_algorithm_not_allowed_is_refused() -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["Ed25519"], clock)

    assert verified_reason(token, KEYS["Ed25519"], clock, algorithms=["Ed25519"]) == "algorithm"


def test_a_jwt_with_a_tampered_payload_is_refused() -> None:
    clock = FrozenClock(START)
    header, payload, signature = jwt_for(KEYS["P-256"], clock).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "person-2"

    tampered = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"

    assert verified_reason(tampered, KEYS["P-256"], clock) == "bad_signature"


def test_a_jwt_without_expiry_is_refused_unless_the_caller_allows_it() -> None:
    clock = FrozenClock(START)
    token = issue_jwt(
        {}, KEYS["Ed25519"], issuer=ISSUER, audience=AUDIENCE, ttl_seconds=None, clock=clock
    )

    assert verified_reason(token, KEYS["Ed25519"], clock) == "claim"
    assert verify_jwt(
        token,
        KEYS["Ed25519"].public(),
        algorithms=["EdDSA"],
        issuer=ISSUER,
        audience=AUDIENCE,
        require_expiry=False,
        clock=clock,
    )


@pytest.mark.parametrize("nbf", ["tomorrow", True, [1], {"at": 1}])
def test_a_time_claim_that_is_not_a_number_is_refused(nbf: object) -> None:
    clock = FrozenClock(START)
    token = jwt_for(KEYS["Ed25519"], clock, nbf=nbf)

    assert verified_reason(token, KEYS["Ed25519"], clock) == "claim"


@pytest.mark.parametrize(
    ("issued_typ", "expected_typ", "accepted"),
    [
        ("dpop+jwt", "dpop+jwt", True),
        ("application/dpop+jwt", "dpop+jwt", True),
        ("DPoP+JWT", "dpop+jwt", True),
        ("JWT", "dpop+jwt", False),
        (None, "dpop+jwt", False),
        ("kb+jwt", "dc+sd-jwt", False),
        (None, "JWT", True),
        ("dpop+jwt", "JWT", False),
        ("kb+jwt", None, True),
    ],
)
def test_the_typ_header_must_be_what_the_caller_expects(
    issued_typ: str | None, expected_typ: str | None, accepted: bool
) -> None:
    clock = FrozenClock(START)
    token = issue_jwt(
        {}, KEYS["Ed25519"], issuer=ISSUER, audience=AUDIENCE, typ=issued_typ, clock=clock
    )

    if accepted:
        assert verify_jwt(
            token,
            KEYS["Ed25519"].public(),
            algorithms=["EdDSA"],
            issuer=ISSUER,
            audience=AUDIENCE,
            typ=expected_typ,
            clock=clock,
        )
    else:
        assert verified_reason(token, KEYS["Ed25519"], clock, typ=expected_typ) == "type"


def test_issue_jwt_sets_the_times_itself() -> None:
    for claim in ("iat", "exp"):
        with pytest.raises(ValueError, match=claim):
            issue_jwt({claim: 1}, KEYS["Ed25519"])
    with pytest.raises(ValueError, match="iss"):
        issue_jwt({"iss": "a"}, KEYS["Ed25519"], issuer="b")


def test_a_jwt_whose_payload_is_not_a_json_object_is_refused() -> None:
    token = sign_jws(b"[1, 2, 3]", KEYS["Ed25519"])

    with pytest.raises(JoseError) as caught:
        verify_jwt(
            token, KEYS["Ed25519"].public(), algorithms=["EdDSA"], issuer=None, audience=None
        )

    assert caught.value.reason == "malformed"


def test_what_a_key_allows_is_the_same_each_time_it_is_asked() -> None:
    members = generate_jwk("P-256").public().to_dict()
    for_encryption = import_jwk({**members, "use": "enc"})
    limited = import_jwk({**generate_jwk("Ed25519").public().to_dict(), "alg": "Ed25519"})
    plain = import_jwk(members)

    for _ in range(2):
        assert not for_encryption.allows("ES256")
        assert plain.allows("ES256") and not plain.allows("EdDSA")
        assert limited.allows("Ed25519") and not limited.allows("EdDSA")
