"""The issuer and the verifier held to the letter of OpenID4VCI 1.0, RFC 9901 (SD-JWT) and the
SD-JWT VC draft, as a wallet written from those texts alone would hold them: each answer the
specifications name, and never a server error for input a wallet or a verifier can send."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from comptoir.kernel.crypto import Jwk, generate_jwk, issue_jwt, sign_jws
from comptoir.kernel.crypto.sdjwt import issue_sd_jwt, make_disclosure, present, verify_presentation
from comptoir.kernel.crypto.sdjwt.core import SdJwtError

from .conftest import ADULT, ISSUER, PRE_AUTHORIZED, Node, csrf, offer_from, proof

VERIFIER = "https://seller.example.org"
# RFC 6749 section 5.2 and OpenID4VCI 1.0 section 8.3.1.2: the characters error_description
# may hold.
ALLOWED_IN_DESCRIPTION = {chr(code) for code in range(0x20, 0x7F)} - {'"', "\\"}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def deeply_nested(depth: int = 5000) -> str:
    return "[" * depth + "]" * depth


def code_of(document: dict[str, object]) -> str:
    grants = document["grants"]
    assert isinstance(grants, dict)
    return str(grants[PRE_AUTHORIZED]["pre-authorized_code"])


def token_for(wallet: TestClient, document: dict[str, object], tx_code: str | None) -> str:
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code_of(document)}
    if tx_code is not None:
        form["tx_code"] = tx_code
    answer = wallet.post("/identity/vci/token", data=form)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def nonce(wallet: TestClient) -> str:
    return str(wallet.post("/identity/vci/nonce").json()["c_nonce"])


def ask(wallet: TestClient, token: str, body: object, **headers: str) -> Any:
    """POST a credential request; the answer's JSON with its status as `_status`."""
    answer = wallet.post(
        "/identity/vci/credential",
        content=body if isinstance(body, bytes) else json.dumps(body).encode(),
        headers={
            "authorization": f"Bearer {token}",
            "content-type": "application/json",
            **headers,
        },
    )
    assert answer.headers["content-type"].startswith("application/json"), answer.text
    found: dict[str, Any] = answer.json()
    found["_status"] = answer.status_code
    found["_www_authenticate"] = answer.headers.get("www-authenticate")
    return found


def offered_token(node: Node, holder_phone: str = "+17585550101") -> tuple[TestClient, str]:
    marie = node.enrol(holder_phone, born=ADULT)
    wallet = node.client()
    return wallet, token_for(wallet, *node.offer(marie, "age-over-18"))


def test_a_token_request_without_the_offers_transaction_code_is_an_invalid_request(
    node: Node,
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    document, tx_code = node.offer(marie, "age-over-18")
    assert tx_code is not None
    wallet = node.client()
    for _attempt in range(3):
        missing = wallet.post(
            "/identity/vci/token",
            data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code_of(document)},
        )
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    # A request that forgot the code is not a guess: it does not count towards burning it.
    assert token_for(wallet, document, tx_code)


def test_a_transaction_code_sent_for_an_offer_without_one_is_an_invalid_request(
    node: Node,
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    answer = browser.post(
        "/identity/me/credentials/offer",
        data={"csrf_token": csrf(page.text), "credential": "age-over-18", "tx_code": "no"},
    )
    document, tx_code = offer_from(answer.text)
    assert tx_code is None
    wallet = node.client()
    extra = wallet.post(
        "/identity/vci/token",
        data={
            "grant_type": PRE_AUTHORIZED,
            "pre-authorized_code": code_of(document),
            "tx_code": "123456",
        },
    )
    assert extra.status_code == 400 and extra.json()["error"] == "invalid_request"
    assert token_for(wallet, document, None)


def test_a_credential_request_without_proofs_or_with_malformed_proofs_is_an_invalid_proof(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    good = proof(holder, nonce=nonce(wallet), clock=node.clock)
    malformed: tuple[object, ...] = (
        None,
        {"jwt": good},
        {"jwt": []},
        {"di_vp": [good]},
        {"jwt": [good, good]},
    )
    for proofs in malformed:
        body: dict[str, object] = {"credential_configuration_id": "age-over-18"}
        if proofs is not None:
            body["proofs"] = proofs
        answer = ask(wallet, token, body)
        assert answer["_status"] == 400 and answer["error"] == "invalid_proof", (proofs, answer)
    # None of these spent the nonce: the proof still works.
    answer = ask(
        wallet, token, {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [good]}}
    )
    assert answer["_status"] == 200, answer


def test_a_proof_without_a_nonce_is_an_invalid_proof_and_a_wrong_nonce_an_invalid_nonce(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    no_nonce = issue_jwt(
        {},
        holder,
        audience=ISSUER,
        ttl_seconds=None,
        typ="openid4vci-proof+jwt",
        headers={"jwk": holder.public().to_dict()},
        include_kid=False,
        clock=node.clock,
    )
    body = {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [no_nonce]}}
    assert ask(wallet, token, body)["error"] == "invalid_proof"
    wrong = proof(holder, nonce="not-one-of-ours", clock=node.clock)
    body = {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [wrong]}}
    assert ask(wallet, token, body)["error"] == "invalid_nonce"


