"""The apps sign people in with Comptoir ID, end to end over real HTTP.

One `comptoir demo` process: its identity provider, and the wallet institutions registered as
its clients by the demo exactly as the documented commands would. A person's browser (httpx)
presses "Sign in with Comptoir ID" on the wallet, logs in at the provider with the code it
"sent" by SMS, agrees to share, and lands back in the wallet signed in. The wallet runs the
whole FAPI 2.0 flow (PAR with private_key_jwt, PKCE, DPoP, code exchange, ID token, userinfo)
against the provider across the network.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from comptoir.kernel.crypto import Jwk, generate_jwk
from comptoir.kernel.crypto.sdjwt import make_disclosure, present, split
from tests.e2e.identity_demo import DemoNode, absolute, csrf, log_in_and_consent

pytestmark = pytest.mark.slow

MARIE = "+17585550101"  # an account at Island Wallet, and a person in the registry
ALINE = "+17585550201"  # in the registry, but banks at Antilles Bank, not Island Wallet
CELESTINE = "+17585550302"  # she owns Soufriere Spice Co on the Island Market platform


@pytest.fixture(scope="module")
def node(demo_node: DemoNode) -> DemoNode:
    return demo_node


def press_sign_in_with_comptoir_id(node: DemoNode, browser: httpx.Client, institution: str) -> str:
    page = browser.get(f"{node.url}/wallets/{institution}/signin")
    assert "Sign in with Comptoir ID" in page.text
    started = browser.post(
        f"{node.url}/wallets/{institution}/signin/oidc", data={"csrf_token": csrf(page.text)}
    )
    assert started.status_code == 303, started.text[:500]
    location = str(started.headers["location"])
    assert location.startswith(f"{node.url}/identity/oidc/authorize?")
    assert "request_uri=" in location  # the request was pushed (PAR), not sent in the URL
    return location


def test_a_person_signs_in_to_the_wallet_with_comptoir_id(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_with_comptoir_id(node, browser, "island-wallet")
        consent_pages: list[str] = []
        callback = log_in_and_consent(node, browser, authorization_url, MARIE, consent_pages)
        assert callback.startswith(f"{node.url}/wallets/island-wallet/signin/oidc/callback?")
        # The wallet finds the account by phone: the person cannot untick it.
        assert len(consent_pages) == 1
        assert 'id="claim-phone_number" checked disabled' in consent_pages[0]
        assert "Your phone number <em>(needed)</em>" in consent_pages[0]

        back = browser.get(callback)

        assert back.status_code == 303, back.text[:800]
        assert back.headers["location"] == "/wallets/island-wallet/home"
        home = browser.get(node.url + "/wallets/island-wallet/home")
        assert home.status_code == 200
        assert "Marie Joseph" in home.text
        assert "450.00" in home.text


def test_a_person_reading_the_wallet_in_french_is_asked_to_log_in_in_french(
    node: DemoNode,
) -> None:
    with httpx.Client(timeout=20.0) as browser:
        french = {"Accept-Language": "fr"}
        page = browser.get(f"{node.url}/wallets/island-wallet/signin", headers=french)
        started = browser.post(
            f"{node.url}/wallets/island-wallet/signin/oidc",
            data={"csrf_token": csrf(page.text)},
            headers=french,
        )
        assert started.status_code == 303, started.text[:500]

        # The provider hears no language from the browser: only the wallet's ui_locales.
        parked = browser.get(started.headers["location"], headers={"Accept-Language": "en"})
        login = browser.get(
            absolute(node, parked.headers["location"]), headers={"Accept-Language": "en"}
        )

        assert login.status_code == 200
        assert login.headers["content-language"] == "fr"


def test_a_tampered_state_is_refused(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_with_comptoir_id(node, browser, "island-wallet")
        callback = log_in_and_consent(node, browser, authorization_url, node.new_person())
        values = {name: found[0] for name, found in parse_qs(urlsplit(callback).query).items()}
        values["state"] = values["state"][:-2] + ("AA" if values["state"][-2:] != "AA" else "BB")
        forged = callback.split("?", 1)[0] + "?" + urlencode(values)

        refused = browser.get(forged)

        assert refused.status_code == 400
        assert "could not be trusted" in refused.text
        assert browser.get(node.url + "/wallets/island-wallet/home").status_code == 303


def test_a_response_naming_another_issuer_is_refused(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_with_comptoir_id(node, browser, "island-wallet")
        callback = log_in_and_consent(node, browser, authorization_url, node.new_person())
        values = {name: found[0] for name, found in parse_qs(urlsplit(callback).query).items()}
        values["iss"] = "https://attacker.example"
        mixed_up = callback.split("?", 1)[0] + "?" + urlencode(values)

        refused = browser.get(mixed_up)

        assert refused.status_code == 400
        assert "could not be trusted" in refused.text
        home = browser.get(node.url + "/wallets/island-wallet/home")
        assert home.status_code == 303


def test_a_callback_without_the_browser_s_pending_request_is_refused(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser, httpx.Client(timeout=20.0) as other_browser:
        authorization_url = press_sign_in_with_comptoir_id(node, browser, "island-wallet")
        callback = log_in_and_consent(node, browser, authorization_url, node.new_person())

        refused = other_browser.get(callback)

        assert refused.status_code == 400
        assert "has expired or was not started here" in refused.text


def test_a_person_without_an_account_there_gets_a_clear_message(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_with_comptoir_id(node, browser, "island-wallet")
        callback = log_in_and_consent(node, browser, authorization_url, ALINE)

        refused = browser.get(callback)

        assert refused.status_code == 403
        assert "You have no account at Island Wallet" in refused.text
        assert browser.get(node.url + "/wallets/island-wallet/home").status_code == 303


# Shop owners on the seller platforms


def press_sign_in_at_the_platform(node: DemoNode, browser: httpx.Client, platform: str) -> str:
    page = browser.get(f"{node.url}/sellers/{platform}/signin")
    assert "Sign in with Comptoir ID" in page.text
    started = browser.post(
        f"{node.url}/sellers/{platform}/signin/oidc", data={"csrf_token": csrf(page.text)}
    )
    assert started.status_code == 303, started.text[:500]
    return str(started.headers["location"])


@pytest.fixture(scope="module")
def owner(node: DemoNode) -> Iterator[httpx.Client]:
    """Celestine's browser, signed in to her shop on Island Market with Comptoir ID (and so
    also at the provider, where she takes her credentials)."""
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_at_the_platform(node, browser, "island-market")
        callback = log_in_and_consent(node, browser, authorization_url, CELESTINE)
        assert callback.startswith(f"{node.url}/sellers/island-market/signin/oidc/callback?")
        back = browser.get(callback)
        assert back.status_code == 303, back.text[:800]
        assert back.headers["location"] == "/sellers/island-market/shop"
        yield browser


def test_a_shop_owner_signs_in_to_the_platform_with_comptoir_id(
    node: DemoNode, owner: httpx.Client
) -> None:
    shop = owner.get(node.url + "/sellers/island-market/shop")

    assert shop.status_code == 200
    assert "Soufriere Spice Co" in shop.text


def test_a_platform_refuses_a_callback_naming_another_issuer(node: DemoNode) -> None:
    with httpx.Client(timeout=20.0) as browser:
        authorization_url = press_sign_in_at_the_platform(node, browser, "island-market")
        callback = log_in_and_consent(node, browser, authorization_url, node.new_person())
        values = {name: found[0] for name, found in parse_qs(urlsplit(callback).query).items()}
        values["iss"] = node.url + "/"

        refused = browser.get(callback.split("?", 1)[0] + "?" + urlencode(values))

        assert refused.status_code == 400
        assert browser.get(node.url + "/sellers/island-market/shop").status_code == 303


# The verified-business mark


def business_credential(node: DemoNode, owner: httpx.Client, holder: Jwk) -> str:
    """The registry verifies Soufriere Spice Co; Celestine downloads its credential, bound to
    her wallet's key."""
    node.command("identity", "business", "verify", "LC-BN-2023-0042")
    page = owner.get(node.url + "/identity/me/credentials")
    choice = re.search(r'<option value="(registered-business:[^"]+)"', page.text)
    assert choice, page.text[:2000]
    answer = owner.post(
        node.url + "/identity/me/credentials/download",
        data={
            "csrf_token": csrf(page.text),
            "credential": choice.group(1),
            "holder_jwk": json.dumps(holder.public().to_dict()),
        },
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def present_to_the_platform(
    node: DemoNode, owner: httpx.Client, sd_jwt: str, holder: Jwk
) -> httpx.Response:
    terms = owner.get(node.url + "/sellers/island-market/shop/terms")
    audience = re.search(r'<code id="credential-audience">([^<]+)</code>', terms.text)
    nonce = re.search(r'<code id="credential-nonce">([^<]+)</code>', terms.text)
    assert audience and nonce, terms.text[:2000]
    presentation = present(
        sd_jwt,
        disclose={"business_name"},
        holder_key=holder,
        audience=html.unescape(audience.group(1)),
        nonce=html.unescape(nonce.group(1)),
    )
    return owner.post(
        node.url + "/sellers/island-market/shop/credential",
        data={
            "csrf_token": csrf(terms.text),
            "nonce": html.unescape(nonce.group(1)),
            "credential": presentation,
        },
    )


def spice_co_is_marked(node: DemoNode) -> bool:
    page = httpx.get(node.url + "/sellers/island-market", timeout=20.0).text
    line = next(row for row in page.splitlines() if "Soufriere Spice Co" in row)
    return "Verified business" in line


def marked_in_the_buyer_app(node: DemoNode, words: str) -> bool:
    """Search the buyer app (Beckn across the network) and read the mark beside the seller."""
    with httpx.Client(base_url=node.url, timeout=20.0, follow_redirects=True) as shopper:
        first = shopper.get(f"/shop/search?words={words}")
        assert first.status_code == 200, (first.status_code, first.headers, first.text[-2000:])
        page = first.text
        deadline = time.monotonic() + 20.0
        while "Soufriere Spice Co, " not in page and time.monotonic() < deadline:
            time.sleep(0.3)
            again = re.findall(r'href="(/shop/results/[^"]+)"', page)
            assert again, page[-3000:]
            page = shopper.get(again[0]).text
    line = next(row for row in page.splitlines() if "Soufriere Spice Co, " in row)
    return "Verified business" in line


def test_the_verified_mark_follows_the_registry_s_credential(
    node: DemoNode, owner: httpx.Client
) -> None:
    holder = generate_jwk("P-256")
    sd_jwt = business_credential(node, owner, holder)
    issuer_jwt, disclosures, _ = split(sd_jwt)
    assert not spice_co_is_marked(node)

    # A forged disclosure (another business's name) under the registry's signature.
    forged_name = make_disclosure("business_name", "Soufriere Spice Co").encoded
    tampered = "~".join([issuer_jwt, forged_name, *disclosures]) + "~"
    refused = present_to_the_platform(node, owner, tampered, holder)
    assert refused.status_code == 400
    assert "could not be verified" in refused.text
    assert not spice_co_is_marked(node)

    # The credential itself, presented for this platform's challenge: the mark.
    accepted = present_to_the_platform(node, owner, sd_jwt, holder)
    assert accepted.status_code == 200, accepted.text[:2000]
    assert "Your business is verified" in accepted.text
    assert spice_co_is_marked(node)
    assert marked_in_the_buyer_app(node, "nutmeg")
    recheck = ("seller", "business", "recheck-credentials")
    assert "0 businesses lost the verified mark" in node.command(*recheck)
    assert spice_co_is_marked(node)

    # The registry revokes it: the next check of the status list takes the mark away.
    listed = [
        json.loads(line)
        for line in node.command("identity", "credentials", "list").splitlines()
        if line.strip()
    ]
    credential_id = next(item["id"] for item in listed if item["kind"] == "registered-business")
    node.command("identity", "credentials", "revoke", credential_id)
    assert "1 businesses lost the verified mark" in node.command(*recheck)
    assert not spice_co_is_marked(node)
    assert not marked_in_the_buyer_app(node, "nutmeg")
    again = present_to_the_platform(node, owner, sd_jwt, holder)
    assert again.status_code == 400
    assert "revoked" in again.text
    assert not spice_co_is_marked(node)
