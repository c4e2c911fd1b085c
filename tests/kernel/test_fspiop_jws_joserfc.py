"""The FSPIOP RS256/384/512 JWS, written and read by the kernel itself, checked against joserfc.

The signature module signs and verifies with `cryptography` directly; these properties hold it
to joserfc, which it used to go through: whatever one signs the other verifies, and a message
joserfc refused as unreadable is refused with the same words.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws as joserfc_jws
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry

from comptoir.kernel.fspiop import (
    FspiopError,
    generate_rsa_jwk,
    import_rsa_jwk,
    import_rsa_jwks,
    sign_message,
    verify_message,
)

PRIVATE, JWKS = generate_rsa_jwk(kid="fsp-1")
# A key without a declared alg, so that every algorithm of the Signature document may be used.
ANY_ALGORITHM = {name: value for name, value in PRIVATE.items() if name != "alg"}
KEY = import_rsa_jwk(ANY_ALGORITHM)
PUBLIC_KEYS = import_rsa_jwks(
    {"keys": [{name: value for name, value in JWKS["keys"][0].items() if name != "alg"}]}
)
REQUEST: dict[str, Any] = {
    "uri": "/transfers",
    "method": "POST",
    "source": "payerfsp",
    "destination": "payeefsp",
    "date": "Sun, 29 Nov 2026 06:00:00 GMT",
}
ALGORITHMS = ("RS256", "RS384", "RS512")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def protected_for(algorithm: str, **more: object) -> dict[str, object]:
    return {
        "alg": algorithm,
        "FSPIOP-Destination": REQUEST["destination"],
        "FSPIOP-URI": REQUEST["uri"],
        "FSPIOP-HTTP-Method": REQUEST["method"],
        "Date": REQUEST["date"],
        "FSPIOP-Source": REQUEST["source"],
        **more,
    }


def joserfc_signed(protected: dict[str, object], body: bytes) -> str:
    registry = JWSRegistry(algorithms=[str(protected["alg"])], strict_check_header=False)
    token = joserfc_jws.serialize_compact(
        protected, body, RSAKey.import_key(dict(ANY_ALGORITHM)), registry=registry
    )
    header, _, signature = token.split(".")
    return json.dumps({"signature": signature, "protectedHeader": header})


@settings(max_examples=30, deadline=None)
@given(body=st.binary(max_size=4096), algorithm=st.sampled_from(ALGORITHMS))
def test_every_fspiop_signature_made_here_is_verified_by_joserfc(
    body: bytes, algorithm: Any
) -> None:
    value = json.loads(sign_message(body=body, private_key=KEY, algorithm=algorithm, **REQUEST))
    token = f"{value['protectedHeader']}.{b64url(body)}.{value['signature']}"
    registry = JWSRegistry(algorithms=[algorithm], strict_check_header=False)

    verified = joserfc_jws.deserialize_compact(
        token, RSAKey.import_key(JWKS["keys"][0] | {"alg": algorithm}), registry=registry
    )

    assert verified.payload == body
    assert verified.headers() == protected_for(algorithm)


@settings(max_examples=30, deadline=None)
@given(body=st.binary(max_size=4096), algorithm=st.sampled_from(ALGORITHMS))
def test_every_fspiop_signature_joserfc_makes_is_verified_here(body: bytes, algorithm: str) -> None:
    value = joserfc_signed(protected_for(algorithm), body)

    verify_message(value, body=body, public_keys=PUBLIC_KEYS, **REQUEST)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_fspiop_signature_is_the_very_string_joserfc_writes(algorithm: Any) -> None:
    # RSASSA-PKCS1-v1_5 is deterministic, so the two must agree to the byte.
    body = b'{"transferId":"b51ec534-ee48-4575-b6a9-ead2955b8069"}'

    ours = sign_message(body=body, private_key=KEY, algorithm=algorithm, **REQUEST)

    assert json.loads(ours) == json.loads(joserfc_signed(protected_for(algorithm), body))


@pytest.mark.parametrize(
    ("protected", "body", "words"),
    [
        (
            protected_for("RS256", jku="ftp://keys.example"),
            b"{}",
            "invalid_header_value: 'jku' in header must be a URL",
        ),
        (
            protected_for("RS256", x5c="one"),
            b"{}",
            "invalid_header_value: 'x5c' in header must be a list[str]",
        ),
        (
            protected_for("RS256", pad="p" * 400),
            b"{}",
            "exceeded_size: Header size exceeds 512 bytes.",
        ),
        (
            protected_for("RS256"),
            b"a" * 96_001,
            "exceeded_size: Payload size exceeds 128000 bytes.",
        ),
    ],
    ids=["jku not https", "x5c not a list", "header too large", "body too large"],
)
def test_an_fspiop_signature_joserfc_could_not_read_is_refused_with_its_words(
    protected: dict[str, object], body: bytes, words: str
) -> None:
    # Signed by hand: joserfc itself refuses to write some of these.
    value = joserfc_signed(protected_for("RS256"), body)
    header = b64url(json.dumps(protected, separators=(",", ":")).encode())
    forged = json.dumps({"signature": json.loads(value)["signature"], "protectedHeader": header})

    with pytest.raises(FspiopError) as caught:
        verify_message(
            forged, body=body, public_keys=PUBLIC_KEYS, other_headers={"pad": "p" * 400}, **REQUEST
        )

    assert caught.value.code == "3105"
    assert caught.value.detail == f"the signature cannot be read ({words})"
