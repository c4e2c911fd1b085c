"""The independent wallet's side of OpenID4VCI 1.0's pre-authorized code flow, over HTTP."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient

from .conftest import ADULT, BASE_URL, ISSUER, PRE_AUTHORIZED, Node
from .independent import WalletKey

PROOF_TYPE = "openid4vci-proof+jwt"


def local(url: str) -> str:
    assert url.startswith(BASE_URL), url
    return url.removeprefix(BASE_URL)


def wallet_proof(key: WalletKey, nonce: str, now: int, **changes: Any) -> str:
    header: dict[str, object] = {"alg": "ES256", "typ": PROOF_TYPE, "jwk": key.jwk}
    claims: dict[str, object] = {"aud": ISSUER, "iat": now, "nonce": nonce}
    for name, value in changes.items():
        target = header if name in ("typ", "jwk") else claims
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return key.sign(header, claims)


def issuer_key(wallet: TestClient, kid: object) -> dict[str, object]:
    """The issuer's key as SD-JWT VC tells a verifier to find it: JWT VC Issuer Metadata."""
    metadata = wallet.get("/.well-known/jwt-vc-issuer/identity/vci").json()
    assert metadata["issuer"] == ISSUER
    keys = wallet.get(local(metadata["jwks_uri"])).json()["keys"]
    found = [key for key in keys if key.get("kid") == kid]
    assert len(found) == 1, "the JWT names its key by a kid the key set has"
    return dict(found[0])


def obtain(
    node: Node, key: WalletKey, *, business: str | None = None
) -> tuple[TestClient, str, str]:
    """Run the pre-authorized code flow as a wallet would; the credential and its token."""
    marie = node.enrol("+17585550101", born=ADULT, business=business)
    kind = "age-over-18" if business is None else f"registered-business:{marie.business_id}"
    document, tx_code = node.offer(marie, kind)
    wallet = node.client()
    metadata = wallet.get("/.well-known/openid-credential-issuer/identity/vci").json()
    grant = document["grants"][PRE_AUTHORIZED]  # type: ignore[index]
    assert document["credential_issuer"] == metadata["credential_issuer"] == ISSUER
    assert tx_code is not None and len(tx_code) == grant["tx_code"]["length"]
    assert grant["tx_code"]["input_mode"] == "numeric"
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": grant["pre-authorized_code"]}
    answer = wallet.post(local(f"{ISSUER}/token"), data={**form, "tx_code": tx_code})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"].lower() == "bearer" and isinstance(body["expires_in"], int)
    token = body["access_token"]
    nonce_answer = wallet.post(local(metadata["nonce_endpoint"]))
    assert nonce_answer.headers["cache-control"] == "no-store"
    now = math.floor(node.clock.now().timestamp())
    configuration = document["credential_configuration_ids"][0]  # type: ignore[index]
    answer = wallet.post(
        local(metadata["credential_endpoint"]),
        json={
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [wallet_proof(key, nonce_answer.json()["c_nonce"], now)]},
        },
        headers={"authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) <= {"credentials", "notification_id"}
    credentials = answer.json()["credentials"]
    assert len(credentials) == 1 and set(credentials[0]) == {"credential"}
    return wallet, str(credentials[0]["credential"]), str(token)
