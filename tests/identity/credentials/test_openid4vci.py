"""OpenID4VCI's pre-authorized code flow over HTTP: offer, token, nonce, credential with a
proof of possession, then a presentation that the verification endpoint accepts."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from comptoir.kernel.crypto import Jwk, generate_jwk
from comptoir.kernel.crypto.sdjwt import present, verify_presentation

from .conftest import ADULT, ISSUER, MINOR, PRE_AUTHORIZED, Node, Person, csrf, proof

VERIFIER = "https://seller.example.org"


def token_for(client: TestClient, document: dict[str, object], tx_code: str | None) -> str:
    grants = document["grants"]
    assert isinstance(grants, dict)
    code = grants[PRE_AUTHORIZED]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    answer = client.post("/identity/vci/token", data=form)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and answer.headers["cache-control"] == "no-store"
    return str(body["access_token"])


def nonce(client: TestClient) -> str:
    answer = client.post("/identity/vci/nonce")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["c_nonce"])


def request_credential(
    client: TestClient, token: str, configuration: str, jwt: str
) -> dict[str, object]:
    answer = client.post(
        "/identity/vci/credential",
        json={"credential_configuration_id": configuration, "proofs": {"jwt": [jwt]}},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, object] = answer.json()
    body["status"] = answer.status_code
    return body


def obtain(node: Node, person: Person, credential: str, holder: Jwk) -> str:
    document, tx_code = node.offer(person, credential)
    wallet = node.client()
    token = token_for(wallet, document, tx_code)
    configuration = document["credential_configuration_ids"]
    assert isinstance(configuration, list)
    answer = request_credential(
        wallet, token, configuration[0], proof(holder, nonce=nonce(wallet), clock=node.clock)
    )
    assert answer["status"] == 200, answer
    credentials = answer["credentials"]
    assert isinstance(credentials, list)
    return str(credentials[0]["credential"])


def test_the_metadata_names_the_issuer_its_endpoints_and_credentials(node: Node) -> None:
    client = node.client()
    issuer = client.get("/.well-known/openid-credential-issuer/identity/vci").json()
    assert issuer["credential_issuer"] == ISSUER
    assert issuer["credential_endpoint"] == f"{ISSUER}/credential"
    assert issuer["nonce_endpoint"] == f"{ISSUER}/nonce"
    business = issuer["credential_configurations_supported"]["registered-business"]
    assert business["format"] == "dc+sd-jwt"
    assert business["vct"] == f"{ISSUER}/credentials/registered-business"
    assert business["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == [
        "ES256",
        "EdDSA",
        "Ed25519",
    ]
    server = client.get("/.well-known/oauth-authorization-server/identity/vci").json()
    assert server["issuer"] == ISSUER and server["token_endpoint"] == f"{ISSUER}/token"
    assert PRE_AUTHORIZED in server["grant_types_supported"]
    described = client.get(business["vct"].removeprefix("http://testserver")).json()
    assert described["vct"] == business["vct"]
    assert [claim["path"] for claim in described["claims"]] == [
        ["business_name"],
        ["registration_number"],
        ["sector"],
        ["owner_name"],
    ]
    assert client.get("/identity/vci/credentials/passport").status_code == 404
    keys = client.get("/identity/vci/jwks").json()["keys"]
    assert len(keys) == 1 and "d" not in keys[0] and keys[0]["crv"] == "P-256"


def test_the_pre_authorized_flow_issues_a_business_credential_that_verifies(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie")
    sd_jwt = obtain(node, marie, f"registered-business:{marie.business_id}", holder)
    shown = present(
        sd_jwt,
        disclose={"business_name", "sector"},
        holder_key=holder,
        audience=VERIFIER,
        nonce="verifier-nonce",
        clock=node.clock,
    )
    answer = node.client().post(
        "/identity/credentials/verify",
        json={"presentation": shown, "audience": VERIFIER, "nonce": "verifier-nonce"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["claims"] == {"business_name": "Chez Marie", "sector": "food"}
    assert body["vct"] == f"{ISSUER}/credentials/registered-business"
    assert body["key_bound"] is True
    # A seller app verifies with the kernel alone, finding the keys over HTTP.
    verified = verify_presentation(
        shown,
        trusted_issuers={ISSUER},
        audience=VERIFIER,
        nonce="verifier-nonce",
        fetch=node.fetch,
        clock=node.clock,
    )
    assert verified.claims["business_name"] == "Chez Marie"


def test_an_adult_gets_an_age_credential_that_shows_no_birthdate(node: Node, holder: Jwk) -> None:
    kwame = node.enrol("+17585550102", born=ADULT)
    sd_jwt = obtain(node, kwame, "age-over-18", holder)
    assert "1990" not in sd_jwt
    shown = present(
        sd_jwt,
        disclose={"age_over_18"},
        holder_key=holder,
        audience=VERIFIER,
        nonce="n",
        clock=node.clock,
    )
    claims = verify_presentation(
        shown,
        trusted_issuers={ISSUER},
        audience=VERIFIER,
        nonce="n",
        fetch=node.fetch,
        clock=node.clock,
    ).claims
    assert claims["age_over_18"] is True and "birthdate" not in claims


def test_a_reused_pre_authorized_code_is_refused(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    document, tx_code = node.offer(marie, "age-over-18")
    wallet = node.client()
    token_for(wallet, document, tx_code)
    grants = document["grants"]
    assert isinstance(grants, dict)
    again = wallet.post(
        "/identity/vci/token",
        data={
            "grant_type": PRE_AUTHORIZED,
            "pre-authorized_code": grants[PRE_AUTHORIZED]["pre-authorized_code"],
            "tx_code": tx_code or "",
        },
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_wrong_transaction_code_is_refused_and_three_burn_the_offer(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    document, tx_code = node.offer(marie, "age-over-18")
    assert tx_code is not None
    grants = document["grants"]
    assert isinstance(grants, dict)
    assert grants[PRE_AUTHORIZED]["tx_code"]["length"] == len(tx_code)
    code = grants[PRE_AUTHORIZED]["pre-authorized_code"]
    wrong = "000000" if tx_code != "000000" else "111111"
    wallet = node.client()
    for _attempt in range(3):
        answer = wallet.post(
            "/identity/vci/token",
            data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, "tx_code": wrong},
        )
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    answer = wallet.post(
        "/identity/vci/token",
        data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, "tx_code": tx_code},
    )
    assert answer.status_code == 400


def test_a_proof_with_a_wrong_or_reused_nonce_is_refused(node: Node, holder: Jwk) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    document, tx_code = node.offer(marie, "age-over-18")
    wallet = node.client()
    token = token_for(wallet, document, tx_code)
    made_up = request_credential(
        wallet, token, "age-over-18", proof(holder, nonce="made-up", clock=node.clock)
    )
    assert made_up["status"] == 400 and made_up["error"] == "invalid_nonce"
    fresh = nonce(wallet)
    node.clock.advance(timedelta(minutes=6))
    # The access token lives no longer than the nonce: a new offer gives a new one.
    token = token_for(wallet, *node.offer(marie, "age-over-18"))
    stale = request_credential(
        wallet, token, "age-over-18", proof(holder, nonce=fresh, clock=node.clock)
    )
    assert stale["error"] == "invalid_nonce"
    used = nonce(wallet)
    first = request_credential(
        wallet, token, "age-over-18", proof(holder, nonce=used, clock=node.clock)
    )
    assert first["status"] == 200
    # The nonce, like the offer, served once.
    other = node.offer(marie, "age-over-18")
    second = request_credential(
        wallet,
        token_for(wallet, *other),
        "age-over-18",
        proof(holder, nonce=used, clock=node.clock),
    )
    assert second["error"] == "invalid_nonce"


def test_a_proof_for_another_audience_or_signed_by_another_key_is_refused(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    wallet = node.client()
    token = token_for(wallet, *node.offer(marie, "age-over-18"))
    elsewhere = proof(
        holder, nonce=nonce(wallet), audience="https://else.example", clock=node.clock
    )
    assert request_credential(wallet, token, "age-over-18", elsewhere)["error"] == "invalid_proof"
    # A proof whose header names one key but is signed by another.
    forged = proof(generate_jwk("P-256"), nonce=nonce(wallet), clock=node.clock)
    header, payload, signature = forged.split(".")
    other = proof(holder, nonce=nonce(wallet), clock=node.clock).split(".")[0]
    spliced = f"{other}.{payload}.{signature}"
    assert request_credential(wallet, token, "age-over-18", spliced)["error"] == "invalid_proof"
    assert header != other


def test_the_credential_endpoint_needs_a_valid_access_token(node: Node, holder: Jwk) -> None:
    wallet = node.client()
    jwt = proof(holder, nonce=nonce(wallet), clock=node.clock)
    answer = wallet.post(
        "/identity/vci/credential",
        json={"credential_configuration_id": "age-over-18", "proofs": {"jwt": [jwt]}},
        headers={"authorization": "Bearer not-a-token"},
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    assert "invalid_token" in answer.headers["www-authenticate"]


def test_an_unverified_business_gets_no_business_credential(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie", verified=False)
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    assert "waiting for the registry to verify it" in page.text
    assert f"registered-business:{marie.business_id}" not in page.text
    answer = browser.post(
        "/identity/me/credentials/offer",
        data={
            "csrf_token": csrf(page.text),
            "credential": f"registered-business:{marie.business_id}",
        },
    )
    assert answer.status_code == 403
    assert "has not verified this business" in answer.text


def test_a_person_under_18_gets_no_age_credential(node: Node) -> None:
    young = node.enrol("+17585550103", born=MINOR)
    browser = node.browser(young)
    page = browser.get("/identity/me/credentials")
    assert 'value="age-over-18"' not in page.text
    answer = browser.post(
        "/identity/me/credentials/offer",
        data={"csrf_token": csrf(page.text), "credential": "age-over-18"},
    )
    assert answer.status_code == 403 and "not 18 yet" in answer.text


def test_an_offer_without_transaction_code_and_a_singular_proof_are_accepted(
    node: Node, holder: Jwk
) -> None:
    from comptoir.identity.credentials import service

    marie = node.enrol("+17585550101", born=ADULT)
    issuer = service.Issuer("http://testserver", node.app.state.credential_issuer_key, node.clock)
    with node.database.transaction() as session:
        made = service.create_offer(
            session,
            issuer=issuer,
            person_id=marie.id,
            kind="age-over-18",
            business_id=None,
            with_tx_code=False,
        )
    assert made.tx_code is None
    grants = made.document["grants"]
    assert isinstance(grants, dict) and "tx_code" not in grants[PRE_AUTHORIZED]
    wallet = node.client()
    token = token_for(wallet, made.document, None)
    # The singular `proof` of the drafts before 1.0, which deployed wallets still send.
    answer = wallet.post(
        "/identity/vci/credential",
        json={
            "credential_configuration_id": "age-over-18",
            "proof": {
                "proof_type": "jwt",
                "jwt": proof(holder, nonce=nonce(wallet), clock=node.clock),
            },
        },
        headers={"authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    again = request_credential(
        wallet, token, "age-over-18", proof(holder, nonce=nonce(wallet), clock=node.clock)
    )
    assert again["error"] == "credential_request_denied"
