"""OpenID4VCI 1.0, SD-JWT VC and Token Status List as an independent wallet sees them: every
document the issuer serves is read by the field names of the published texts, and every
signature is checked with code that shares nothing with the issuer's."""

from __future__ import annotations

import math
from typing import Any

from comptoir.identity.credentials import service

from .conftest import ADULT, ISSUER, PRE_AUTHORIZED, Node
from .independent import (
    WalletKey,
    es256_valid,
    jws_parts,
    parse_sd_jwt,
    sd_digest,
    status_at,
    unb64,
)
from .wallet import issuer_key, local, obtain, wallet_proof


def test_the_issuer_metadata_uses_the_field_names_of_openid4vci_1_0(node: Node) -> None:
    metadata = node.client().get("/.well-known/openid-credential-issuer/identity/vci")
    assert metadata.status_code == 200
    assert metadata.headers["content-type"].startswith("application/json")
    body = metadata.json()
    assert body["credential_issuer"] == ISSUER
    assert body["nonce_endpoint"].startswith(ISSUER) and body["credential_endpoint"]
    # Names of the drafts before 1.0 are gone.
    assert not {"credentials_supported", "batch_credential_endpoint"} & set(body)
    for identifier, configuration in body["credential_configurations_supported"].items():
        assert configuration["format"] == "dc+sd-jwt", identifier
        assert configuration["vct"].startswith("http")
        assert "jwk" in configuration["cryptographic_binding_methods_supported"]
        jwt = configuration["proof_types_supported"]["jwt"]
        assert "ES256" in jwt["proof_signing_alg_values_supported"]
        assert all(
            isinstance(alg, str) for alg in configuration["credential_signing_alg_values_supported"]
        )
        for claim in configuration["credential_metadata"]["claims"]:
            assert isinstance(claim["path"], list) and claim["path"]
            assert {"name", "locale"} <= set(claim["display"][0])


def test_an_issued_credential_is_an_sd_jwt_vc_bound_to_the_wallet_key(node: Node) -> None:
    key = WalletKey()
    wallet, issued, _token = obtain(node, key)
    parsed = parse_sd_jwt(issued)
    assert parsed.header["typ"] == "dc+sd-jwt" and parsed.header["alg"] == "ES256"
    assert es256_valid(parsed.jwt, issuer_key(wallet, parsed.header.get("kid")))
    payload = parsed.payload
    metadata = wallet.get("/.well-known/openid-credential-issuer/identity/vci").json()
    assert payload["iss"] == ISSUER
    assert payload["vct"] == metadata["credential_configurations_supported"]["age-over-18"]["vct"]
    assert isinstance(payload["iat"], int) and isinstance(payload["exp"], int)
    assert payload["exp"] > payload["iat"] == math.floor(node.clock.now().timestamp())
    bound = payload["cnf"]["jwk"]  # type: ignore[index]
    assert {name: bound[name] for name in key.jwk} == key.jwk and "d" not in bound
    reference = payload["status"]["status_list"]  # type: ignore[index]
    assert isinstance(reference["idx"], int) and reference["uri"].startswith("http")
    # The value sits in a disclosure only, behind its sha-256 digest, among decoys.
    assert payload["_sd_alg"] == "sha-256" and "age_over_18" not in payload
    digests = payload["_sd"]
    assert isinstance(digests, list)
    assert list(parsed.disclosures) == ["age_over_18"]
    assert sd_digest(parsed.encoded["age_over_18"]) in digests
    assert len(digests) > len(parsed.disclosures), "decoy digests hide the number of claims"
    salt, _name, value = parsed.disclosures["age_over_18"]
    assert value is True and isinstance(salt, str) and len(unb64(salt)) >= 16


