"""The person's and the operator's pages: download bound to a pasted key, revocation through
the status list, the audit log, and French."""

from __future__ import annotations

import json

from markupsafe import escape

from comptoir.kernel import audit, audit_check
from comptoir.kernel.crypto import Jwk, import_jwks
from comptoir.kernel.crypto.sdjwt import present, split
from comptoir.kernel.crypto.status_list import INVALID, VALID, verify_status_list_token

from .conftest import ADULT, Node, csrf
from .test_openid4vci import VERIFIER, obtain


def test_a_download_is_bound_to_the_public_key_the_person_pastes(node: Node, holder: Jwk) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie")
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    assert "never its private key" in page.text
    answer = browser.post(
        "/identity/me/credentials/download",
        data={
            "csrf_token": csrf(page.text),
            "credential": f"registered-business:{marie.business_id}",
            "holder_jwk": json.dumps(holder.public().to_dict()),
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/dc+sd-jwt")
    assert "attachment" in answer.headers["content-disposition"]
    shown = present(
        answer.text,
        disclose={"registration_number"},
        holder_key=holder,
        audience=VERIFIER,
        nonce="n",
        clock=node.clock,
    )
    verified = node.client().post(
        "/identity/credentials/verify",
        json={"presentation": shown, "audience": VERIFIER, "nonce": "n"},
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["claims"] == {"registration_number": "LC-0101"}


def test_a_download_refuses_a_private_key_or_garbage_and_issues_nothing(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    for pasted, says in (
        (json.dumps(holder.to_dict(private=True)), "Never paste a private key"),
        ("not a key", "not a P-256 or Ed25519 public key"),
        ("", "Paste your wallet"),
    ):
        answer = browser.post(
            "/identity/me/credentials/download",
            data={"csrf_token": csrf(page.text), "credential": "age-over-18", "holder_jwk": pasted},
        )
        assert answer.status_code == 400
        assert says in answer.text
    assert (
        "No credential has been issued to you yet" in browser.get("/identity/me/credentials").text
    )


def test_the_person_revokes_their_credential_and_verifiers_refuse_it(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    sd_jwt = obtain(node, marie, "age-over-18", holder)
    shown = present(
        sd_jwt,
        disclose={"age_over_18"},
        holder_key=holder,
        audience=VERIFIER,
        nonce="n",
        clock=node.clock,
    )
    request = {"presentation": shown, "audience": VERIFIER, "nonce": "n"}
    assert node.client().post("/identity/credentials/verify", json=request).status_code == 200
    payload = json.loads(_b64(split(sd_jwt)[0].split(".")[1]))
    reference = payload["status"]["status_list"]
    keys = import_jwks(node.client().get("/identity/vci/jwks").json())

    def status() -> int:
        token = node.client().get(reference["uri"].removeprefix("http://testserver"))
        assert token.headers["content-type"].startswith("application/statuslist+jwt")
        return verify_status_list_token(
            token.text, keys, uri=reference["uri"], clock=node.clock
        ).get(reference["idx"])

    assert status() == VALID
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    action = page.text.split('action="/identity/me/credentials/', 2)[1].split('"')[0]
    assert action.endswith("/revoke")
    answer = browser.post(
        f"/identity/me/credentials/{action}",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert status() == INVALID
    refused = node.client().post("/identity/credentials/verify", json=request)
    assert refused.status_code == 400
    assert refused.json()["reason"] == "revoked"
    assert "revoked" in refused.json()["detail"]
    assert "Revoked on" in browser.get("/identity/me/credentials").text


def test_someone_else_cannot_revoke_a_persons_credential(node: Node, holder: Jwk) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    kwame = node.enrol("+17585550102", born=ADULT)
    obtain(node, marie, "age-over-18", holder)
    page = node.browser(marie).get("/identity/me/credentials")
    action = page.text.split('action="/identity/me/credentials/', 2)[1].split('"')[0]
    intruder = node.browser(kwame)
    intruder_page = intruder.get("/identity/me/credentials")
    answer = intruder.post(
        f"/identity/me/credentials/{action}", data={"csrf_token": csrf(intruder_page.text)}
    )
    assert answer.status_code == 404
    assert "Revoked on" not in node.browser(marie).get("/identity/me/credentials").text


def test_the_operator_revokes_a_credential_and_the_audit_log_keeps_no_value(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie")
    obtain(node, marie, f"registered-business:{marie.business_id}", holder)
    assert node.client().get("/operator/identity/credentials").status_code == 401
    operator = node.operator()
    page = operator.get("/operator/identity/credentials")
    assert page.status_code == 200 and "Registered business" in page.text
    assert "Chez Marie" not in page.text
    action = page.text.split('action="/operator/identity/credentials/', 1)[1].split('"')[0]
    answer = operator.post(
        f"/operator/identity/credentials/{action}",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    again = operator.post(
        f"/operator/identity/credentials/{action}", data={"csrf_token": csrf(page.text)}
    )
    assert again.status_code == 409
    with node.database.reading() as session:
        issued = audit.entries(session, action="identity.credential_issued")
        revoked = audit.entries(session, action="identity.credential_revoked")
        assert len(issued) == 1 and len(revoked) == 1
        assert revoked[0].actor == "operator:web"
        assert issued[0].details == {"kind": "registered-business", "channel": "openid4vci"}
        logged = json.dumps([entry.details for entry in issued + revoked])
        assert "Chez Marie" not in logged and "LC-" not in logged
        assert audit_check.verify(session).ok


def test_the_pages_speak_french_and_send_strangers_to_log_in(node: Node) -> None:
    answer = node.client().get("/identity/me/credentials", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/login?next=/identity/me/credentials"
    marie = node.enrol("+17585550101", born=ADULT)
    browser = node.browser(marie)
    browser.headers["accept-language"] = "fr"
    page = browser.get("/identity/me/credentials")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert len(page.content) < 50_000 and "<script" not in page.text


def test_an_offer_page_shows_a_qr_code_the_link_and_the_transaction_code(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    offer = browser.post(
        "/identity/me/credentials/offer",
        data={"csrf_token": csrf(page.text), "credential": "age-over-18"},
    )
    assert offer.status_code == 200
    assert "<svg" in offer.text and 'role="img"' in offer.text
    assert "openid-credential-offer://?credential_offer=" in offer.text
    assert offer.headers["cache-control"] == "no-store"
    assert len(offer.content) < 50_000 and "<script" not in offer.text


def test_the_offers_address_opened_again_leads_back_to_the_list_not_to_an_error(
    node: Node,
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    browser = node.browser(marie)

    again = browser.get("/identity/me/credentials/offer", follow_redirects=False)

    assert again.status_code == 303
    assert again.headers["location"] == "/identity/me/credentials"


def test_the_verification_endpoint_explains_a_tampered_presentation(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie")
    sd_jwt = obtain(node, marie, f"registered-business:{marie.business_id}", holder)
    jwt, disclosures, _ = split(sd_jwt)
    tampered = "~".join([jwt, disclosures[0][:-2] + "AA", *disclosures[1:]]) + "~"
    client = node.client()
    answer = client.post(
        "/identity/credentials/verify",
        json={"presentation": tampered, "require_key_binding": False},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    unbound = client.post(
        "/identity/credentials/verify", json={"presentation": present(sd_jwt, disclose={"sector"})}
    )
    assert unbound.status_code == 400 and unbound.json()["reason"] == "key_binding"
    french = client.post(
        "/identity/credentials/verify",
        json={"presentation": present(sd_jwt, disclose={"sector"})},
        headers={"accept-language": "fr"},
    )
    assert french.status_code == 400 and french.headers["content-language"] == "fr"


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_refused_download_keeps_the_pasted_key_and_the_choice_and_says_why_beside_the_key(
    node: Node, holder: Jwk
) -> None:
    marie = node.enrol("+17585550101", born=ADULT, business="Chez Marie")
    browser = node.browser(marie)
    page = browser.get("/identity/me/credentials")
    business = f"registered-business:{marie.business_id}"

    for pasted, says in (
        ('{"kty":"EC","crv":"P-256","x":"AAA"}', "not a P-256 or Ed25519 public key"),
        ("x" * 5_000, "too long to be a public key"),
    ):
        answer = browser.post(
            "/identity/me/credentials/download",
            data={"csrf_token": csrf(page.text), "credential": business, "holder_jwk": pasted},
        )

        assert answer.status_code == 400
        beside = answer.text.split('id="holder-jwk-error">')[1].split("</p>")[0]
        assert says in beside
        assert 'aria-invalid="true"' in answer.text
        assert f">{escape(pasted)}</textarea>" in answer.text
        assert f'<option value="{business}" selected>' in answer.text
