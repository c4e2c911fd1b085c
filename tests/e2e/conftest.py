"""One `comptoir demo` node shared by the tests of the apps' use of the identity block."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.identity_demo import DemoNode
from tests.support.servers import comptoir_server


@pytest.fixture(scope="session")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoNode]:
    data_dir = tmp_path_factory.mktemp("demo-node")
    with comptoir_server(data_dir, command="demo", startup_seconds=120) as server:
        yield DemoNode(server, data_dir)