def test_a_credential_request_that_is_not_a_json_object_gets_an_oauth_error_not_a_problem(
    node: Node,
) -> None:
    wallet, token = offered_token(node)
    for body in (b"not json", b"[1, 2]", json.dumps(deeply_nested()).encode()):
        answer = ask(wallet, token, body)
        assert answer["_status"] == 400 and answer["error"] == "invalid_credential_request"
    answer = ask(wallet, token, {"proofs": {"jwt": ["x"]}})
    assert answer["_status"] == 400 and answer["error"] == "invalid_credential_request"
    answer = ask(wallet, token, {"credential_identifier": "x", "proofs": {"jwt": ["x"]}})
    assert answer["error"] == "unknown_credential_identifier"


def test_a_configuration_the_token_does_not_cover_is_an_authorization_error(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    jwt = proof(holder, nonce=nonce(wallet), clock=node.clock)
    unknown = ask(
        wallet, token, {"credential_configuration_id": "no-such-thing", "proofs": {"jwt": [jwt]}}
    )
    assert unknown["_status"] == 400 and unknown["error"] == "unknown_credential_configuration"
    # Known to the issuer, but not what this token was issued for: RFC 6750 section 3.1.
    other = ask(
        wallet,
        token,
        {"credential_configuration_id": "registered-business", "proofs": {"jwt": [jwt]}},
    )
    assert other["_status"] == 403 and other["error"] == "insufficient_scope"
    assert other["_www_authenticate"] == 'Bearer error="insufficient_scope"'


def test_a_second_request_once_the_credential_is_issued_is_denied_with_a_400(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    for expected in (200, 400):
        jwt = proof(holder, nonce=nonce(wallet), clock=node.clock)
        answer = ask(
            wallet, token, {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}}
        )
        assert answer["_status"] == expected, answer
    assert answer["error"] == "credential_request_denied"


def test_error_descriptions_hold_only_the_characters_oauth_allows_whatever_the_language(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    for language in ("fr", "en"):
        wrong = proof(holder, nonce="not-one-of-ours", clock=node.clock)
        answer = ask(
            wallet,
            token,
            {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [wrong]}},
            **{"accept-language": language},
        )
        description = answer["error_description"]
        assert description and set(description) <= ALLOWED_IN_DESCRIPTION, description
    marie_code = wallet.post(
        "/identity/vci/token",
        data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "unknown"},
        headers={"accept-language": "fr"},
    )
    assert set(marie_code.json()["error_description"]) <= ALLOWED_IN_DESCRIPTION


def test_every_proof_algorithm_the_metadata_lists_is_accepted(node: Node) -> None:
    metadata = node.client().get("/.well-known/openid-credential-issuer/identity/vci").json()
    configuration = metadata["credential_configurations_supported"]["age-over-18"]
    listed = configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    assert "ES256" in listed and "EdDSA" in listed
    ed25519 = generate_jwk("Ed25519")
    wallet, token = offered_token(node)
    jwt = proof(ed25519, nonce=nonce(wallet), clock=node.clock)
    answer = ask(
        wallet, token, {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}}
    )
    assert answer["_status"] == 200, answer


def test_proofs_nested_too_deeply_for_json_are_invalid_proofs_not_server_errors(
    node: Node, holder: Jwk
) -> None:
    wallet, token = offered_token(node)
    header_too_deep = f"{b64(deeply_nested().encode())}.{b64(b'{}')}.AAAA"
    # Signed by the wallet's own key, so the signature holds and the claims are parsed.
    claims = json.dumps({"aud": ISSUER, "nonce": nonce(wallet)})[:-1]
    payload = f'{claims}, "deep": {deeply_nested(3000)}}}'.encode()
    claims_too_deep = sign_jws(
        payload,
        holder,
        typ="openid4vci-proof+jwt",
        headers={"jwk": holder.public().to_dict()},
        include_kid=False,
    )
    for jwt in (header_too_deep, claims_too_deep):
        answer = ask(
            wallet, token, {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}}
        )
        assert answer["_status"] == 400 and answer["error"] == "invalid_proof", answer


