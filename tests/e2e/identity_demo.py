"""A demo node (`comptoir demo`) and a person's browser signing in at its identity provider, for
the end-to-end tests of the apps that sign people in with Comptoir ID."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from comptoir.channels.sms.outbox import latest_message_to
from comptoir.kernel.db import Database
from tests.support.servers import COMPTOIR, RunningServer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class DemoNode:
    server: RunningServer
    data_dir: Path
    database_url: str | None = None  # the data folder's SQLite file when None
    people: int = 0

    def command(self, *arguments: str) -> str:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
        env.update({"COMPTOIR_DATA_DIR": str(self.data_dir), "COMPTOIR_BASE_URL": self.url})
        if self.database_url is not None:
            env["COMPTOIR_DATABASE_URL"] = self.database_url
        done = subprocess.run(
            [COMPTOIR, *arguments], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def new_person(self) -> str:
        """A person enrolled in the registry by the operator's command, with a phone of their
        own (login codes to one phone are at least 30 seconds apart)."""
        self.people += 1
        phone = f"+1758556{self.people:04d}"
        self.command(
            "identity", "person", "add", "--name", f"Visitor {self.people}", "--phone", phone,
            "--birthdate", "1990-04-02",
        )  # fmt: skip
        return phone

    @property
    def url(self) -> str:
        return self.server.url

    def sms_code(self, phone: str) -> str:
        database = Database.from_url(
            self.database_url or f"sqlite:///{self.data_dir / 'comptoir.db'}"
        )
        try:
            with database.reading() as session:
                body = latest_message_to(session, phone)
        finally:
            database.dispose()
        assert body is not None, f"no SMS to {phone}"
        found = re.search(r"\b(\d{6})\b", body)
        assert found, body
        return found.group(1)


def csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found, page[:1000]
    return html.unescape(found.group(1))


def last_next(page: str) -> str:
    # The last one: the language switcher's forms before it carry a `next` of their own.
    found = re.findall(r'name="next" value="([^"]*)"', page)
    assert found, page[:1000]
    return html.unescape(found[-1])


def absolute(node: DemoNode, location: str) -> str:
    return location if location.startswith("http") else node.url + location


def log_in_and_consent(
    node: DemoNode,
    browser: httpx.Client,
    authorization_url: str,
    phone: str,
    consent_pages: list[str] | None = None,
) -> str:
    """At the provider: log in by SMS code, agree to share, and return the callback URL
    (the consent page, when one is shown, added to `consent_pages`)."""
    first = browser.get(authorization_url)
    assert first.status_code == 303, first.text[:500]
    login = browser.get(absolute(node, first.headers["location"]))
    sent = browser.post(
        node.url + "/identity/login",
        data={"phone": phone, "csrf_token": csrf(login.text), "next": last_next(login.text)},
    )
    assert sent.status_code == 200, sent.text[:500]
    signed_in = browser.post(
        node.url + "/identity/login/code",
        data={
            "phone": phone,
            "code": node.sms_code(phone),
            "csrf_token": csrf(sent.text),
            "next": last_next(sent.text),
        },
    )
    assert signed_in.status_code == 303, signed_in.text[:500]
    consent = browser.get(absolute(node, signed_in.headers["location"]))
    if consent.status_code == 303:
        return consent.headers["location"]
    assert consent.status_code == 200, consent.text[:500]
    if consent_pages is not None:
        consent_pages.append(consent.text)
    request_id = re.search(r'name="request_id" value="([^"]+)"', consent.text)
    assert request_id, consent.text[:1000]
    decided = browser.post(
        node.url + "/identity/oidc/consent",
        data={
            "csrf_token": csrf(consent.text),
            "request_id": request_id.group(1),
            "decision": "allow",
            "claim": re.findall(r'name="claim" value="([^"]+)"', consent.text),
        },
    )
    assert decided.status_code == 303, decided.text[:500]
    return str(decided.headers["location"])


def log_in(node: DemoNode, browser: httpx.Client, phone: str) -> None:
    """Log in at the identity provider itself (its own pages), by SMS code."""
    login = browser.get(node.url + "/identity/login")
    sent = browser.post(
        node.url + "/identity/login",
        data={"phone": phone, "csrf_token": csrf(login.text), "next": last_next(login.text)},
    )
    assert sent.status_code == 200, sent.text[:500]
    signed_in = browser.post(
        node.url + "/identity/login/code",
        data={
            "phone": phone,
            "code": node.sms_code(phone),
            "csrf_token": csrf(sent.text),
            "next": last_next(sent.text),
        },
    )
    assert signed_in.status_code == 303, signed_in.text[:500]


def download_credential(
    node: DemoNode, browser: httpx.Client, choice: str, holder_public_jwk: dict[str, object]
) -> str:
    """A credential from the person's credentials page, bound to their wallet's public key."""
    page = browser.get(node.url + "/identity/me/credentials")
    assert f'value="{choice}' in page.text, page.text[:2000]
    found = re.search(rf'<option value="({re.escape(choice)}[^"]*)"', page.text)
    assert found
    answer = browser.post(
        node.url + "/identity/me/credentials/download",
        data={
            "csrf_token": csrf(page.text),
            "credential": found.group(1),
            "holder_jwk": json.dumps(holder_public_jwk),
        },
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.text
