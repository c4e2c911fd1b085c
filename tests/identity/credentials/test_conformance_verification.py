"""Presentations made by an independent holder (RFC 9901 section 4.3, key binding written from
the text) against the verification endpoint and the kernel's verifier: every subset of the
disclosures passes, and each way of forging or replaying one is refused."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from comptoir.identity.credentials import service
from comptoir.kernel.crypto import generate_jwk, import_jwk
from comptoir.kernel.crypto.sdjwt import (
    SdJwtError,
    issue_sd_jwt,
    verify_presentation,
    verify_sd_jwt,
)

from .conftest import ISSUER, Node
from .independent import (
    ParsedSdJwt,
    WalletKey,
    b64,
    compact_json,
    disclosure,
    jws_parts,
    key_binding,
    parse_sd_jwt,
    presentation,
    sd_digest,
)
from .wallet import obtain

VERIFIER = "https://verifier.example.org"
NONCE = "verifier-nonce-1"
CLAIMS = {
    "business_name": "Chez Marie",
    "registration_number": "LC-0101",
    "sector": "food",
    "owner_name": "Marie Joseph",
}


def now(node: Node) -> int:
    return math.floor(node.clock.now().timestamp())


def bound(node: Node, key: WalletKey, parsed: ParsedSdJwt, names: list[str], **kb: Any) -> str:
    shown = presentation(parsed, names)
    return shown + key_binding(
        key,
        shown,
        audience=kb.pop("audience", VERIFIER),
        nonce=kb.pop("nonce", NONCE),
        iat=kb.pop("iat", now(node)),
        **kb,
    )


def verify(wallet: TestClient, shown: str, **changes: object) -> tuple[int, dict[str, Any]]:
    body = {"presentation": shown, "audience": VERIFIER, "nonce": NONCE, **changes}
    answer = wallet.post("/identity/credentials/verify", json=body)
    found: dict[str, Any] = answer.json()
    return answer.status_code, found


@pytest.fixture
def issued(node: Node) -> tuple[TestClient, WalletKey, ParsedSdJwt]:
    key = WalletKey()
    wallet, sd_jwt, _token = obtain(node, key, business="Chez Marie")
    return wallet, key, parse_sd_jwt(sd_jwt)


def test_every_subset_of_the_disclosures_in_any_order_is_accepted(
    node: Node, issued: tuple[TestClient, WalletKey, ParsedSdJwt]
) -> None:
    wallet, key, parsed = issued
    assert set(parsed.disclosures) == set(CLAIMS)
    for size in range(len(CLAIMS) + 1):
        for chosen in itertools.combinations(CLAIMS, size):
            names = list(reversed(chosen))
            status, body = verify(wallet, bound(node, key, parsed, names))
            assert status == 200, (names, body)
            assert body["claims"] == {name: CLAIMS[name] for name in names}
            assert body["key_bound"] is True and body["iss"] == ISSUER
    # The kernel's verifier, finding keys and status over HTTP as another app would.
    verified = verify_presentation(
        bound(node, key, parsed, ["sector"]),
        trusted_issuers={ISSUER},
        audience=VERIFIER,
        nonce=NONCE,
        fetch=node.fetch,
        clock=node.clock,
    )
    assert verified.disclosed == frozenset({"sector"})


def test_a_tampered_or_foreign_disclosure_is_refused(
    node: Node, issued: tuple[TestClient, WalletKey, ParsedSdJwt]
) -> None:
    wallet, key, parsed = issued
    salt = str(parsed.disclosures["business_name"][0])
    forged = disclosure(salt, "business_name", "Someone Else Ltd")
    # The holder signs the forged presentation properly: only the digest can give it away.
    for replacement in (forged, disclosure("a-salt-never-issued", "sector", "banking")):
        shown = f"{parsed.jwt}~{replacement}~"
        kb = key_binding(key, shown, audience=VERIFIER, nonce=NONCE, iat=now(node))
        status, body = verify(wallet, shown + kb)
        assert (status, body["reason"]) == (400, "disclosure"), replacement


def test_a_key_binding_that_is_forged_or_bound_to_something_else_is_refused(
    node: Node, issued: tuple[TestClient, WalletKey, ParsedSdJwt]
) -> None:
    wallet, key, parsed = issued
    names = ["sector", "business_name"]
    shown = presentation(parsed, names)
    at = now(node)
    forged = [
        bound(node, WalletKey(), parsed, names),  # not the key in cnf
        bound(node, key, parsed, names, nonce="another-nonce"),
        bound(node, key, parsed, names, audience="https://elsewhere.example"),
        bound(node, key, parsed, names, typ="JWT"),
        # RFC 9901 section 4.3: `aud` is a single string, not an array that names the verifier.
        bound(node, key, parsed, names, audience=[VERIFIER, "https://elsewhere.example"]),
        bound(node, key, parsed, names, iat=at + 3600),
        bound(node, key, parsed, names, iat=at - 3600),
        # sd_hash over the presentation without its last ~, over the issuer JWT alone, or
        # over fewer disclosures than are shown.
        bound(node, key, parsed, names, sd_hash=sd_digest(shown[:-1])),
        bound(node, key, parsed, names, sd_hash=sd_digest(parsed.jwt)),
        bound(node, key, parsed, names, sd_hash=sd_digest(presentation(parsed, ["sector"]))),
        # An unsigned KB-JWT (alg none).
        shown
        + f"{b64(compact_json({'alg': 'none', 'typ': 'kb+jwt'}))}."
        + b64(
            compact_json({"iat": at, "aud": VERIFIER, "nonce": NONCE, "sd_hash": sd_digest(shown)})
        )
        + ".",
    ]
    for number, attempt in enumerate(forged):
        status, body = verify(wallet, attempt)
        # The unsigned one is not even a JWS here: its empty signature is malformed.
        assert status == 400 and body["reason"] in ("key_binding", "malformed"), (number, body)
    # A disclosure added after the holder signed changes the hash the KB-JWT covers.
    signed = bound(node, key, parsed, ["sector"])
    jwt, sector, kb = signed.split("~")
    added = f"{jwt}~{sector}~{parsed.encoded['owner_name']}~{kb}"
    assert verify(wallet, added)[1]["reason"] == "key_binding"
    # No key binding where the verifier asks for one.
    assert verify(wallet, shown)[1]["reason"] == "key_binding"


def test_an_expired_credential_is_refused(
    node: Node, issued: tuple[TestClient, WalletKey, ParsedSdJwt]
) -> None:
    wallet, key, parsed = issued
    expiry = parsed.payload["exp"]
    assert isinstance(expiry, int)
    node.clock.advance(timedelta(seconds=expiry - now(node) + 3600))
    status, body = verify(wallet, bound(node, key, parsed, ["sector"]))
    assert (status, body["reason"]) == (400, "issuer_expired")


def test_a_revoked_credential_is_refused_by_the_endpoint_and_by_the_kernel(
    node: Node, issued: tuple[TestClient, WalletKey, ParsedSdJwt]
) -> None:
    wallet, key, parsed = issued
    shown = bound(node, key, parsed, ["sector"])
    assert verify(wallet, shown)[0] == 200
    with node.database.transaction() as session:
        (only,) = service.recent_credentials(session)
        service.revoke(session, credential_id=only.id, actor="operator:test", clock=node.clock)
    status, body = verify(wallet, shown)
    assert (status, body["reason"]) == (400, "revoked")
    with pytest.raises(SdJwtError) as refused:
        verify_presentation(
            shown,
            trusted_issuers={ISSUER},
            audience=VERIFIER,
            nonce=NONCE,
            fetch=node.fetch,
            clock=node.clock,
        )
    assert refused.value.reason == "revoked"


@pytest.mark.parametrize(
    ("claim", "offset"), [("exp", -3600), ("nbf", 3600)], ids=["expired", "not-yet-valid"]
)
def test_rfc_9901_validity_claims_are_checked_in_the_processed_payload(
    node: Node, claim: str, offset: int
) -> None:
    """RFC 9901 section 7.1: `exp` and `nbf` are checked after the disclosures are applied,
    so an issuer that made one disclosable cannot have it skipped."""
    issuer = WalletKey()
    hidden = disclosure("c2FsdC1vZi1leHA", claim, now(node) + offset)
    payload = {"iss": "https://other.example", "_sd": [sd_digest(hidden)], "_sd_alg": "sha-256"}
    jwt = issuer.sign({"alg": "ES256", "typ": "example+sd-jwt"}, payload)
    key = import_jwk({**issuer.jwk, "kid": "issuer"})
    arguments: dict[str, Any] = {
        "issuer": "https://other.example",
        "audience": None,
        "nonce": None,
        "require_key_binding": False,
        "typ": "example+sd-jwt",
        "clock": node.clock,
    }
    # Without the disclosure, the claim is unknown and the SD-JWT verifies.
    assert verify_sd_jwt(f"{jwt}~", key, **arguments).claims == {"iss": "https://other.example"}
    with pytest.raises(SdJwtError) as refused:
        verify_sd_jwt(f"{jwt}~{hidden}~", key, **arguments)
    assert refused.value.reason in ("issuer_expired", "issuer_not_yet_valid")


def test_an_sd_jwt_vc_with_nothing_disclosable_carries_no_sd_claim_and_no_disclosure() -> None:
    """SD-JWT VC: without selectively disclosable claims, "the SD-JWT VC MUST NOT contain the
    `_sd` claim" and has no Disclosures; decoys alone would break that."""
    issued = issue_sd_jwt(
        {"iss": ISSUER, "vct": f"{ISSUER}/credentials/plain"},
        {},
        generate_jwk("P-256"),
        holder_key=None,
        ttl_seconds=60,
    )
    assert issued.serialized.endswith("~") and issued.serialized.count("~") == 1
    _header, payload = jws_parts(issued.jwt)
    assert "_sd" not in payload and "_sd_alg" not in payload


@pytest.mark.parametrize("typ", ["dc+sd-jwt", "vc+sd-jwt"])
def test_the_verifier_accepts_the_current_and_the_transitional_sd_jwt_vc_type(typ: str) -> None:
    """SD-JWT VC recommends accepting `vc+sd-jwt`, its `typ` until November 2024, beside
    `dc+sd-jwt`; any other type stays refused."""
    issuer_key = generate_jwk("P-256")
    for kind in (typ, "example+sd-jwt"):
        credential = issue_sd_jwt(
            {"iss": ISSUER, "vct": f"{ISSUER}/credentials/age-over-18"},
            {"age_over_18": True},
            issuer_key,
            holder_key=None,
            ttl_seconds=60,
            typ=kind,
        ).serialized

        def check(shown: str = credential) -> dict[str, object]:
            return verify_presentation(
                shown,
                trusted_issuers={ISSUER},
                audience=None,
                nonce=None,
                issuer_keys=[issuer_key.public()],
                require_key_binding=False,
            ).claims

        if kind == typ:
            assert check()["age_over_18"] is True
        else:
            with pytest.raises(SdJwtError) as refused:
                check()
            assert refused.value.reason == "issuer_type"
