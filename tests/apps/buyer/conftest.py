"""The buyer app's pages on a node of their own: the shop registered, its network nowhere (a
test that needs the sellers' answers writes them in as they would arrive)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.apps.buyer.service.context import Buyer
from comptoir.apps.buyer.service.context import create_app as create_buyer_app
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from tests.support.servers import free_port

BASE_URL = "http://testserver"


@pytest.fixture
def client(database: Database, clock: FrozenClock, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-" + uuid.uuid4().hex,
        blocks="home,apps.buyer",
    )
    app = create_app(settings, database=database, clock=clock)
    nowhere = f"http://127.0.0.1:{free_port()}"
    create_buyer_app(
        Buyer(database=database, keys_dir=settings.keys_dir, base_url=BASE_URL, clock=clock),
        app_id="shop",
        name="Island Shop",
        subscriber_id="shop.example",
        registry_url=f"{nowhere}/registry",
        gateway_url=f"{nowhere}/gateway",
    )
    with TestClient(app, base_url=BASE_URL) as found:
        yield found
