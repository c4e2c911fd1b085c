"""One `comptoir demo` node per database (SQLite, then PostgreSQL in a scratch schema), shared
by the tests of the apps' use of the identity block."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests.e2e.identity_demo import DemoNode
from tests.support.servers import comptoir_server


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def demo_node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoNode]:
    data_dir = tmp_path_factory.mktemp(f"demo-node-{request.param}")
    if request.param == "sqlite":
        with comptoir_server(data_dir, command="demo", startup_seconds=120) as server:
            yield DemoNode(server, data_dir)
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    schema = f"test_demo_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        server = make_url(server_url)
        options = f"{server.query.get('options', '')} -csearch_path={schema}".strip()
        url = server.update_query_dict({"options": options}).render_as_string(hide_password=False)
        with comptoir_server(
            data_dir,
            command="demo",
            startup_seconds=120,
            extra_env={"COMPTOIR_DATABASE_URL": url},
        ) as running:
            yield DemoNode(running, data_dir, database_url=url)
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
