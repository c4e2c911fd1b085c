"""The FSPIOP JWS signature: the Signature document's own example, round trips over any body,
and a refusal (3105) for every way a signature can fail to cover the request it arrives with."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.jwk import RSAKey

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.fspiop import (
    MIN_RSA_BITS,
    FspiopError,
    RsaJwk,
    RsaKeyError,
    build_headers,
    fspiop_uri,
    generate_rsa_jwk,
    import_rsa_jwk,
    import_rsa_jwks,
    json_body,
    parse_request_headers,
    rsa_jwks_document,
    sign_headers,
    sign_message,
    verify_message,
)

# The FSPIOP "Signature" document, section 4: its RSA key (a JWK), the POST /quotes it signs,
# and the values it prints for that message.
SPEC_KEY = {
    "kty": "RSA",
    "n": (
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJ"
        "PMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0"
        "LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD"
        "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2"
        "PAcDTW9gb54h4FRWyuXpoQ"
    ),
    "e": "AQAB",
    "d": (
        "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9S"
        "E-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVd"
        "xzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQ"
        "UShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjn"
        "czT0QU91p1DhOVRuOopznQ"
    ),
    "p": (
        "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQT"
        "a9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV"
        "5z-y2XDwGUc"
    ),
    "q": (
        "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7"
        "C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rj"
        "cJIDEz9RWdc"
    ),
    "dp": (
        "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_P"
        "I7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1Xs"
        "mvkxHQAdYo0"
    ),
    "dq": (
        "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oK"
        "r6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTd"
        "lqvd0tIiTHU"
    ),
    "qi": (
        "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_"
        "QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0J"
        "KSHuLFkuQ3U"
    ),
}
SPEC_PROTECTED_HEADER = (
    "eyJhbGciOiJSUzI1NiIsIkZTUElPUC1EZXN0aW5hdGlvbiI6IjU2NzgiLCJGU1BJT1AtVVJJIjoiL3F1"
    "b3RlcyIsIkZTUElPUC1IVFRQLU1ldGhvZCI6IlBPU1QiLCJEYXRlIjoiVHVlLCAyMyBNYXkgMjAxNyAy"
    "MToxMjozMSBHTVQiLCJGU1BJT1AtU291cmNlIjoiMTIzNCJ9"
)
SPEC_PAYLOAD = (
    "eyJwYXllZSI6eyJwYXJ0eUlkSW5mbyI6eyJwYXJ0eUlkVHlwZSI6Ik1TSVNETiIsInBhcnR5SWRlbnRp"
    "ZmllciI6IjE1Mjk1NTU4ODg4IiwiZnNwSWQiOiI1Njc4In19LCJhbW91bnRUeXBlIjoiUkVDRUlWRSIs"
    "InRyYW5zYWN0aW9uVHlwZSI6eyJzY2VuYXJpbyI6IlRSQU5TRkVSIiwiaW5pdGlhdG9yIjoiUEFZRVIi"
    "LCJzdWJTY2VuYXJpbyI6IlAyUCBUcmFuc2ZlciBhY3Jvc3MgTU0gc3lzdGVtcyIsImluaXRpYXRvclR5"
    "cGUiOiJDT05TVU1FUiJ9LCJub3RlIjoidGhpcyBpcyBhIHNhbXBsZSBmb3IgUE9TVCAvcXVvdGVzIiwi"
    "YW1vdW50Ijp7ImFtb3VudCI6IjE1MCIsImN1cnJlbmN5IjoiVVNEIn0sImZlZXMiOnsiYW1vdW50Ijoi"
    "MS41IiwiY3VycmVuY3kiOiJVU0QifSwiZXh0ZW5zaW9uTGlzdCI6W3sidmFsdWUiOiJ2YWx1ZTEiLCJr"
    "ZXkiOiJrZXkxIn0seyJ2YWx1ZSI6InZhbHVlMiIsImtleSI6ImtleTIifSx7InZhbHVlIjoidmFsdWUz"
    "Iiwia2V5Ijoia2V5MyJ9XSwiZ2VvQ29kZSI6eyJsYXRpdHVkZSI6IjU3LjMyMzg4OSIsImxvbmdpdHVk"
    "ZSI6IjEyNS41MjAwMDEifSwiZXhwaXJhdGlvbiI6IjIwMTctMDUtMjRUMDg6NDA6MDAuMDAwLTA0OjAw"
    "IiwicGF5ZXIiOnsicGVyc29uYWxJbmZvIjp7ImNvbXBsZXhOYW1lIjp7ImZpcnN0TmFtZSI6IkJpbGwi"
    "LCJtaWRkbGVOYW1lIjoiQmVuIiwiTGFzdE5hbWUiOiJMZWUifSwiZGF0ZU9mQmlydGgiOiIxOTg2LTAy"
    "LTE0In0sInBhcnR5SWRJbmZvIjp7InBhcnR5SWRUeXBlIjoiTVNJU0ROIiwicGFydHlTdWJJZE9yVHlw"
    "ZSI6IlJlZ2lzdGVyZWRDdXN0b21lciIsInBhcnR5SWRlbnRpZmllciI6IjE2MTM1NTUxMjEyIiwiZnNw"
    "SWQiOiIxMjM0In0sIm5hbWUiOiJCaWxsIExlZSJ9LCJxdW90ZUlkIjoiNTllMzMxZmEtMzQ1Zi00NTU0"
    "LWFhYzgtZmNkODgzM2Y3ZDUwIiwidHJhbnNhY3Rpb25JZCI6IjM2NjI5YTUxLTM5M2EtNGUzYy1iMzQ3"
    "LWMyY2I1N2UxZTFmYyJ9"
)
SPEC_SIGNATURE_4_1_2 = (
    "dz2ntyS0_rDyA0pLeWluG--tBcYYrlvG99ffkXcEB-dz2ntyS0_rDyA0pLeWluG--tBcYYrlvG99ffkX"
    "cEB-uve5Qzvzyn0ZUi82J7h17RsdfHPuTnbEGvCeU9Y4Bg0nIZHGL4icswaaO09T5hPPYKBTzVQeHkok"
    "LmL4dXpHdr1ggSEpu3WEU3nfgOFGGAdOq355i1iGuDbhqm_lSfVHaqdVCEhkJ2Y_r2glO2QpdZrcbvsB"
    "V39derj_PlfISBBGjdh0dIPxnFIVcZuPHiq9Ha2MslrBHfqwFfNeU_xhErBd2PywkDQJbKOlfqdkmFC9"
    "bS8Ofx0O6Mg7qdFGw-QkseJTfp0HMbH1d9e6H0cocY8xfuDNGaZpOJhxiYtiPLg"
)
SPEC_SIGNATURE_4_1_3 = (
    "dz2ntyS0_rDyA0pLeWluG--tBcYYrlvG99ffkXcEBuve5Qzvzyn0ZUi82J7h17RsdfHPuTnbEGvCeU9Y"
    "4Bg0nIZHGL4icswaaO09T5hPPYKBTzVQeHkokLmL4dXpHdr1ggSEpu3WEU3nfgOFGGAdOq355i1iGuDb"
    "hqm_lSfVHaqdVCEhkJ2Y_r2glO2QpdZrcbvsBV39derj_PlfISBBGjdh0dIPxnFIVcZuPHiq9Ha2Mslr"
    "BHfqwFfNeU_xhErBd2PywkDQJbKOlfqdkmFC9bS8Ofx0O6Mg7qdFGwQkseJTfp0HMbH1d9e6H0cocY8x"
    "fuDNGaZpOJhxiYtiPLg"
)
SPEC_REQUEST: dict[str, Any] = {
    "uri": "/quotes",
    "method": "POST",
    "source": "1234",
    "destination": "5678",
    "date": "Tue, 23 May 2017 21:12:31 GMT",
}

PRIVATE_JWK, PUBLIC_JWKS = generate_rsa_jwk(kid="wallet-a-2026")
KEY = import_rsa_jwk(PRIVATE_JWK)
PUBLIC_KEYS = import_rsa_jwks(PUBLIC_JWKS)
OTHER_KEY = import_rsa_jwk(generate_rsa_jwk()[0])
# The same key material with no "alg" member, so that it may sign with RS384 and RS512 too.
ANY_ALG_KEY = import_rsa_jwk({k: v for k, v in PRIVATE_JWK.items() if k not in ("alg", "kid")})

REQUEST: dict[str, Any] = {
    "uri": "/transfers",
    "method": "POST",
    "source": "wallet-a",
    "destination": "wallet-b",
    "date": "Sun, 01 Mar 2026 12:00:00 GMT",
}
BODY = json_body({"transferId": "b51ec534-ee48-4575-b6a9-ead2955b8069", "note": "café"})

fsp_ids = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=32)
header_texts = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=60)
requests = st.fixed_dictionaries(
    {
        "uri": header_texts.map(lambda text: "/" + text),
        "method": st.sampled_from(["POST", "PUT", "PATCH", "GET", "DELETE"]),
        "source": fsp_ids,
        "destination": st.none() | fsp_ids,
        "date": st.none() | header_texts,
    }
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def refusal(header_value: str | None, **changes: Any) -> FspiopError:
    arguments: dict[str, Any] = {**REQUEST, "body": BODY, "public_keys": PUBLIC_KEYS}
    arguments.update(changes)
    with pytest.raises(FspiopError) as refused:
        verify_message(header_value, **arguments)
    assert refused.value.code == "3105"
    assert refused.value.http_status == 400
    return refused.value


def signed(**changes: Any) -> str:
    arguments: dict[str, Any] = {**REQUEST, "body": BODY, "private_key": KEY}
    arguments.update(changes)
    return sign_message(**arguments)


def forged(
    protected: dict[str, object] | bytes,
    *,
    body: bytes = BODY,
    algorithm: str = "RS256",
    private_jwk: dict[str, str] = PRIVATE_JWK,
) -> str:
    """A header value with a real signature over any protected header, even a malformed one,
    so that a refusal can only come from what the header says."""
    raw = protected if isinstance(protected, bytes) else json.dumps(protected).encode()
    protected_header = b64url(raw)
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}
    members: dict[str, str | list[str]] = dict(private_jwk)
    private = RSAKey.import_key(members).private_key
    assert isinstance(private, rsa.RSAPrivateKey)
    signature = private.sign(
        f"{protected_header}.{b64url(body)}".encode(), padding.PKCS1v15(), digest[algorithm]
    )
    return json.dumps({"signature": b64url(signature), "protectedHeader": protected_header})


def good_protected(**changes: object) -> dict[str, object]:
    protected: dict[str, object] = {
        "alg": "RS256",
        "FSPIOP-Destination": REQUEST["destination"],
        "FSPIOP-URI": REQUEST["uri"],
        "FSPIOP-HTTP-Method": REQUEST["method"],
        "Date": REQUEST["date"],
        "FSPIOP-Source": REQUEST["source"],
    }
    protected.update(changes)
    return {name: value for name, value in protected.items() if value is not None}


# The Signature document's example.


def spec_body() -> bytes:
    return base64.urlsafe_b64decode(SPEC_PAYLOAD + "=" * (-len(SPEC_PAYLOAD) % 4))


def test_signing_the_spec_example_gives_the_spec_protected_header_and_signature() -> None:
    value = sign_message(body=spec_body(), private_key=import_rsa_jwk(SPEC_KEY), **SPEC_REQUEST)
    members = json.loads(value)
    assert members["protectedHeader"] == SPEC_PROTECTED_HEADER
    # The document prints the signature twice, each time damaged by typesetting: section
    # 4.1.2 repeats its first 42 characters and drops a "-", section 4.1.3 drops three "-".
    signature = members["signature"]
    assert len(signature) == 342  # a 2048-bit RSA signature in base64url
    assert SPEC_SIGNATURE_4_1_2[42:].replace("-", "") == signature.replace("-", "")
    assert SPEC_SIGNATURE_4_1_3.replace("-", "") == signature.replace("-", "")


def test_the_spec_protected_header_holds_what_the_document_says() -> None:
    raw = base64.urlsafe_b64decode(SPEC_PROTECTED_HEADER + "=" * (-len(SPEC_PROTECTED_HEADER) % 4))
    assert json.loads(raw) == {
        "alg": "RS256",
        "FSPIOP-Destination": "5678",
        "FSPIOP-URI": "/quotes",
        "FSPIOP-HTTP-Method": "POST",
        "Date": "Tue, 23 May 2017 21:12:31 GMT",
        "FSPIOP-Source": "1234",
    }


def test_the_spec_example_verifies_with_the_spec_public_key() -> None:
    value = sign_message(body=spec_body(), private_key=import_rsa_jwk(SPEC_KEY), **SPEC_REQUEST)
    public = import_rsa_jwks({"keys": [{"kty": "RSA", "n": SPEC_KEY["n"], "e": SPEC_KEY["e"]}]})
    verify_message(value, body=spec_body(), public_keys=public, **SPEC_REQUEST)
    refusal(value, body=spec_body() + b" ", public_keys=public, **SPEC_REQUEST)


# Round trips.


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=4096), request=requests)
def test_any_body_signed_verifies_with_the_registered_jwks(
    body: bytes, request: dict[str, Any]
) -> None:
    value = sign_message(body=body, private_key=KEY, **request)
    verify_message(value, body=body, public_keys=PUBLIC_KEYS, **request)


@settings(max_examples=40, deadline=None)
@given(body=st.binary(min_size=1, max_size=2048), data=st.data())
def test_changing_any_one_byte_of_the_body_breaks_the_signature(
    body: bytes, data: st.DataObject
) -> None:
    value = signed(body=body)
    position = data.draw(st.integers(0, len(body) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    tampered = body[:position] + bytes([body[position] ^ flip]) + body[position + 1 :]
    error = refusal(value, body=tampered)
    assert "no key" in error.description


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=512), extra=st.binary(min_size=1, max_size=8))
def test_adding_bytes_to_the_body_breaks_the_signature(body: bytes, extra: bytes) -> None:
    refusal(signed(body=body), body=body + extra)
    if body:
        refusal(signed(body=body), body=body[:-1])


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(["uri", "method", "source", "destination", "date"]),
    other=header_texts,
)
def test_a_request_value_that_differs_from_the_signed_one_is_refused(
    field: str, other: str
) -> None:
    if other == REQUEST[field]:
        other += "x"
    error = refusal(signed(), **{field: other})
    assert "differs" in error.description


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_each_algorithm_of_the_spec_round_trips(algorithm: Any) -> None:
    value = signed(private_key=ANY_ALG_KEY, algorithm=algorithm)
    header = json.loads(base64.urlsafe_b64decode(json.loads(value)["protectedHeader"] + "=="))
    assert header["alg"] == algorithm
    public = import_rsa_jwks(rsa_jwks_document([ANY_ALG_KEY]))
    verify_message(value, body=BODY, public_keys=public, **REQUEST)


def test_the_header_value_is_the_json_object_of_the_spec_and_nothing_more() -> None:
    members = json.loads(signed())
    assert set(members) == {"signature", "protectedHeader"}
    header = json.loads(base64.urlsafe_b64decode(members["protectedHeader"] + "=="))
    assert header == good_protected()
    assert list(header) == [
        "alg",
        "FSPIOP-Destination",
        "FSPIOP-URI",
        "FSPIOP-HTTP-Method",
        "Date",
        "FSPIOP-Source",
    ]


def test_a_message_without_destination_or_date_protects_neither() -> None:
    value = signed(destination=None, date=None)
    header = json.loads(base64.urlsafe_b64decode(json.loads(value)["protectedHeader"] + "=="))
    assert set(header) == {"alg", "FSPIOP-URI", "FSPIOP-HTTP-Method", "FSPIOP-Source"}
    verify_message(
        value, body=BODY, public_keys=PUBLIC_KEYS, **{**REQUEST, "date": None, "destination": None}
    )


def test_headers_built_and_signed_by_the_switch_verify_at_the_receiver() -> None:
    headers = build_headers(
        resource="transfers",
        method="PUT",
        uri="/transfers/b51ec534-ee48-4575-b6a9-ead2955b8069",
        source="switch",
        destination="wallet-a",
        clock=FrozenClock(),
    )
    sent = sign_headers(headers, body=BODY, private_key=KEY)
    parsed = parse_request_headers(sent, resource="transfers", method="PUT")
    verify_message(
        parsed.signature,
        body=BODY,
        uri=fspiop_uri("/switch/transfers/b51ec534-ee48-4575-b6a9-ead2955b8069", prefix="/switch"),
        method="PUT",
        source=parsed.source,
        destination=parsed.destination,
        date=parsed.date_text,
        public_keys=PUBLIC_KEYS,
    )
    with pytest.raises(ValueError, match="fspiop-uri"):
        sign_headers({"FSPIOP-Source": "switch"}, body=BODY, private_key=KEY)


# Keys.


def test_another_key_does_not_verify() -> None:
    error = refusal(signed(private_key=OTHER_KEY))
    assert "no key registered for the sender verifies" in error.description


def test_any_key_of_a_rotated_jwks_verifies_what_it_signed() -> None:
    both = import_rsa_jwks(rsa_jwks_document([KEY, OTHER_KEY]))
    for key in (KEY, OTHER_KEY):
        verify_message(signed(private_key=key), body=BODY, public_keys=both, **REQUEST)


def test_a_kid_in_the_header_picks_the_key_and_must_be_registered() -> None:
    verify_message(
        forged(good_protected(kid="wallet-a-2026")), body=BODY, public_keys=PUBLIC_KEYS, **REQUEST
    )
    assert "kid" in refusal(forged(good_protected(kid="someone-else"))).description
    refusal(forged(good_protected(kid=7)))


def test_a_key_declared_for_rs256_does_not_verify_rs512() -> None:
    value = forged(good_protected(alg="RS512"), algorithm="RS512")
    assert "may verify" in refusal(value).description
    with pytest.raises(ValueError, match="may not sign"):
        signed(algorithm="RS512")


def test_a_public_key_cannot_sign() -> None:
    with pytest.raises(ValueError, match="private"):
        signed(private_key=PUBLIC_KEYS[0])


def test_a_generated_key_is_a_2048_bit_rs256_signing_key_whose_jwks_is_public() -> None:
    assert KEY.bits == MIN_RSA_BITS
    assert (PRIVATE_JWK["kty"], PRIVATE_JWK["alg"], PRIVATE_JWK["use"]) == ("RSA", "RS256", "sig")
    (published,) = PUBLIC_JWKS["keys"]
    assert set(published) == {"kty", "n", "e", "kid", "alg", "use"}
    assert PUBLIC_KEYS[0].kid == "wallet-a-2026"
    anonymous = import_rsa_jwk(generate_rsa_jwk()[0])
    assert anonymous.kid == anonymous.thumbprint()


def test_a_key_never_shows_its_private_part() -> None:
    assert repr(KEY) == "RsaJwk(kid='wallet-a-2026', 2048 bits, private)"
    assert PRIVATE_JWK["d"] not in repr(KEY)
    assert PRIVATE_JWK["d"] not in json.dumps(KEY.to_dict())
    with pytest.raises(ValueError, match="no private part"):
        PUBLIC_KEYS[0].to_dict(private=True)


def short_key_members() -> dict[str, str]:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    public = numbers.public_numbers()
    return {
        "kty": "RSA",
        "n": b64url(public.n.to_bytes(128, "big")),
        "e": b64url(public.e.to_bytes(3, "big")),
    }


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ("not json", "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
        ([], "JSON object"),
        ({}, '"keys" array'),
        ({"keys": ["x"]}, "must be an object"),
        ({"keys": []}, "no RSA key"),
        ({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]}, "no RSA key"),
        ({"keys": [PRIVATE_JWK]}, "private key material"),
        ({"keys": [short_key_members()]}, "1024 bits"),
        ({"keys": [{**PUBLIC_JWKS["keys"][0], "use": "enc"}]}, "use='enc'"),
        ({"keys": [{**PUBLIC_JWKS["keys"][0], "alg": "PS256"}]}, "alg='PS256'"),
        ({"keys": [{"kty": "RSA", "e": "AQAB"}]}, "modulus"),
        ({"keys": [{"kty": "RSA", "n": "not base64!", "e": "AQAB"}]}, "modulus"),
        ({"keys": [PUBLIC_JWKS["keys"][0], PUBLIC_JWKS["keys"][0]]}, "share a kid"),
    ],
)
def test_a_jwks_unfit_for_fspiop_signatures_is_refused_saying_why(document: Any, why: str) -> None:
    with pytest.raises(RsaKeyError, match=why):
        import_rsa_jwks(document)


def test_a_jwks_may_hold_other_keys_beside_its_rsa_key() -> None:
    document = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc"}, *PUBLIC_JWKS["keys"]]}
    (key,) = import_rsa_jwks(json.dumps(document))
    assert isinstance(key, RsaJwk)
    assert not key.is_private


def test_a_key_pair_shorter_than_2048_bits_is_never_made() -> None:
    with pytest.raises(ValueError, match="2048"):
        generate_rsa_jwk(bits=1024)


# Malformed signatures.


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_signature_is_refused(value: str | None) -> None:
    assert "missing" in refusal(value).description


def header_value(protected_header: str, signature: str = "c2lnbmF0dXJl") -> str:
    return json.dumps({"signature": signature, "protectedHeader": protected_header})


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("not json", "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
        ("[]", "must be a JSON object"),
        ('{"signature": "c2ln"}', "exactly"),
        ('{"signature": "c2ln", "protectedHeader": "e30", "header": {}}', "exactly"),
        ('{"signature": 1, "protectedHeader": "e30"}', "strings"),
        ('{"signature": "a", "signature": "b", "protectedHeader": "e30"}', "repeats"),
        (header_value(""), "1 to 32768"),
        (header_value("e30", "a" * 513), "1 to 512"),
        (header_value("e30", "ab+/"), "signature is not base64url"),
        (header_value("e30="), "protectedHeader is not base64url"),
        (header_value("e3*"), "protectedHeader is not base64url"),
        (header_value("abcde"), "protectedHeader is not base64url"),
        (header_value("e31"), "canonical"),
        (header_value(b64url(b"not json")), "not JSON"),
        (header_value(b64url(b"\xff\xfe")), "not JSON"),
        (header_value(b64url(b"[" * 5_000 + b"]" * 5_000)), "not JSON"),
        (header_value(b64url(b"[]")), "must be a JSON object"),
    ],
)
def test_a_header_value_that_is_not_a_signature_is_refused(value: str, why: str) -> None:
    assert why in refusal(value).description


@pytest.mark.parametrize(
    ("protected", "why"),
    [
        (b'{"alg":"RS256","alg":"RS256","FSPIOP-URI":"/transfers"}', "repeats"),
        (good_protected(alg=None), "algorithm None"),
        (good_protected(alg="none"), "algorithm 'none'"),
        (good_protected(alg="HS256"), "algorithm 'HS256'"),
        (good_protected(alg="ES256"), "algorithm 'ES256'"),
        (good_protected(alg="PS256"), "algorithm 'PS256'"),
        (good_protected(crit=["FSPIOP-URI"]), "extensions"),
        (good_protected(b64=False), "extensions"),
        (good_protected(**{"FSPIOP-URI": None}), "lacks FSPIOP-URI"),
        (good_protected(**{"FSPIOP-HTTP-Method": None}), "lacks FSPIOP-HTTP-Method"),
        (good_protected(**{"FSPIOP-Source": None}), "lacks FSPIOP-Source"),
        (good_protected(**{"FSPIOP-URI": ["/transfers"]}), "must be a string"),
        (good_protected(**{"fspiop-source": "wallet-a"}), "twice"),
    ],
)
def test_a_protected_header_the_spec_does_not_allow_is_refused_though_signed(
    protected: dict[str, object] | bytes, why: str
) -> None:
    assert why in refusal(forged(protected)).description


def test_protected_member_names_are_compared_as_http_header_names() -> None:
    protected = good_protected(**{"FSPIOP-URI": None, "fspiop-uri": REQUEST["uri"]})
    verify_message(forged(protected), body=BODY, public_keys=PUBLIC_KEYS, **REQUEST)


def test_a_destination_the_sender_knew_must_be_protected() -> None:
    value = signed(destination=None)
    assert "does not cover" in refusal(value).description
    # A DFSP receiving a GET /parties the switch routed: the switch set the destination later.
    verify_message(
        value, body=BODY, public_keys=PUBLIC_KEYS, allow_unprotected_destination=True, **REQUEST
    )


@pytest.mark.parametrize("field", ["destination", "date"])
def test_a_protected_header_the_request_does_not_carry_is_refused(field: str) -> None:
    error = refusal(signed(), **{field: None})
    assert "does not carry" in error.description


def test_other_protected_headers_must_match_the_request() -> None:
    content_type = "application/vnd.interoperability.transfers+json;version=2.0"
    value = forged(good_protected(**{"Content-Type": content_type}))
    verify_message(
        value,
        body=BODY,
        public_keys=PUBLIC_KEYS,
        other_headers={"content-type": content_type, "Accept": "ignored"},
        **REQUEST,
    )
    refusal(value, other_headers={"Content-Type": content_type + " "})
    refusal(value)


def test_the_request_values_win_over_the_same_names_among_other_headers() -> None:
    # A caller that passes all its headers as other_headers cannot shadow the checked values.
    error = refusal(signed(), other_headers={"FSPIOP-Source": "wallet-a"}, source="wallet-z")
    assert "differs" in error.description


def test_a_signature_of_the_right_shape_but_wrong_bytes_is_refused() -> None:
    members = json.loads(signed())
    members["signature"] = b64url(b"\x00" * 256)
    refusal(json.dumps(members))