def test_the_status_list_token_is_served_as_the_draft_defines_and_marks_a_revocation(
    node: Node,
) -> None:
    wallet, issued, _token = obtain(node, WalletKey())
    reference = parse_sd_jwt(issued).payload["status"]["status_list"]  # type: ignore[index]
    uri, index = reference["uri"], reference["idx"]

    def fetch() -> tuple[dict[str, object], dict[str, object]]:
        answer = wallet.get(
            local(uri),
            headers={"accept": "application/statuslist+jwt", "origin": "https://shop.example"},
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/statuslist+jwt"
        # Browser-based verifiers may read it (CORS), as the draft recommends.
        assert answer.headers["access-control-allow-origin"] == "*"
        header, claims = jws_parts(answer.text)
        assert header["typ"] == "statuslist+jwt"
        assert es256_valid(answer.text, issuer_key(wallet, header.get("kid")))
        return header, claims

    _header, claims = fetch()
    assert claims["sub"] == uri
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)
    assert isinstance(claims["ttl"], int) and claims["ttl"] > 0
    status_list = claims["status_list"]
    assert isinstance(status_list, dict) and status_list["bits"] == 1
    assert status_at(status_list, index) == 0
    with node.database.transaction() as session:
        (only,) = service.recent_credentials(session)
        service.revoke(session, credential_id=only.id, actor="operator:test", clock=node.clock)
    _header, claims = fetch()
    status_list = claims["status_list"]
    assert isinstance(status_list, dict)
    assert status_at(status_list, index) == 1
    # Exactly one bit is set, the one the index names when counting from each byte's
    # least significant bit.
    data = __import__("zlib").decompress(unb64(str(status_list["lst"])))
    ones = [
        byte * 8 + bit for byte, value in enumerate(data) for bit in range(8) if value >> bit & 1
    ]
    assert ones == [index]


def test_a_proof_not_made_as_openid4vci_asks_is_an_invalid_proof(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    key = WalletKey()
    document, tx_code = node.offer(marie, "age-over-18")
    wallet = node.client()
    grant = document["grants"][PRE_AUTHORIZED]  # type: ignore[index]
    token = wallet.post(
        "/identity/vci/token",
        data={
            "grant_type": PRE_AUTHORIZED,
            "pre-authorized_code": grant["pre-authorized_code"],
            "tx_code": str(tx_code),
        },
    ).json()["access_token"]
    now = math.floor(node.clock.now().timestamp())

    def ask(body: dict[str, object]) -> dict[str, Any]:
        answer = wallet.post(
            "/identity/vci/credential", json=body, headers={"authorization": f"Bearer {token}"}
        )
        found: dict[str, Any] = answer.json()
        found["_status"] = answer.status_code
        return found

    def with_proof(jwt: str) -> dict[str, object]:
        return {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}}

    c_nonce = wallet.post("/identity/vci/nonce").json()["c_nonce"]
    for changes in (
        {"typ": "JWT"},
        {"aud": "https://another-issuer.example"},
        {"iat": None},
        {"iat": now + 3600},
        {"iat": now - 3600},
    ):
        refused = ask(with_proof(wallet_proof(key, c_nonce, now, **changes)))
        assert (refused["_status"], refused["error"]) == (400, "invalid_proof"), changes
    signed_by_another = wallet_proof(key, c_nonce, now, jwk=WalletKey().jwk)
    assert ask(with_proof(signed_by_another))["error"] == "invalid_proof"
    unknown = ask(with_proof(wallet_proof(key, "a-nonce-never-given", now)))
    assert (unknown["_status"], unknown["error"]) == (400, "invalid_nonce")
    other = {**with_proof(wallet_proof(key, c_nonce, now)), "credential_configuration_id": "x"}
    assert ask(other)["error"] == "unknown_credential_configuration"
    both = {**with_proof(wallet_proof(key, c_nonce, now)), "credential_identifier": "x"}
    assert ask(both)["error"] == "invalid_credential_request"
    # No response encryption is offered, so a request for it is refused rather than answered
    # in the clear.
    encrypted = {
        **with_proof(wallet_proof(key, c_nonce, now)),
        "credential_response_encryption": {"jwk": key.jwk, "enc": "A128GCM"},
    }
    metadata = wallet.get("/.well-known/openid-credential-issuer/identity/vci").json()
    assert "credential_response_encryption" not in metadata
    assert ask(encrypted)["error"] == "invalid_encryption_parameters"
    # After all those refusals the nonce and the token still work, once.
    accepted = ask(with_proof(wallet_proof(key, c_nonce, now)))
    assert accepted["_status"] == 200, accepted


def test_a_credential_request_without_a_token_is_challenged_without_an_error_code(
    node: Node,
) -> None:
    """RFC 6750 section 3.1, which OpenID4VCI 1.0 section 8.3.1.1 applies: a request that
    carries no access token gets a bare Bearer challenge; a wrong token gets invalid_token."""
    wallet = node.client()
    body = {"credential_configuration_id": "age-over-18", "proofs": {"jwt": ["x.y.z"]}}
    for headers in ({}, {"authorization": "Basic dXNlcjpwYXNz"}):
        missing = wallet.post("/identity/vci/credential", json=body, headers=headers)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = wallet.post(
        "/identity/vci/credential", json=body, headers={"authorization": "Bearer not-a-token"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == 'Bearer error="invalid_token"'
