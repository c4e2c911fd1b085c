"""An identity node in-process (Starlette's TestClient), relying parties that talk to it with
the kernel's OIDC library, and people who sign in and consent through its pages."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from comptoir.identity.oidc.service import clients
from comptoir.identity.registry.service import enrol_person
from comptoir.identity.registry.service.sessions import start_session
from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk, jwks_document
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import AuthorizationStart, RelyingParty

ISSUER = "http://testserver"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
REQUEST_ID_FIELD = re.compile(r'name="request_id" value="([^"]+)"')


def hidden(page: str, pattern: re.Pattern[str]) -> str:
    found = pattern.search(page)
    assert found, f"no such field in the page:\n{page[:2000]}"
    return html.unescape(found.group(1))


@dataclass
class Person:
    person_id: uuid.UUID
    phone: str
    browser: TestClient


@dataclass
class World:
    app: FastAPI
    http: TestClient
    database: Database
    clock: FrozenClock
    people: int = 0

    def register_client(
        self,
        *,
        name: str = "Coconut Corner",
        scopes: str = "openid profile phone",
        redirect_uri: str = "https://shop.example/callback",
        purpose: str = "To deliver your order",
        post_logout_redirect_uris: Iterable[str] = (),
        userinfo_signed_response_alg: str | None = None,
    ) -> RelyingParty:
        key = generate_jwk("P-256")
        with self.database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=[redirect_uri],
                jwks=jwks_document([key]),
                scopes=scopes,
                purpose=purpose,
                post_logout_redirect_uris=list(post_logout_redirect_uris),
                userinfo_signed_response_alg=userinfo_signed_response_alg,
                actor="operator:test",
                clock=self.clock,
            )
        return RelyingParty(
            issuer=ISSUER,
            client_id=added.client_id,
            redirect_uri=redirect_uri,
            client_key=key,
            http=self.http,
            clock=self.clock,
        )

    def enrol(
        self, phone: str | None = None, name: str = "Marie Joseph", *, signed_in: bool = True
    ) -> Person:
        """A person in the registry (the first has the phone +1 758 555 0101), with a browser
        of their own, signed in unless asked otherwise."""
        phone = phone or f"+1758555{101 + self.people:04d}"
        self.people += 1
        with self.database.transaction() as session:
            record = enrol_person(
                session,
                name=name,
                phone=phone,
                birthdate=date(1990, 4, 2),
                locale="fr",
                actor="operator:test",
                clock=self.clock,
            )
        person = Person(record.id, phone, TestClient(self.app, base_url=ISSUER))
        if signed_in:
            self.sign_in(person)
        return person

    def sign_in(self, person: Person) -> None:
        """What the registry's login page does once the code is right: a session and its
        cookie (the login pages themselves are exercised end to end in test_e2e)."""
        with self.database.transaction() as session:
            session_id = start_session(
                session, person_id=person.person_id, method="otp", clock=self.clock
            )
        person.browser.cookies.set(
            SESSION_COOKIE, cookie_value(self.app.state.node.secret, session_id)
        )

    def consent_page(self, person: Person, start: AuthorizationStart) -> str:
        page = person.browser.get(start.authorization_url, follow_redirects=False)
        assert page.status_code == 200, (page.status_code, page.headers, page.text[:500])
        assert "request_id" in page.text, page.text[:2000]
        return page.text

    def decide(
        self, person: Person, page: str, *, allow: bool = True, claims: Iterable[str] | None = None
    ) -> str:
        """Answer the consent screen; `claims` None keeps every box ticked as shown."""
        ticked = (
            re.findall(r'name="claim" value="([^"]+)"', page) if claims is None else list(claims)
        )
        answer = person.browser.post(
            "/identity/oidc/consent",
            data={
                "csrf_token": hidden(page, CSRF_FIELD),
                "request_id": hidden(page, REQUEST_ID_FIELD),
                "decision": "allow" if allow else "deny",
                "claim": ticked,
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, (answer.status_code, answer.text[:1000])
        return answer.headers["location"]

    def authorize(
        self,
        person: Person,
        start: AuthorizationStart,
        *,
        claims: Iterable[str] | None = None,
    ) -> str:
        """The browser's trip: the authorization endpoint, the consent screen if shown, and
        back; returns the callback URL."""
        first = person.browser.get(start.authorization_url, follow_redirects=False)
        if first.status_code == 303:
            return first.headers["location"]
        assert first.status_code == 200, (first.status_code, first.text[:1000])
        return self.decide(person, first.text, claims=claims)


def claims_parameter(
    *, userinfo: Mapping[str, Any] | None = None, id_token: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if userinfo is not None:
        value["userinfo"] = dict(userinfo)
    if id_token is not None:
        value["id_token"] = dict(id_token)
    return value
