"""A node serving the home page, identity and the SMS channel, on each database, with a frozen
clock. The outbox relay is not started: `node.pump()` delivers queued messages, so every step
is deterministic; `node.latest_sms(phone)` reads what was sent (delivered or still queued)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.channels.sms.outbox import latest_message_to
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import sign_in_link

BASE_URL = "http://testserver"
HTML = {"accept": "text/html"}
MARIE = "+17585550101"
KWAME = "+17585550102"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


@dataclass
class Node:
    app: FastAPI
    database: Database
    clock: FrozenClock

    def browser(self, **headers: str) -> TestClient:
        """A fresh browser (its own cookies)."""
        return TestClient(self.app, base_url=BASE_URL, headers={**HTML, **headers})

    def pump(self) -> None:
        for _ in range(20):
            if not self.app.state.node.outbox.run_once():
                return

    def latest_sms(self, phone: str) -> str | None:
        with self.database.reading() as session:
            return latest_message_to(session, phone)

    def code_sent_to(self, phone: str) -> str:
        body = self.latest_sms(phone)
        assert body is not None, f"no SMS was sent to {phone}"
        match = re.search(r"\b(\d{6})\b", body)
        assert match, body
        return match.group(1)

    def operator(self) -> TestClient:
        browser = self.browser()
        link = sign_in_link(BASE_URL, self.app.state.node.secret)
        answer = browser.get(link.removeprefix(BASE_URL), follow_redirects=False)
        assert answer.status_code == 303
        return browser


@pytest.fixture
def node(database: Database, tmp_path: Path, clock: FrozenClock) -> Node:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-secret-" + uuid.uuid4().hex,
        blocks="home,identity,channels.sms",
    )
    app = create_app(settings, database=database, clock=clock)
    return Node(app, database, clock)
