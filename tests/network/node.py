"""A real `comptoir serve` process for the network's end-to-end tests, on a port chosen first
so that its public address (and so its gateway's registered URL) is right, and the operator's
command line against the same data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.network.peers import free_port
from tests.support.servers import COMPTOIR


@dataclass
class Node:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def registry_url(self) -> str:
        return f"{self.url}/registry"

    @property
    def gateway_url(self) -> str:
        return f"{self.url}/gateway"

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
        env.update({"COMPTOIR_DATA_DIR": str(self.data_dir), "COMPTOIR_BASE_URL": self.url})
        return env

    def cli(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [COMPTOIR, *arguments],
            check=False,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def comptoir_node(data_dir: Path) -> Iterator[Node]:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    node_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    env.update(
        {
            "COMPTOIR_DATA_DIR": str(data_dir),
            "COMPTOIR_BASE_URL": node_url,
            "COMPTOIR_BLOCKS": "home,network",
        }
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [COMPTOIR, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    node = Node(node_url, data_dir, process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"comptoir serve exited early:\n{node.log()}")
            try:
                if httpx.get(node_url + "/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"comptoir serve did not start:\n{node.log()}")
            time.sleep(0.1)
        yield node
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
