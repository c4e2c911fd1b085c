"""A node serving identity on each database with a frozen clock, people in its registry, and
helpers that play a wallet: holder keys, proofs of possession, presentations."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.identity.registry.service import enrol_person, register_business, verify_business
from comptoir.identity.registry.service.sessions import start_session
from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import Jwk, generate_jwk, issue_jwt
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import sign_in_link

BASE_URL = "http://testserver"
ISSUER = f"{BASE_URL}/identity/vci"
HTML = {"accept": "text/html"}
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def offer_from(page: str) -> tuple[dict[str, object], str | None]:
    """The credential offer in an offer page's link, and the transaction code beside it."""
    match = re.search(r'href="(openid-credential-offer://[^"]+)"', page)
    assert match, "the page has no offer link"
    link = match.group(1).replace("&amp;", "&")
    document = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    code = re.search(r'class="code"[^>]*><strong>(\d+)</strong>', page)
    return document, code.group(1) if code else None


def proof(holder: Jwk, *, nonce: str, audience: str = ISSUER, clock: FrozenClock) -> str:
    """The wallet's `openid4vci-proof+jwt`: its public key in the header, over the c_nonce."""
    return issue_jwt(
        {"nonce": nonce},
        holder,
        audience=audience,
        ttl_seconds=None,
        typ="openid4vci-proof+jwt",
        headers={"jwk": holder.public().to_dict()},
        include_kid=False,
        clock=clock,
    )


@dataclass
class Person:
    id: uuid.UUID
    business_id: uuid.UUID | None


@dataclass
class Node:
    app: FastAPI
    database: Database
    clock: FrozenClock

    def client(self, **headers: str) -> TestClient:
        return TestClient(self.app, base_url=BASE_URL, headers=headers)

    def enrol(
        self,
        phone: str,
        *,
        born: date,
        business: str | None = None,
        verified: bool = True,
    ) -> Person:
        with self.database.transaction() as session:
            person = enrol_person(
                session,
                name="Marie Joseph",
                phone=phone,
                birthdate=born,
                actor="operator:test",
                clock=self.clock,
            )
            business_id = None
            if business is not None:
                record = register_business(
                    session,
                    owner_id=person.id,
                    name=business,
                    registration_number=f"LC-{phone[-4:]}",
                    address="1 Bay Street, Castries",
                    sector="food",
                    actor=f"person:{person.id}",
                    clock=self.clock,
                )
                business_id = record.id
                if verified:
                    verify_business(
                        session, business_id=record.id, actor="operator:test", clock=self.clock
                    )
        return Person(person.id, business_id)

    def browser(self, person: Person) -> TestClient:
        """A browser signed in as `person`."""
        with self.database.transaction() as session:
            session_id = start_session(session, person_id=person.id, method="otp", clock=self.clock)
        browser = TestClient(self.app, base_url=BASE_URL, headers=HTML)
        browser.cookies.set(SESSION_COOKIE, cookie_value(self.app.state.node.secret, session_id))
        return browser

    def operator(self) -> TestClient:
        browser = TestClient(self.app, base_url=BASE_URL, headers=HTML)
        link = sign_in_link(BASE_URL, self.app.state.node.secret)
        assert browser.get(link.removeprefix(BASE_URL), follow_redirects=False).status_code == 303
        return browser

    def offer(self, person: Person, credential: str) -> tuple[dict[str, object], str | None]:
        browser = self.browser(person)
        page = browser.get("/identity/me/credentials")
        assert page.status_code == 200, page.text
        answer = browser.post(
            "/identity/me/credentials/offer",
            data={"csrf_token": csrf(page.text), "credential": credential},
        )
        assert answer.status_code == 200, answer.text
        return offer_from(answer.text)

    def fetch(self, url: str) -> bytes:
        """What a verifier's HTTP client would read at `url` (served by this node)."""
        answer = self.client().get(url.removeprefix(BASE_URL))
        if answer.status_code != 200:
            raise OSError(f"{url} answered {answer.status_code}")
        return answer.content


@pytest.fixture
def node(database: Database, tmp_path: Path, clock: FrozenClock) -> Node:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-secret-" + uuid.uuid4().hex,
        blocks="home,identity,channels.sms",
    )
    return Node(create_app(settings, database=database, clock=clock), database, clock)


@pytest.fixture
def holder() -> Jwk:
    return generate_jwk("P-256")


ADULT = date(1990, 4, 23)
MINOR = date(2010, 6, 1)
