from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.support.servers import COMPTOIR, RunningServer, chromium_path, comptoir_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The demo as a visitor gets it: `comptoir demo`, over real HTTP."""
    with comptoir_server(tmp_path_factory.mktemp("demo"), command="demo") as server:
        yield server


@pytest.fixture(scope="package")
def operator_cookie(demo_server: RunningServer) -> dict[str, str]:
    """Signed in as the operator, the way an operator does: `comptoir operator link`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env["COMPTOIR_DATA_DIR"] = str(demo_server.log_path.parent)
    env["COMPTOIR_BASE_URL"] = demo_server.url
    link = subprocess.run(
        [COMPTOIR, "operator", "link"], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    answer = httpx.get(link, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    value = answer.cookies["comptoir_operator"]
    return {"name": "comptoir_operator", "value": value, "url": demo_server.url}


# Package scope, not session: Playwright's sync API keeps an event loop running on the main
# thread until it stops, and tests after these ones call asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        reason = "Chromium not found (install Debian's chromium or set COMPTOIR_TEST_CHROMIUM)"
        if os.environ.get("COMPTOIR_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and COMPTOIR_REQUIRE_BROWSER=1")
        pytest.skip(reason + ": browser tests skipped")
    launched = playwright.chromium.launch(
        executable_path=executable,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
