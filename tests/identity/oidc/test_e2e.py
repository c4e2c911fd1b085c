"""Signing in at a shop, end to end over real HTTP: a `comptoir serve` process is the provider,
set up with the operator's commands only (`comptoir identity person add`, `comptoir identity
client add`); the shop is this test process using the kernel's relying-party library over
httpx; the person's browser is another httpx client that logs in with the one-time code the
node "sent" by SMS and answers the consent screen."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from comptoir.channels.sms.outbox import latest_message_to
from comptoir.kernel.crypto import generate_jwk, jwks_document
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import OidcError, RelyingParty, callback_parameters
from tests.support.servers import COMPTOIR, RunningServer, comptoir_server

pytestmark = pytest.mark.slow

CALLBACK = "https://shop.example/callback"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Provider:
    server: RunningServer
    data_dir: Path
    people: int = 0

    def command(self, *arguments: str) -> str:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
        env["COMPTOIR_DATA_DIR"] = str(self.data_dir)
        done = subprocess.run(
            [COMPTOIR, *arguments], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def sms_code(self, phone: str) -> str:
        database = Database.from_url(f"sqlite:///{self.data_dir / 'comptoir.db'}")
        try:
            with database.reading() as session:
                body = latest_message_to(session, phone)
        finally:
            database.dispose()
        assert body is not None, f"no SMS to {phone}"
        found = re.search(r"\b(\d{6})\b", body)
        assert found, body
        return found.group(1)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    data_dir = tmp_path_factory.mktemp("identity-node")
    with comptoir_server(data_dir, extra_env={"COMPTOIR_BLOCKS": "home,identity"}) as server:
        yield Provider(server, data_dir)


@pytest.fixture
def phone(provider: Provider) -> str:
    """A person enrolled by the operator's command, with a phone of their own (codes are
    rate-limited per phone)."""
    provider.people += 1
    number = f"+1758555{100 + provider.people:04d}"
    provider.command(
        "identity", "person", "add", "--name", "Marie Joseph", "--phone", number,
        "--birthdate", "1990-04-02", "--locale", "fr",
    )  # fmt: skip
    return number


@pytest.fixture
def shop(provider: Provider, tmp_path: Path) -> Iterator[RelyingParty]:
    key = generate_jwk("P-256")
    jwks = tmp_path / "shop.jwks.json"
    jwks.write_text(json.dumps(jwks_document([key.public()])))
    added = json.loads(
        provider.command(
            "identity", "client", "add", "--name", "Coconut Corner",
            "--redirect-uri", CALLBACK, "--jwks", str(jwks),
            "--scopes", "openid profile phone", "--purpose", "To deliver your order",
        )
    )  # fmt: skip
    with httpx.Client(timeout=10.0) as http:
        yield RelyingParty(
            issuer=provider.server.url,
            client_id=added["client_id"],
            redirect_uri=CALLBACK,
            client_key=key,
            http=http,
        )


def csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found, page[:1000]
    return html.unescape(found.group(1))


def sign_in_and_consent(
    provider: Provider, browser: httpx.Client, authorization_url: str, phone: str
) -> str:
    """The person's side: log in with the code, agree, and return the callback URL."""
    first = browser.get(authorization_url)
    assert first.status_code == 303
    login = browser.get(provider.server.url + first.headers["location"])
    sent = browser.post(
        provider.server.url + "/identity/login",
        data={"phone": phone, "csrf_token": csrf(login.text), "next": _next(login.text)},
    )
    assert sent.status_code == 200, sent.text[:500]
    signed_in = browser.post(
        provider.server.url + "/identity/login/code",
        data={
            "phone": phone,
            "code": provider.sms_code(phone),
            "csrf_token": csrf(sent.text),
            "next": _next(sent.text),
        },
    )
    assert signed_in.status_code == 303, signed_in.text[:500]
    consent = browser.get(provider.server.url + signed_in.headers["location"])
    return _agree(provider, browser, consent)


def _agree(provider: Provider, browser: httpx.Client, consent: httpx.Response) -> str:
    if consent.status_code == 303:
        return consent.headers["location"]
    assert consent.status_code == 200, consent.text[:500]
    assert "Coconut Corner" in consent.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', consent.text)
    assert request_id
    decided = browser.post(
        provider.server.url + "/identity/oidc/consent",
        data={
            "csrf_token": csrf(consent.text),
            "request_id": request_id.group(1),
            "decision": "allow",
            "claim": re.findall(r'name="claim" value="([^"]+)"', consent.text),
        },
    )
    assert decided.status_code == 303, decided.text[:500]
    return decided.headers["location"]


def _next(page: str) -> str:
    # The last one: the language switcher's forms before it carry a `next` of their own.
    found = re.findall(r'name="next" value="([^"]*)"', page)
    assert found, page[:1000]
    return html.unescape(found[-1])


def test_a_person_signs_in_at_a_shop_over_http(
    provider: Provider, shop: RelyingParty, phone: str
) -> None:
    with httpx.Client(timeout=10.0) as browser:
        start = shop.begin(scope="openid profile phone")
        callback = sign_in_and_consent(provider, browser, start.authorization_url, phone)
        tokens = shop.finish(start, callback)
        claims = shop.userinfo(tokens)

        assert tokens.id_token_claims["iss"] == provider.server.url
        assert claims["sub"] == tokens.subject
        assert claims["name"] == "Marie Joseph"
        assert claims["phone_number"] == phone
        assert claims["locale"] == "fr"
        releases = browser.get(provider.server.url + "/identity/me/releases").text
        assert releases.count("Coconut Corner") == 2


def test_a_replayed_code_is_refused_over_http(
    provider: Provider, shop: RelyingParty, phone: str
) -> None:
    with httpx.Client(timeout=10.0) as browser:
        start = shop.begin(scope="openid profile")
        code = callback_parameters(
            sign_in_and_consent(provider, browser, start.authorization_url, phone)
        )
        tokens = shop.exchange_code(code["code"], code_verifier=start.code_verifier, nonce=None)

        with pytest.raises(OidcError) as replayed:
            shop.exchange_code(code["code"], code_verifier=start.code_verifier, nonce=None)

        assert replayed.value.error == "invalid_grant"
        with pytest.raises(OidcError) as revoked:
            shop.userinfo(tokens)
        assert revoked.value.error == "invalid_token"


def test_a_wrong_pkce_verifier_is_refused_over_http(
    provider: Provider, shop: RelyingParty, phone: str
) -> None:
    with httpx.Client(timeout=10.0) as browser:
        start = shop.begin(scope="openid")
        code = callback_parameters(
            sign_in_and_consent(provider, browser, start.authorization_url, phone)
        )

        with pytest.raises(OidcError) as refused:
            shop.exchange_code(code["code"], code_verifier="x" * 43, nonce=None)

        assert refused.value.error == "invalid_grant"
        assert refused.value.status == 400