def test_presentations_nested_too_deeply_for_json_are_refused_not_server_errors(
    node: Node, holder: Jwk
) -> None:
    issued = issue_sd_jwt(
        {"iss": ISSUER, "vct": f"{ISSUER}/credentials/age-over-18"},
        {"age_over_18": True},
        node.app.state.credential_issuer_key,
        holder_key=holder,
        ttl_seconds=3600,
        clock=node.clock,
    )
    jwt = issued.jwt
    disclosure_too_deep = b64(f'["salt", "name", {deeply_nested()}]'.encode())
    # Not so deep that JSON refuses it, but deep enough for a recursive walk to.
    disclosure_rather_deep = b64(f'["salt", "name", {deeply_nested(900)}]'.encode())
    payload_too_deep = f"{b64(b'{}')}.{b64(deeply_nested().encode())}.AAAA~"
    sd_jwt = present(issued.serialized, disclose={"age_over_18"})
    kb_header_too_deep = f"{b64(deeply_nested(3000).encode())}.{b64(b'{}')}.AAAA"
    kb_claims_too_deep = sign_jws(
        f'{{"aud": "{VERIFIER}", "deep": {deeply_nested(3000)}}}'.encode(), holder, typ="kb+jwt"
    )
    client = node.client()
    for presentation in (
        f"{jwt}~{disclosure_too_deep}~",
        f"{jwt}~{disclosure_rather_deep}~",
        payload_too_deep,
        sd_jwt + kb_header_too_deep,
        sd_jwt + kb_claims_too_deep,
    ):
        answer = client.post(
            "/identity/credentials/verify",
            json={
                "presentation": presentation,
                "audience": VERIFIER,
                "nonce": "n",
                "require_key_binding": False,
            },
        )
        assert answer.status_code == 400, (presentation[-60:], answer.text)


def test_a_verifier_refuses_an_sd_jwt_vc_whose_status_or_expiry_was_made_disclosable(
    node: Node, holder: Jwk
) -> None:
    """SD-JWT VC section 3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity and status "MUST NOT
    be included in the Disclosures"; a credential that hides one of them (here its expiry,
    which the signature check cannot then see) is no SD-JWT VC."""
    key = node.app.state.credential_issuer_key
    # An expiry still to come: a past one is refused as expired, disclosed or not.
    later = int(node.clock.now().timestamp()) + 3600
    for name, value in (("exp", later), ("status", {"status_list": {"idx": 0, "uri": "x"}})):
        disclosure = make_disclosure(name, value)
        payload = {
            "iss": ISSUER,
            "vct": f"{ISSUER}/credentials/age-over-18",
            "_sd": [disclosure.digest],
            "_sd_alg": "sha-256",
            "cnf": {"jwk": holder.public().to_dict()},
        }
        jwt = sign_jws(json.dumps(payload).encode(), key, typ="dc+sd-jwt")
        presentation = present(
            f"{jwt}~{disclosure.encoded}~",
            disclose={name},
            holder_key=holder,
            audience=VERIFIER,
            nonce="n",
            clock=node.clock,
        )
        with pytest.raises(SdJwtError) as refused:
            verify_presentation(
                presentation,
                trusted_issuers={ISSUER},
                audience=VERIFIER,
                nonce="n",
                issuer_keys=[key.public()],
                check_status_list=False,
                clock=node.clock,
            )
        assert refused.value.reason == "malformed", name


def test_the_bearer_access_token_lives_no_longer_than_five_minutes(node: Node, holder: Jwk) -> None:
    """OpenID4VCI 1.0, "Protecting the Access Token": "Long-lived Access Tokens giving access
    to Credentials MUST not be issued unless sender-constrained"; more than five minutes is
    long lived."""
    marie = node.enrol("+17585550101", born=ADULT)
    document, tx_code = node.offer(marie, "age-over-18")
    wallet = node.client()
    answer = wallet.post(
        "/identity/vci/token",
        data={
            "grant_type": PRE_AUTHORIZED,
            "pre-authorized_code": code_of(document),
            "tx_code": tx_code or "",
        },
    )
    assert answer.json()["expires_in"] <= 300
    token = answer.json()["access_token"]
    jwt = proof(holder, nonce=nonce(wallet), clock=node.clock)
    node.clock.advance(timedelta(minutes=5, seconds=1))
    late = ask(
        wallet, token, {"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}}
    )
    assert late["_status"] == 401 and late["error"] == "invalid_token"
