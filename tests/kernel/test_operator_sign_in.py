"""The operator's sign-in link: it signs in once, within its fifteen minutes, and only as made
by the node's secret."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import LINK_SECONDS, OPERATOR_COOKIE, sign_in_link

HTML = {"accept": "text/html"}


@pytest.fixture
def app_and_secret(tmp_path: Path) -> Iterator[tuple[TestClient, bytes]]:
    settings = load_settings(data_dir=tmp_path)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    with TestClient(app, follow_redirects=False) as client:
        yield client, app.state.node.secret
    database.dispose()


def test_a_link_signs_in_once_and_a_second_opening_is_refused(
    app_and_secret: tuple[TestClient, bytes],
) -> None:
    client, secret = app_and_secret
    link = sign_in_link("", secret)
    first = client.get(link)
    assert first.status_code == 303
    assert OPERATOR_COOKIE in first.cookies
    assert client.get("/operator/switch", headers=HTML).status_code == 200

    client.cookies.clear()
    again = client.get(link, headers=HTML)
    assert again.status_code == 401
    assert "already been used" in again.text
    assert OPERATOR_COOKIE not in again.cookies
    assert client.get("/operator/switch", headers=HTML).status_code == 401
    # A new link still signs in.
    assert client.get(sign_in_link("", secret)).status_code == 303


def test_an_expired_forged_or_session_token_does_not_sign_in(
    app_and_secret: tuple[TestClient, bytes],
) -> None:
    client, secret = app_and_secret
    expired = sign_in_link("", secret, now=time.time() - LINK_SECONDS - 1)
    forged = sign_in_link("", b"another node's secret")
    tampered = sign_in_link("", secret)[:-2] + "AA"
    session_cookie = client.get(sign_in_link("", secret)).cookies[OPERATOR_COOKIE]
    client.cookies.clear()
    for link in (
        expired,
        forged,
        tampered,
        f"/operator/sign-in?token={session_cookie}",
        "/operator/sign-in",
    ):
        answer = client.get(link, headers=HTML)
        assert answer.status_code == 401, link
        assert "not valid or has expired" in answer.text
