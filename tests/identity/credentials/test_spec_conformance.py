"""The issuer and the verifier held to the letter of OpenID4VCI 1.0, RFC 9901 (SD-JWT) and the
SD-JWT VC draft, as a wallet written from those texts alone would hold them: each answer the
specifications name, and never a server error for input a wallet or a verifier can send."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient

from .conftest import ADULT, PRE_AUTHORIZED, Node, csrf, offer_from

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
