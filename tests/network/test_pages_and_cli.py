"""The operator's network pages and commands, and the public page on joining."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.crypto import public_key_to_base64
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import Settings, load_settings
from comptoir.kernel.web.operator import sign_in_link
from tests.test_cli import run

HTML = {"accept": "text/html"}
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path, blocks="home,network")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    with TestClient(create_app(settings, database=database), base_url=BASE_URL) as client:
        yield client


def _sign_in(client: TestClient, settings: Settings) -> None:
    link = sign_in_link(BASE_URL, settings.signing_secret())
    client.get(link.removeprefix(BASE_URL), headers=HTML, follow_redirects=False)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def _add(settings: Settings, subscriber_id: str) -> None:
    key = public_key_to_base64(Ed25519PrivateKey.generate())
    result = run(
        "network", "subscriber", "add", subscriber_id, "--type", "BPP",
        "--url", f"https://{subscriber_id}/beckn", "--domain", "retail",
        "--unique-key-id", "k1", "--signing-public-key", key,
        data_dir=settings.data_dir,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"subscriber {subscriber_id} added (BPP, INITIATED)"


def test_the_network_pages_are_the_operators_only(client: TestClient) -> None:
    assert client.get("/operator/network", headers=HTML).status_code == 401


def test_the_operator_sees_the_gateway_and_approves_then_revokes_a_participant(
    client: TestClient, settings: Settings
) -> None:
    _add(settings, "shop.example.test")
    _sign_in(client, settings)
    overview = client.get("/operator/network", headers=HTML)
    assert overview.status_code == 200
    assert "127.0.0.1:8000/gateway" in overview.text
    assert "INITIATED" in overview.text
    page = client.get("/operator/network/subscribers/shop.example.test", headers=HTML)
    assert page.status_code == 200
    approved = client.post(
        "/operator/network/approve",
        data={"subscriber_id": "shop.example.test", "csrf_token": _csrf(page.text)},
        headers=HTML,
    )
    assert approved.status_code == 200
    assert "SUBSCRIBED" in approved.text
    assert "Revoke key k1" in approved.text
    key_revoked = client.post(
        "/operator/network/keys/revoke",
        data={
            "subscriber_id": "shop.example.test",
            "unique_key_id": "k1",
            "csrf_token": _csrf(approved.text),
        },
        headers=HTML,
    )
    assert key_revoked.status_code == 200
    assert "Revoke key k1" not in key_revoked.text
    assert "revoked" in key_revoked.text
    revoked = client.post(
        "/operator/network/revoke",
        data={"subscriber_id": "shop.example.test", "csrf_token": _csrf(key_revoked.text)},
        headers=HTML,
    )
    assert "UNSUBSCRIBED" in revoked.text
    assert "Approve" not in revoked.text
    listed = run("network", "subscriber", "list", data_dir=settings.data_dir)
    assert "shop.example.test\tBPP\tUNSUBSCRIBED\tretail" in listed.stdout


def test_statuses_and_types_are_named_in_the_readers_language_beside_beckns_words(
    client: TestClient, settings: Settings
) -> None:
    _add(settings, "shop.example.test")
    _sign_in(client, settings)

    overview = client.get("/operator/network", headers=HTML)
    page = client.get("/operator/network/subscribers/shop.example.test", headers=HTML)
    in_french = client.get("/operator/network", headers={**HTML, "accept-language": "fr"})

    assert "<td>Added, waiting for approval (INITIATED)</td>" in overview.text
    assert "<td>Seller platform (BPP)</td>" in overview.text
    assert "<td>Gateway (BG)</td>" in overview.text
    assert "<dd>Added, waiting for approval (INITIATED)</dd>" in page.text
    assert "<td>Passerelle (BG)</td>" in in_french.text


def test_the_join_page_names_the_registrys_endpoints(client: TestClient) -> None:
    page = client.get("/network", headers=HTML)
    assert page.status_code == 200
    assert "127.0.0.1:8000/registry/subscribe" in page.text


def test_the_join_page_is_public_and_names_the_gateways_key(client: TestClient) -> None:
    page = client.get("/network", headers=HTML)
    assert page.status_code == 200
    assert "127.0.0.1:8000/gateway" in page.text
    assert len(page.content) < 50_000


def test_the_commands_refuse_bad_input_with_one_sentence(settings: Settings) -> None:
    bad_key = run(
        "network", "subscriber", "add", "shop.example.test", "--type", "BPP",
        "--url", "https://shop.example.test/beckn", "--domain", "retail",
        "--unique-key-id", "k1", "--signing-public-key", "not-a-key",
        data_dir=settings.data_dir,
    )  # fmt: skip
    assert bad_key.returncode == 2
    assert bad_key.stderr.strip() == (
        "comptoir network: The signing public key must be an Ed25519 key in base64."
    )
    unknown = run(
        "network", "subscriber", "approve", "nobody.example.test", data_dir=settings.data_dir
    )
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "comptoir network: nobody.example.test is not in the registry."
