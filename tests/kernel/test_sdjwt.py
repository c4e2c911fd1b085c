"""SD-JWT (RFC 9901) and SD-JWT VC: issue, present a subset with key binding, verify, refuse."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk, sign_jws
from comptoir.kernel.crypto.sdjwt import (
    SdJwtError,
    digest_of,
    http_fetch,
    issue_sd_jwt,
    jwt_vc_issuer_metadata_url,
    make_disclosure,
    parse_disclosure,
    present,
    split,
    verify_presentation,
    verify_sd_jwt,
)
from comptoir.kernel.crypto.status_list import INVALID, StatusList, issue_status_list_token

ISSUER = "https://identity.example.gov/identity/vci"
VCT = f"{ISSUER}/credentials/registered-business"
VERIFIER = "https://seller.example.org"
ISSUER_KEY = generate_jwk("P-256")
HOLDER_KEY = generate_jwk("P-256")
OTHER_KEY = generate_jwk("P-256")
CLAIMS = {
    "business_name": "Chez Marie",
    "registration_number": "LC-2026-0042",
    "sector": "food",
    "owner_name": "Marie Joseph",
}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def issued(clock: FrozenClock | None = None, **visible: object) -> str:
    return issue_sd_jwt(
        {"iss": ISSUER, "vct": VCT, **visible},
        CLAIMS,
        ISSUER_KEY,
        holder_key=HOLDER_KEY,
        ttl_seconds=3600,
        clock=clock or FrozenClock(),
    ).serialized


def verify(presentation: str, clock: FrozenClock, *, nonce: str = "n-1") -> dict[str, object]:
    return verify_sd_jwt(
        presentation,
        [ISSUER_KEY.public()],
        issuer=ISSUER,
        audience=VERIFIER,
        nonce=nonce,
        clock=clock,
    ).claims


CREDENTIAL = issued()


def test_a_presentation_with_some_claims_and_key_binding_verifies() -> None:
    clock = FrozenClock()
    credential = issued(clock)
    shown = present(
        credential,
        disclose={"business_name", "sector"},
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    claims = verify(shown, clock)
    assert claims["business_name"] == "Chez Marie"
    assert claims["sector"] == "food"
    assert "owner_name" not in claims and "registration_number" not in claims
    assert "_sd" not in claims and "_sd_alg" not in claims
    assert claims["vct"] == VCT and claims["iss"] == ISSUER


def test_the_issuer_jwt_hides_every_disclosable_value() -> None:
    jwt = split(CREDENTIAL)[0]
    header = json.loads(_b64(jwt.split(".")[0]))
    payload = json.loads(_b64(jwt.split(".")[1]))
    assert header["typ"] == "dc+sd-jwt" and header["alg"] == "ES256"
    assert payload["_sd_alg"] == "sha-256"
    assert len(payload["_sd"]) > len(CLAIMS)  # decoys
    assert payload["_sd"] == sorted(payload["_sd"])
    assert "Chez Marie" not in jwt and "Marie" not in json.dumps(payload)
    assert payload["cnf"]["jwk"] == HOLDER_KEY.public().to_dict()


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(sorted(CLAIMS))))
def test_any_subset_of_disclosures_round_trips(subset: set[str]) -> None:
    clock = FrozenClock()
    shown = present(
        CREDENTIAL,
        disclose=subset,
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    claims = verify(shown, clock)
    assert {name: claims[name] for name in subset} == {name: CLAIMS[name] for name in subset}
    assert not (set(CLAIMS) - subset) & set(claims)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_single_character_change_of_a_disclosure_or_the_issuer_jwt_is_refused(
    data: st.DataObject,
) -> None:
    clock = FrozenClock()
    jwt, disclosures, _ = split(CREDENTIAL)
    presentation = "~".join([jwt, *disclosures]) + "~"
    position = data.draw(st.integers(0, len(presentation) - 2))  # the trailing ~ ends it
    # Mostly characters that keep the text well-formed (the hard cases), sometimes any at all.
    replacement = data.draw(
        st.one_of(st.sampled_from(ALPHABET), st.characters()).filter(
            lambda c: c != presentation[position]
        )
    )
    tampered = presentation[:position] + replacement + presentation[position + 1 :]
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            tampered,
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )


@given(
    st.text(max_size=40), st.one_of(st.none(), st.integers(), st.text(max_size=20), st.booleans())
)
def test_a_disclosure_round_trips(name: str, value: object) -> None:
    if name in ("_sd", "..."):
        return
    made = make_disclosure(name, value)
    assert parse_disclosure(made.encoded) == made


def test_a_tampered_disclosure_is_refused() -> None:
    clock = FrozenClock()
    jwt, disclosures, _ = split(CREDENTIAL)
    forged = make_disclosure("sector", "banking").encoded
    shown = present(
        "~".join([jwt, forged, *disclosures[1:]]) + "~",
        disclose=set(CLAIMS),
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    with pytest.raises(SdJwtError) as refused:
        verify(shown, clock)
    assert refused.value.reason == "disclosure"


def test_a_repeated_disclosure_is_refused() -> None:
    clock = FrozenClock()
    jwt, disclosures, _ = split(CREDENTIAL)
    doubled = "~".join([jwt, disclosures[0], disclosures[0]]) + "~"
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            doubled,
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )


def test_a_key_binding_signed_by_another_key_is_refused() -> None:
    clock = FrozenClock()
    shown = present(
        CREDENTIAL,
        disclose={"sector"},
        holder_key=OTHER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    with pytest.raises(SdJwtError) as refused:
        verify(shown, clock)
    assert refused.value.reason == "key_binding"


def test_a_key_binding_for_another_nonce_audience_or_presentation_is_refused() -> None:
    clock = FrozenClock()
    shown = present(
        CREDENTIAL,
        disclose={"sector"},
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    with pytest.raises(SdJwtError):
        verify(shown, clock, nonce="n-2")
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            shown,
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience="https://other.example",
            nonce="n-1",
            clock=clock,
        )
    # The KB-JWT of one presentation moved onto a presentation showing more claims.
    kb = shown.rsplit("~", 1)[1]
    wider = present(CREDENTIAL, disclose=set(CLAIMS)) + kb
    with pytest.raises(SdJwtError) as refused:
        verify(wider, clock)
    assert "another presentation" in refused.value.detail


def test_a_missing_or_stale_key_binding_is_refused() -> None:
    clock = FrozenClock()
    with pytest.raises(SdJwtError):
        verify(present(CREDENTIAL, disclose={"sector"}), clock)
    shown = present(
        CREDENTIAL,
        disclose={"sector"},
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    clock.advance(timedelta(minutes=10))
    with pytest.raises(SdJwtError):
        verify(shown, clock)


def test_a_credential_signed_by_another_key_or_issuer_is_refused() -> None:
    clock = FrozenClock()
    forged = issue_sd_jwt(
        {"iss": ISSUER, "vct": VCT},
        CLAIMS,
        OTHER_KEY,
        holder_key=HOLDER_KEY,
        ttl_seconds=60,
        clock=clock,
    ).serialized
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            forged,
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            CREDENTIAL,
            [ISSUER_KEY.public()],
            issuer="https://else.example",
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )


def test_an_expired_credential_is_refused() -> None:
    clock = FrozenClock()
    credential = issued(clock)
    clock.advance(timedelta(hours=2))
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            credential,
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )


def test_it_reads_nested_and_array_disclosures_from_other_issuers() -> None:
    clock = FrozenClock()
    street = make_disclosure("street", "1 Bay Street")
    island = make_disclosure(None, "Saint Lucia")
    payload = {
        "iss": ISSUER,
        "address": {"_sd": [street.digest], "country": "LC"},
        "islands": [{"...": island.digest}, "Dominica", {"...": digest_of("decoy")}],
        "_sd_alg": "sha-256",
        "iat": int(clock.now().timestamp()),
    }
    jwt = sign_jws(json.dumps(payload).encode(), ISSUER_KEY, typ="dc+sd-jwt")
    claims = verify_sd_jwt(
        f"{jwt}~{street.encoded}~{island.encoded}~",
        [ISSUER_KEY.public()],
        issuer=ISSUER,
        audience=None,
        nonce=None,
        require_key_binding=False,
        clock=clock,
    ).claims
    assert claims["address"] == {"street": "1 Bay Street", "country": "LC"}
    assert claims["islands"] == ["Saint Lucia", "Dominica"]


def test_it_refuses_a_disclosure_that_names_an_existing_claim() -> None:
    clock = FrozenClock()
    again = make_disclosure("iss", "https://evil.example")
    payload = {"iss": ISSUER, "_sd": [again.digest], "iat": int(clock.now().timestamp())}
    jwt = sign_jws(json.dumps(payload).encode(), ISSUER_KEY, typ="dc+sd-jwt")
    with pytest.raises(SdJwtError):
        verify_sd_jwt(
            f"{jwt}~{again.encoded}~",
            [ISSUER_KEY.public()],
            issuer=ISSUER,
            audience=None,
            nonce=None,
            require_key_binding=False,
            clock=clock,
        )


def test_verify_presentation_resolves_keys_and_refuses_a_revoked_credential() -> None:
    clock = FrozenClock()
    status_uri = "https://identity.example.gov/identity/credentials/status/1"
    status_list = StatusList.empty(16)
    status_list.set(4, INVALID)
    documents = {
        jwt_vc_issuer_metadata_url(ISSUER): json.dumps(
            {"issuer": ISSUER, "jwks_uri": "https://identity.example.gov/identity/vci/jwks"}
        ),
        "https://identity.example.gov/identity/vci/jwks": json.dumps(
            {"keys": [ISSUER_KEY.public().to_dict()]}
        ),
        status_uri: issue_status_list_token(status_list, ISSUER_KEY, uri=status_uri, clock=clock),
    }

    def fetch(url: str) -> bytes:
        return documents[url].encode()

    assert jwt_vc_issuer_metadata_url(ISSUER) == (
        "https://identity.example.gov/.well-known/jwt-vc-issuer/identity/vci"
    )
    for index, refused in ((3, False), (4, True)):
        credential = issued(clock, status={"status_list": {"idx": index, "uri": status_uri}})
        shown = present(
            credential,
            disclose={"sector"},
            holder_key=HOLDER_KEY,
            audience=VERIFIER,
            nonce="n-9",
            clock=clock,
        )
        if refused:
            with pytest.raises(SdJwtError) as error:
                verify_presentation(
                    shown,
                    trusted_issuers={ISSUER},
                    audience=VERIFIER,
                    nonce="n-9",
                    fetch=fetch,
                    clock=clock,
                )
            assert error.value.reason == "revoked"
        else:
            claims = verify_presentation(
                shown,
                trusted_issuers={ISSUER},
                audience=VERIFIER,
                nonce="n-9",
                fetch=fetch,
                vct=VCT,
                clock=clock,
            ).claims
            assert claims["sector"] == "food"
    with pytest.raises(SdJwtError) as untrusted:
        verify_presentation(
            shown,
            trusted_issuers={"https://else.example"},
            audience=VERIFIER,
            nonce="n-9",
            fetch=fetch,
            clock=clock,
        )
    assert untrusted.value.reason == "issuer_untrusted"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_single_character_change_of_the_key_binding_jwt_is_refused(
    data: st.DataObject,
) -> None:
    clock = FrozenClock()
    shown = present(
        CREDENTIAL,
        disclose={"sector"},
        holder_key=HOLDER_KEY,
        audience=VERIFIER,
        nonce="n-1",
        clock=clock,
    )
    start = shown.rindex("~") + 1
    position = data.draw(st.integers(start, len(shown) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != shown[position]))
    tampered = shown[:position] + replacement + shown[position + 1 :]
    with pytest.raises(SdJwtError):
        verify(tampered, clock)


def test_an_unreachable_issuer_is_a_clear_refusal() -> None:
    clock = FrozenClock()
    issuer = "http://127.0.0.1:9/identity/vci"  # the discard port: nothing answers there
    credential = issue_sd_jwt(
        {"iss": issuer, "vct": VCT},
        CLAIMS,
        ISSUER_KEY,
        holder_key=None,
        ttl_seconds=60,
        clock=clock,
    ).serialized
    with pytest.raises(SdJwtError) as refused:
        verify_presentation(
            credential,
            trusted_issuers={issuer},
            audience=None,
            nonce=None,
            require_key_binding=False,
            fetch=http_fetch,
            clock=clock,
        )
    assert refused.value.reason == "issuer_key"
    with pytest.raises(OSError, match="not an HTTP address"):
        http_fetch("file:///etc/passwd")


@pytest.mark.parametrize(
    ("encoded", "digest", "name", "value"),
    [
        # RFC 9901 section 4.2.1 (a claim) and 4.2.2 (an array element), with their digests.
        (
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
            "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0",
            "family_name",
            "Möbius",
        ),
        (
            "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0",
            "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs",
            None,
            "FR",
        ),
    ],
)
def test_the_rfc_examples_parse_and_hash_as_the_rfc_says(
    encoded: str, digest: str, name: str | None, value: str
) -> None:
    disclosure = parse_disclosure(encoded)
    assert (disclosure.name, disclosure.value, disclosure.digest) == (name, value, digest)
