"""Token checks per second on one core (see identity.py)."""

from __future__ import annotations

import time
from typing import Any

from identity_flows import ISSUER


def token_checks(seconds: float) -> list[dict[str, Any]]:
    from comptoir.kernel.crypto import generate_jwk, issue_jwt
    from comptoir.kernel.oidc import (
        make_dpop_proof,
        verify_access_token,
        verify_dpop_proof,
        verify_id_token,
    )

    provider_key = generate_jwk("P-256")
    keys = [provider_key.public()]
    client_key = generate_jwk("P-256")
    id_token = issue_jwt(
        {"sub": "s" * 43, "nonce": "n" * 22, "auth_time": 0, "name": "Marie Joseph"},
        provider_key,
        issuer=ISSUER,
        audience="client",
    )
    access_token = issue_jwt(
        {
            "sub": "s" * 43,
            "jti": "j" * 32,
            "scope": "openid",
            "cnf": {"jkt": client_key.thumbprint()},
        },
        provider_key,
        issuer=ISSUER,
        audience=ISSUER,
        typ="at+jwt",
    )
    userinfo_url = f"{ISSUER}/identity/oidc/userinfo"

    def check_id_token() -> None:
        verify_id_token(id_token, keys=keys, issuer=ISSUER, client_id="client", nonce="n" * 22)

    # A resource server checks both the token and a fresh proof on every call.
    proofs = [
        make_dpop_proof(client_key, method="GET", url=userinfo_url, access_token=access_token)
        for _ in range(2000)
    ]
    position = 0

    def check_access_token() -> None:
        nonlocal position
        claims = verify_access_token(access_token, keys=keys, issuer=ISSUER, audience=ISSUER)
        proof = verify_dpop_proof(
            proofs[position % len(proofs)],
            method="GET",
            url=userinfo_url,
            access_token=access_token,
        )
        position += 1
        assert proof.jkt == claims["cnf"]["jkt"]  # type: ignore[index]

    results = []
    for name, check in (
        ("ID token (ES256; iss, aud, exp, nonce)", check_id_token),
        ("access token + its DPoP proof", check_access_token),
    ):
        count, started, cpu = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - started < seconds:
            check()
            count += 1
        elapsed = time.perf_counter() - started
        results.append(
            {
                "check": name,
                "count": count,
                "per_second": round(count / elapsed, 1),
                "cpu_us_each": round(1e6 * (time.process_time() - cpu) / count, 1),
            }
        )
        print(f"  {name:40} {count / elapsed:8.0f}/s")
    return results
