from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import load_settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(data_dir=tmp_path)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    with TestClient(create_app(settings, database=database), base_url="http://127.0.0.1") as c:
        yield c
