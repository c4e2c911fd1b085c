"""The pieces of the protocol on their own: PKCE, DPoP proofs, token checks in the kernel's
relying-party library, and the provider's pure rules (claims, pairwise subjects)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.identity.oidc.domain import RequestError, claims_request, pairwise_subject
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import (
    DpopError,
    TokenError,
    access_token_hash,
    is_well_formed_verifier,
    make_dpop_proof,
    new_code_verifier,
    normalised_htu,
    s256_challenge,
    verifier_matches,
    verify_access_token,
    verify_dpop_proof,
    verify_id_token,
)

DPOP_KEY = generate_jwk("P-256")
PROVIDER_KEY = generate_jwk("P-256")
VERIFIER_ALPHABET = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
paths = st.text(alphabet="abcdefghijklmnopqrstuvwxyz/-_", min_size=0, max_size=30)


@given(st.text(alphabet=VERIFIER_ALPHABET, min_size=43, max_size=128))
def test_a_verifier_matches_its_own_s256_challenge_only(verifier: str) -> None:
    assert is_well_formed_verifier(verifier)
    assert verifier_matches(verifier, s256_challenge(verifier))
    assert not verifier_matches(verifier, s256_challenge(verifier + "a"))
    # The plain method would send the verifier itself as the challenge: never accepted.
    assert not verifier_matches(verifier, verifier)


def test_new_verifiers_are_well_formed_and_fresh() -> None:
    verifiers = {new_code_verifier() for _ in range(50)}

    assert len(verifiers) == 50
    assert all(is_well_formed_verifier(verifier) for verifier in verifiers)


def test_a_short_verifier_never_matches() -> None:
    assert not verifier_matches("short", s256_challenge("short"))


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["GET", "POST", "PUT"]),
    paths,
    st.one_of(st.none(), st.text(alphabet="abcdef0123456789", min_size=10, max_size=40)),
)
def test_a_dpop_proof_verifies_for_its_request_and_no_other(
    method: str, path: str, token: str | None
) -> None:
    clock = FrozenClock()
    url = f"https://idp.example/{path}"
    proof = make_dpop_proof(DPOP_KEY, method=method, url=url, access_token=token, clock=clock)

    checked = verify_dpop_proof(proof, method=method, url=url, access_token=token, clock=clock)

    assert checked.jkt == DPOP_KEY.thumbprint()
    other_method = "DELETE"
    with pytest.raises(DpopError):
        verify_dpop_proof(proof, method=other_method, url=url, access_token=token, clock=clock)
    with pytest.raises(DpopError):
        verify_dpop_proof(proof, method=method, url=url + "x", access_token=token, clock=clock)
    with pytest.raises(DpopError):
        verify_dpop_proof(proof, method=method, url=url, access_token=(token or "") + "z")


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=255))
def test_a_tampered_dpop_proof_is_refused(part: int, flip: int) -> None:
    clock = FrozenClock()
    url = "https://idp.example/token"
    proof = make_dpop_proof(DPOP_KEY, method="POST", url=url, clock=clock)
    pieces = proof.split(".")
    target = pieces[part]
    position = flip % len(target)
    replacement = "A" if target[position] != "A" else "B"
    pieces[part] = target[:position] + replacement + target[position + 1 :]

    with pytest.raises(DpopError):
        verify_dpop_proof(".".join(pieces), method="POST", url=url, clock=clock)


@pytest.mark.parametrize("part", [0, 1])
def test_a_dpop_proof_nested_deeper_than_the_json_parser_goes_is_refused(part: int) -> None:
    import base64

    clock = FrozenClock()
    url = "https://idp.example/token"
    pieces = make_dpop_proof(DPOP_KEY, method="POST", url=url, clock=clock).split(".")
    pieces[part] = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode().rstrip("=")

    with pytest.raises(DpopError):
        verify_dpop_proof(".".join(pieces), method="POST", url=url, clock=clock)


def test_a_logout_hint_nested_deeper_than_the_json_parser_goes_names_no_audience() -> None:
    import base64

    from comptoir.identity.oidc.service.logout import _audience_of

    deep = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode().rstrip("=")
    assert _audience_of(f"e30.{deep}.c2ln") is None


def test_a_proof_naming_a_known_key_but_signed_by_another_is_refused() -> None:
    clock = FrozenClock()
    url = "https://idp.example/token"
    other = generate_jwk("P-256")
    known = verify_dpop_proof(
        make_dpop_proof(DPOP_KEY, method="POST", url=url, clock=clock),
        method="POST",
        url=url,
        clock=clock,
    )  # the key is now among those last seen
    forged = issue_jwt(
        {"jti": "0123456789", "htm": "POST", "htu": url},
        other,
        ttl_seconds=None,
        typ="dpop+jwt",
        headers={"jwk": DPOP_KEY.public().to_dict()},
        include_kid=False,
        clock=clock,
    )

    with pytest.raises(DpopError, match="signature"):
        verify_dpop_proof(forged, method="POST", url=url, clock=clock)
    own = verify_dpop_proof(
        make_dpop_proof(other, method="POST", url=url, clock=clock),
        method="POST",
        url=url,
        clock=clock,
    )
    assert (known.jkt, own.jkt) == (DPOP_KEY.thumbprint(), other.thumbprint())


def test_a_dpop_proof_carrying_a_private_key_is_refused() -> None:
    clock = FrozenClock()
    proof = issue_jwt(
        {"jti": "0123456789", "htm": "POST", "htu": "https://idp.example/token"},
        DPOP_KEY,
        ttl_seconds=None,
        typ="dpop+jwt",
        headers={"jwk": DPOP_KEY.to_dict(private=True)},
        include_kid=False,
        clock=clock,
    )

    with pytest.raises(DpopError, match="private"):
        verify_dpop_proof(proof, method="POST", url="https://idp.example/token", clock=clock)


def test_htu_ignores_query_fragment_case_and_default_ports() -> None:
    assert normalised_htu("HTTPS://IdP.Example:443/token?x=1#y") == "https://idp.example/token"
    assert normalised_htu("http://idp.example:80/a") == "http://idp.example/a"
    assert normalised_htu("http://idp.example:8080/a") == "http://idp.example:8080/a"


@pytest.mark.parametrize(
    "endpoint", ["https://idp.example/token", "HTTPS://IdP.Example:443/token?from=config"]
)
@pytest.mark.parametrize(
    ("htu", "accepted"),
    [
        ("https://idp.example/token", True),
        ("HTTPS://IDP.EXAMPLE:443/token#x", True),
        ("https://idp.example/token?a=1", True),
        ("https://idp.example:8443/token", False),
        ("https://idp.example/Token", False),
        ("https://idp.example/token/", False),
    ],
)
def test_a_proof_is_checked_on_its_normalised_htu_however_either_url_is_written(
    endpoint: str, htu: str, accepted: bool
) -> None:
    clock = FrozenClock()
    proof = issue_jwt(
        {"jti": "0123456789", "htm": "POST", "htu": htu},
        DPOP_KEY,
        ttl_seconds=None,
        typ="dpop+jwt",
        headers={"jwk": DPOP_KEY.public().to_dict()},
        include_kid=False,
        clock=clock,
    )

    if accepted:
        verify_dpop_proof(proof, method="POST", url=endpoint, clock=clock)
    else:
        with pytest.raises(DpopError, match="htu"):
            verify_dpop_proof(proof, method="POST", url=endpoint, clock=clock)


def test_a_proof_made_for_an_endpoint_names_its_normalised_url() -> None:
    clock = FrozenClock()
    proof = make_dpop_proof(
        DPOP_KEY, method="post", url="HTTPS://IdP.Example:443/par?x=1", clock=clock
    )

    checked = verify_dpop_proof(proof, method="POST", url="https://idp.example/par", clock=clock)
    assert checked.jkt == DPOP_KEY.thumbprint()
    assert _claims_of(proof)["htu"] == "https://idp.example/par"


def test_ath_is_the_base64url_sha256_of_the_token() -> None:
    # RFC 9449 section 7.1's example token and its hash.
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    assert access_token_hash(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"


def id_token(clock: FrozenClock, **claims: object) -> str:
    body: dict[str, object] = {"sub": "abc", "nonce": "n-1"}
    body.update(claims)
    return issue_jwt(body, PROVIDER_KEY, issuer="https://idp.example", audience="shop", clock=clock)


def test_an_id_token_is_checked_for_issuer_audience_nonce_and_expiry() -> None:
    clock = FrozenClock()
    keys = [PROVIDER_KEY.public()]
    good = id_token(clock)

    def check(token: str, **changes: object) -> dict[str, object]:
        options: dict[str, object] = {
            "keys": keys,
            "issuer": "https://idp.example",
            "client_id": "shop",
            "nonce": "n-1",
            "clock": clock,
        }
        options.update(changes)
        return verify_id_token(token, **options)  # type: ignore[arg-type]

    assert check(good)["sub"] == "abc"
    for changes in ({"issuer": "https://other.example"}, {"client_id": "other"}, {"nonce": "n-2"}):
        with pytest.raises(TokenError):
            check(good, **changes)
    with pytest.raises(TokenError):
        check(good, keys=[generate_jwk("P-256").public()])
    clock.advance(timedelta(minutes=6))
    with pytest.raises(TokenError, match="expired"):
        check(good)


def test_an_access_token_must_be_typed_and_bound_to_a_dpop_key() -> None:
    clock = FrozenClock()
    keys = [PROVIDER_KEY.public()]
    bound = issue_jwt(
        {"sub": "abc", "jti": "j1", "cnf": {"jkt": "thumb"}},
        PROVIDER_KEY,
        issuer="https://idp.example",
        audience="https://idp.example",
        typ="at+jwt",
        clock=clock,
    )
    unbound = issue_jwt(
        {"sub": "abc", "jti": "j1"},
        PROVIDER_KEY,
        issuer="https://idp.example",
        audience="https://idp.example",
        typ="at+jwt",
        clock=clock,
    )
    # An ID token (typ JWT) cannot be used as an access token.
    wrong_type = id_token(clock)

    checked = verify_access_token(
        bound, keys=keys, issuer="https://idp.example", audience="https://idp.example", clock=clock
    )
    assert checked["cnf"] == {"jkt": "thumb"}
    for token in (unbound, wrong_type):
        with pytest.raises(TokenError):
            verify_access_token(
                token,
                keys=keys,
                issuer="https://idp.example",
                audience="https://idp.example",
                clock=clock,
            )


@settings(max_examples=50)
@given(st.uuids(), st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_pairwise_subjects_are_stable_per_sector_and_differ_across_sectors(
    person: uuid.UUID, sector: str, other: str
) -> None:
    secret = b"s" * 32
    first = pairwise_subject(secret, sector=sector, person_id=person)

    assert first == pairwise_subject(secret, sector=sector, person_id=person)
    if other != sector:
        assert first != pairwise_subject(secret, sector=other, person_id=person)
    assert first != pairwise_subject(b"t" * 32, sector=sector, person_id=person)


def test_claims_combine_scopes_and_the_claims_parameter() -> None:
    wanted = claims_request(
        scopes=["openid", "phone"],
        claims_parameter='{"id_token": {"name": {"essential": true}}, "userinfo": {"x": null}}',
        allowed_scopes=["openid", "profile", "phone"],
    )

    assert wanted.asked == ("sub", "phone_number", "phone_number_verified", "name")
    assert wanted.essential == {"sub", "name"}
    assert wanted.id_token == ("sub", "name")
    assert wanted.userinfo == ("phone_number", "phone_number_verified")


@pytest.mark.parametrize(
    ("scopes", "claims", "error"),
    [
        (["profile"], None, "invalid_scope"),
        (["email"], None, "invalid_scope"),
        (["openid", "phone"], None, "invalid_scope"),
        (["openid"], '{"userinfo": {"phone_number": null}}', "invalid_request"),
        (["openid"], "[1]", "invalid_request"),
        (["openid"], "{not json", "invalid_request"),
        (["openid"], "[" * 100_000 + "]" * 100_000, "invalid_request"),
        (["openid"], '{"userinfo": {"name": 3}}', "invalid_request"),
    ],
)
def test_claims_requests_beyond_the_registration_are_refused(
    scopes: list[str], claims: str | None, error: str
) -> None:
    with pytest.raises(RequestError) as refused:
        claims_request(scopes=scopes, claims_parameter=claims, allowed_scopes=["openid", "profile"])

    assert refused.value.error == error


def test_scopes_the_provider_does_not_know_are_ignored() -> None:
    # OIDC Core 3.1.2.1: "Scope values used that are not understood by an implementation
    # SHOULD be ignored."
    wanted = claims_request(
        scopes=["openid", "email", "offline_access", "profile"],
        claims_parameter=None,
        allowed_scopes=["openid", "profile"],
    )

    assert wanted.asked == ("sub", "name", "birthdate", "locale")


def _claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(claims, dict)
    return claims


def test_a_refused_proof_header_is_refused_again_each_time_it_is_sent() -> None:
    clock = FrozenClock()
    url = "https://idp.example/token"
    proof = issue_jwt(
        {"jti": "0123456789", "htm": "POST", "htu": url},
        DPOP_KEY,
        ttl_seconds=None,
        typ="JWT",
        headers={"jwk": DPOP_KEY.public().to_dict()},
        include_kid=False,
        clock=clock,
    )

    for _ in range(2):
        with pytest.raises(DpopError, match="typ must be dpop"):
            verify_dpop_proof(proof, method="POST", url=url, clock=clock)
