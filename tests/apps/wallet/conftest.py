"""A node with the wallet registered, institutions with keys, and a stand-in switch.

The outbox relay is not started: tests deliver queued FSPIOP calls with `node.pump()`, so
every step is deterministic. Nothing of ours is mocked; the switch is a test double of a
component outside the wallet (and outside this package's imports).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.apps import wallet as wallet_app
from comptoir.apps.wallet import keys
from comptoir.apps.wallet.fspiop_client import FspiopSender
from comptoir.apps.wallet.service.context import Wallet
from comptoir.apps.wallet.service.customers import add_customer
from comptoir.apps.wallet.service.institutions import create_institution, trust_peer
from comptoir.apps.wallet.service.views import CustomerView
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import RsaJwk, generate_rsa_jwk, import_rsa_jwk, import_rsa_jwks
from comptoir.kernel.outbox import OutboxRelay
from comptoir.kernel.settings import load_settings
from tests.apps.wallet.switch import SWITCH_ID, FakeSwitch

BASE_URL = "http://testserver"


@dataclass(frozen=True)
class KeyPair:
    private: RsaJwk
    jwks: dict[str, list[dict[str, str]]]


@pytest.fixture(scope="session")
def switch_key() -> KeyPair:
    private, jwks = generate_rsa_jwk(kid="switch-1")
    return KeyPair(import_rsa_jwk(private), jwks)


@pytest.fixture(scope="session")
def stranger_key() -> KeyPair:
    private, jwks = generate_rsa_jwk(kid="stranger-1")
    return KeyPair(import_rsa_jwk(private), jwks)


_KEYS: dict[str, dict[str, str]] = {}


def _session_key(institution_id: str) -> dict[str, str]:
    if institution_id not in _KEYS:
        _KEYS[institution_id] = generate_rsa_jwk(kid=f"{institution_id}-1")[0]
    return _KEYS[institution_id]


@dataclass
class Node:
    client: TestClient
    wallet: Wallet
    relay: OutboxRelay
    sender: FspiopSender
    switch: FakeSwitch
    clock: FrozenClock
    switch_jwks: dict[str, list[dict[str, str]]]

    def pump(self, rounds: int = 50) -> None:
        """Deliver queued calls (and what they cause) until nothing is due."""
        for _ in range(rounds):
            if not self.relay.run_once():
                return
        raise AssertionError("the outbox kept producing calls")

    def institution(self, institution_id: str, name: str, **options: object) -> None:
        # A key made once per test session: create_institution keeps a key already on disk,
        # and RSA key generation is the slowest part of setting up an institution.
        private = keys.private_key_path(self.wallet.keys_dir, institution_id)
        private.parent.mkdir(parents=True, exist_ok=True)
        private.write_text(json.dumps(_session_key(institution_id)))
        private.chmod(0o600)
        create_institution(
            self.wallet,
            institution_id=institution_id,
            name=name,
            switch_jwks=self.switch_jwks,
            **options,  # type: ignore[arg-type]
        )
        public = json.loads(keys.public_jwks_path(self.wallet.keys_dir, institution_id).read_text())
        self.switch.participants[institution_id] = import_rsa_jwks(public)

    def customer(
        self,
        institution_id: str,
        phone: str,
        name: str,
        *,
        balance: int = 0,
        merchant: bool = False,
        alias: str | None = None,
    ) -> CustomerView:
        view = add_customer(
            self.wallet,
            institution_id=institution_id,
            phone=phone,
            name=name,
            merchant=merchant,
            alias=alias,
            opening_balance=balance,
        )
        self.pump()
        return view

    def key(self, institution_id: str) -> RsaJwk:
        return keys.signing_key(self.wallet.keys_dir, institution_id).key


@pytest.fixture
def node(
    database: Database, tmp_path: Path, clock: FrozenClock, switch_key: KeyPair
) -> Iterator[Node]:
    # Only the home block: the switch here is the stand-in, not the payments block.
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-secret-" + uuid.uuid4().hex,
        blocks="home",
    )
    app = create_app(settings, database=database, clock=clock)
    wallet_app.register(app, None)
    client = TestClient(app, base_url=BASE_URL)
    switch = FakeSwitch(client=client, key=switch_key.private, clock=clock)
    switch.participants[SWITCH_ID] = import_rsa_jwks(switch_key.jwks)
    sender: FspiopSender = app.state.wallet_sender
    sender.transport = switch.transport()
    yield Node(
        client, app.state.wallet, app.state.node.outbox, sender, switch, clock, switch_key.jwks
    )
    client.close()


@pytest.fixture
def two_banks(node: Node) -> Node:
    """wallet-a (a mobile wallet) and wallet-b (a bank), both given the switch's key."""
    node.institution("wallet-a", "Wallet A")
    node.institution("wallet-b", "Bank B")
    return node


@pytest.fixture
def bank(node: Node, stranger_key: KeyPair) -> Node:
    """wallet-b with Bob and a shop, trusting dfsp-x's key; the switch only records."""
    node.institution("wallet-b", "Bank B")
    trust_peer(node.wallet, institution_id="wallet-b", fsp_id="dfsp-x", jwks=stranger_key.jwks)
    node.customer("wallet-b", BOB, "Bob Charles")
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    node.switch.forwarding = False
    return node


ALICE = "+17585550101"
BOB = "+17585550202"
SHOP = "+17585550303"
CAROL = "+17585550404"
