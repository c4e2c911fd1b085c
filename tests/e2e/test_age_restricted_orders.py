"""Goods sold to adults only, end to end over real HTTP on a `comptoir demo` node.

Soufriere Spice Co sells a spiced rum flagged "adults only"; the flag travels in its Beckn
catalogue, and the buyer app asks for an "age over 18" credential before it places an order
holding it. The shopper gets the credential from the identity provider's pages (bound to their
wallet's key) and presents it, key-bound to the buyer app and the order's challenge.
"""

from __future__ import annotations

import html
import json
import re
import time

import httpx
import pytest

from comptoir.kernel.crypto import generate_jwk
from comptoir.kernel.crypto.sdjwt import present
from tests.e2e.identity_demo import DemoNode, csrf, download_credential, log_in

pytestmark = pytest.mark.slow

RUM = "Spiced rum (70 cl)"


def rum_in_the_cart(node: DemoNode, shopper: httpx.Client) -> str:
    """Search, add the rum, get a quote and give the details: the order is ready to place."""
    page = shopper.get("/shop/search?words=rum").text
    deadline = time.monotonic() + 20.0
    while RUM not in page and time.monotonic() < deadline:
        time.sleep(0.3)
        page = shopper.get(re.findall(r'href="(/shop/results/[^"]+)"', page)[0]).text
    block = next(part for part in page.split("<li>")[1:] if f"<h2>{RUM} ·" in part)
    assert "Adults only (18+)" in block
    result = re.search(r'name="result" value="([^"]+)"', block)
    assert result
    added = shopper.post(
        "/shop/cart", data={"csrf_token": csrf(page), "result": result.group(1), "quantity": "1"}
    )
    assert added.status_code == 200, added.text[:1000]
    order = added.url.path
    assert "Adults only (18+)" in added.text
    quoted = shopper.post(
        f"{order}/select", data={"csrf_token": csrf(added.text), "fulfilment": "PICKUP"}
    )
    assert quoted.status_code == 200, quoted.text[:1000]
    ready = shopper.post(
        f"{order}/init",
        data={
            "csrf_token": csrf(quoted.text),
            "name": "Visitor",
            "phone": "+17585559999",
            "payment": "COD",
        },
    )
    assert ready.status_code == 200, ready.text[:1000]
    assert "Proof that you are 18 or older" in ready.text
    return order


def challenge(page: str) -> tuple[str, str]:
    audience = re.search(r'<code id="age-audience">([^<]+)</code>', page)
    nonce = re.search(r'<code id="age-nonce">([^<]+)</code>', page)
    assert audience and nonce, page[:2000]
    return html.unescape(audience.group(1)), html.unescape(nonce.group(1))


def test_an_order_of_rum_needs_an_age_over_18_credential(demo_node: DemoNode) -> None:
    node = demo_node
    with (
        httpx.Client(base_url=node.url, timeout=30.0, follow_redirects=True) as shopper,
        httpx.Client(timeout=20.0) as identity_browser,
    ):
        order = rum_in_the_cart(node, shopper)
        page = shopper.get(order).text

        refused = shopper.post(f"{order}/confirm", data={"csrf_token": csrf(page)})

        assert refused.status_code == 400
        assert "sold to adults only" in refused.text
        assert "Proof that you are 18 or older" in refused.text  # not placed: still to confirm

        holder = generate_jwk("P-256")
        adult = node.new_person()
        log_in(node, identity_browser, adult)
        credential = download_credential(
            node, identity_browser, "age-over-18", dict(holder.public().to_dict())
        )
        audience, nonce = challenge(refused.text)
        for_another_order = present(
            credential,
            disclose={"age_over_18"},
            holder_key=holder,
            audience=audience,
            nonce="1." + nonce.split(".", 1)[1],
        )
        stale = shopper.post(
            f"{order}/confirm",
            data={"csrf_token": csrf(refused.text), "nonce": nonce, "age_proof": for_another_order},
        )
        assert stale.status_code == 400
        assert "not made for this order's challenge" in html.unescape(stale.text)

        proof = present(
            credential, disclose={"age_over_18"}, holder_key=holder, audience=audience, nonce=nonce
        )
        placed = shopper.post(
            f"{order}/confirm",
            data={"csrf_token": csrf(stale.text), "nonce": nonce, "age_proof": proof},
        )

        assert placed.status_code == 200, placed.text[:2000]
        assert "Proof that you are 18 or older" not in placed.text
        assert "Confirmed" in placed.text


def test_a_revoked_age_credential_does_not_count(demo_node: DemoNode) -> None:
    node = demo_node
    with (
        httpx.Client(base_url=node.url, timeout=30.0, follow_redirects=True) as shopper,
        httpx.Client(timeout=20.0) as identity_browser,
    ):
        order = rum_in_the_cart(node, shopper)
        holder = generate_jwk("P-256")
        adult = node.new_person()
        log_in(node, identity_browser, adult)
        credential = download_credential(
            node, identity_browser, "age-over-18", dict(holder.public().to_dict())
        )
        listed = [
            json.loads(line)
            for line in node.command("identity", "credentials", "list").splitlines()
            if line.strip()
        ]
        newest = max(
            (item for item in listed if item["kind"] == "age-over-18"),
            key=lambda item: str(item["issued_at"]),
        )
        node.command("identity", "credentials", "revoke", newest["id"])
        page = shopper.get(order).text
        audience, nonce = challenge(page)
        proof = present(
            credential, disclose={"age_over_18"}, holder_key=holder, audience=audience, nonce=nonce
        )

        refused = shopper.post(
            f"{order}/confirm", data={"csrf_token": csrf(page), "nonce": nonce, "age_proof": proof}
        )

        assert refused.status_code == 400
        assert "has been revoked by the registry" in refused.text
        assert "Proof that you are 18 or older" in refused.text
