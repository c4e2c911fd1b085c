from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from tests.identity.oidc.world import ISSUER, World


@pytest.fixture
def world(database: Database, clock: FrozenClock, tmp_path: Path) -> Iterator[World]:
    settings = load_settings(data_dir=tmp_path, base_url=ISSUER)
    app = create_app(settings, database=database, clock=clock)
    with TestClient(app, base_url=ISSUER) as http:
        yield World(app=app, http=http, database=database, clock=clock)
