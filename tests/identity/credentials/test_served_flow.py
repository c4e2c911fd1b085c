"""The whole issuance, end to end, against a real `comptoir serve` process over HTTP.

The registry is seeded on the server's own database, as an operator's command would; then a
browser asks for an offer, a wallet redeems it (token, nonce, proof) and presents the
credential, and a verifier checks it with the kernel alone, fetching the issuer's keys and
status list from the server.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from comptoir.identity.registry.service import enrol_person, register_business, verify_business
from comptoir.identity.registry.service.sessions import start_session
from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
from comptoir.kernel.clock import system_clock
from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.crypto.sdjwt import SdJwtError, http_fetch, present, verify_presentation
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from tests.support.servers import comptoir_server

pytestmark = pytest.mark.slow
SECRET = "served-flow-secret-0123456789"
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def test_a_served_node_issues_a_credential_that_a_verifier_accepts_then_refuses_once_revoked(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "node"
    with ExitStack() as outer:
        server = outer.enter_context(
            comptoir_server(data_dir, extra_env={"COMPTOIR_SECRET_KEY": SECRET})
        )
        database = Database.from_url(load_settings(data_dir=data_dir).resolved_database_url)
        try:
            with database.transaction() as session:
                person = enrol_person(
                    session,
                    name="Marie Joseph",
                    phone="+17585550101",
                    birthdate=date(1990, 4, 23),
                    actor="operator:test",
                    clock=system_clock,
                )
                business = register_business(
                    session,
                    owner_id=person.id,
                    name="Chez Marie",
                    registration_number="LC-2026-0042",
                    address="1 Bay Street, Castries",
                    sector="food",
                    actor=f"person:{person.id}",
                    clock=system_clock,
                )
                verify_business(
                    session, business_id=business.id, actor="operator:test", clock=system_clock
                )
                session_id = start_session(
                    session, person_id=person.id, method="otp", clock=system_clock
                )
        finally:
            database.dispose()

        browser = outer.enter_context(
            httpx.Client(base_url=server.url, headers={"accept": "text/html"})
        )
        browser.cookies.set(SESSION_COOKIE, cookie_value(SECRET.encode(), session_id))
        page = browser.get("/identity/me/credentials")
        assert page.status_code == 200, page.text
        token_field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token_field
        offer_page = browser.post(
            "/identity/me/credentials/offer",
            data={
                "csrf_token": token_field.group(1),
                "credential": f"registered-business:{business.id}",
            },
        )
        assert offer_page.status_code == 200, offer_page.text
        link = re.search(r'href="(openid-credential-offer://[^"]+)"', offer_page.text)
        tx_code = re.search(r'class="code"[^>]*><strong>(\d+)</strong>', offer_page.text)
        assert link and tx_code
        offer = json.loads(
            parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)["credential_offer"][0]
        )
        issuer = offer["credential_issuer"]
        assert issuer == f"{server.url}/identity/vci"
        wallet = outer.enter_context(httpx.Client())
        metadata = wallet.get(
            f"{server.url}/.well-known/openid-credential-issuer/identity/vci"
        ).json()
        server_metadata = wallet.get(
            f"{server.url}/.well-known/oauth-authorization-server/identity/vci"
        ).json()
        token = wallet.post(
            server_metadata["token_endpoint"],
            data={
                "grant_type": PRE_AUTHORIZED,
                "pre-authorized_code": offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"],
                "tx_code": tx_code.group(1),
            },
        )
        assert token.status_code == 200, token.text
        c_nonce = wallet.post(metadata["nonce_endpoint"]).json()["c_nonce"]
        holder = generate_jwk("P-256")
        proof = issue_jwt(
            {"nonce": c_nonce},
            holder,
            audience=issuer,
            ttl_seconds=None,
            typ="openid4vci-proof+jwt",
            headers={"jwk": holder.public().to_dict()},
            include_kid=False,
        )
        answer = wallet.post(
            metadata["credential_endpoint"],
            json={
                "credential_configuration_id": offer["credential_configuration_ids"][0],
                "proofs": {"jwt": [proof]},
            },
            headers={"authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert answer.status_code == 200, answer.text
        sd_jwt = answer.json()["credentials"][0]["credential"]

        verifier = "https://seller.example.org"

        def check() -> dict[str, object]:
            shown = present(
                sd_jwt,
                disclose={"business_name"},
                holder_key=holder,
                audience=verifier,
                nonce="seller-nonce",
            )
            return verify_presentation(
                shown,
                trusted_issuers={issuer},
                audience=verifier,
                nonce="seller-nonce",
                fetch=http_fetch,
                vct=f"{issuer}/credentials/registered-business",
            ).claims

        assert check()["business_name"] == "Chez Marie"

        page = browser.get("/identity/me/credentials")
        action = re.search(r'action="(/identity/me/credentials/[^"]+/revoke)"', page.text)
        token_field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert action and token_field
        revoked = browser.post(action.group(1), data={"csrf_token": token_field.group(1)})
        assert revoked.status_code == 303
        with pytest.raises(SdJwtError) as refused:
            check()
        assert refused.value.reason == "revoked"
