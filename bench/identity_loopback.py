"""Complete OpenID Connect sign-ins over loopback HTTP (see identity.py): a `comptoir serve`
process with workers, and relying parties on client threads in the benchmark's process."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

import _support
from identity_flows import CALLBACK, Node, one_flow


@dataclass
class LoopbackResult:
    database: str
    workers: int
    concurrency: int
    flows: int
    seconds: float
    server_cpu_seconds: float
    client_cpu_seconds: float
    errors: int

    def to_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "workers": self.workers,
            "concurrency": self.concurrency,
            "flows": self.flows,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "flows_per_second": round(self.flows / self.seconds, 1),
            "server_cpu_ms_per_flow": round(1000 * self.server_cpu_seconds / self.flows, 2),
            "client_cpu_ms_per_flow": round(1000 * self.client_cpu_seconds / self.flows, 2),
        }


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def loopback(
    *, database_name: str, database_url: str | None, workers: int, concurrency: int, flows: int
) -> LoopbackResult:
    import os
    import signal
    import subprocess
    import threading

    from tests.support.servers import COMPTOIR, free_port

    from comptoir.identity.registry.service import enrol_person
    from comptoir.identity.registry.service.sessions import start_session
    from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
    from comptoir.kernel.clock import system_clock
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.oidc import BackChannelClient, RelyingParty
    from comptoir.kernel.settings import load_settings

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="identity-loopback-") as folder:
        data_dir = Path(folder)
        settings = load_settings(data_dir=data_dir, base_url=base_url, database_url=database_url)
        database = Database.from_url(settings.resolved_database_url)
        upgrade(database.engine)
        node = Node(app=None, database=database, transport=None)  # type: ignore[arg-type]
        template = node.client("Loopback shop")
        secret = settings.signing_secret()
        cookies = []
        for number in range(concurrency):
            with database.transaction() as session:
                person = enrol_person(
                    session,
                    name=f"Person {number}",
                    phone=f"+1758{6000000 + number:07d}",
                    birthdate=date(1990, 1, 1),
                    actor="operator:bench",
                    clock=system_clock,
                )
                cookies.append(
                    cookie_value(
                        secret,
                        start_session(
                            session, person_id=person.id, method="otp", clock=system_clock
                        ),
                    )
                )
        database.dispose()
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
        env.update(
            {
                "COMPTOIR_DATA_DIR": str(data_dir),
                "COMPTOIR_BASE_URL": base_url,
                "COMPTOIR_BLOCKS": "home,identity",
                "COMPTOIR_LOG_LEVEL": "warning",
                **({"COMPTOIR_DATABASE_URL": database_url} if database_url else {}),
            }
        )
        server = subprocess.Popen(
            [COMPTOIR, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_until_up(base_url)
            parties = []
            for cookie in cookies:
                http = BackChannelClient(timeout=30.0)
                browser = httpx.Client(timeout=30.0, base_url=base_url)
                browser.cookies.set(SESSION_COOKIE, cookie)
                party = RelyingParty(
                    issuer=base_url,
                    client_id=template.client_id,
                    redirect_uri=CALLBACK,
                    client_key=template.client_key,
                    http=http,
                )
                one_flow(party, browser)  # the first consent, and a warm-up
                one_flow(party, browser)
                parties.append((party, browser))
            per_thread = max(1, flows // concurrency)
            errors = [0]
            pids = [server.pid, *_children(server.pid)]

            def work(party: Any, browser: httpx.Client) -> None:
                for _ in range(per_thread):
                    try:
                        one_flow(party, browser)
                    except Exception:
                        errors[0] += 1

            threads = [threading.Thread(target=work, args=pair, daemon=True) for pair in parties]
            server_before = sum(_support.process_cpu_seconds(pid) for pid in pids)
            client_before = time.process_time()
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            result = LoopbackResult(
                database=database_name,
                workers=workers,
                concurrency=concurrency,
                flows=per_thread * concurrency,
                seconds=elapsed,
                server_cpu_seconds=sum(_support.process_cpu_seconds(pid) for pid in pids)
                - server_before,
                client_cpu_seconds=time.process_time() - client_before,
                errors=errors[0],
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    summary = result.to_json()
    print(
        f"  {database_name:10} {workers} workers, {concurrency:2} in flight: "
        f"{summary['flows_per_second']:6.1f} flows/s; "
        f"server {summary['server_cpu_ms_per_flow']} ms CPU/flow, "
        f"clients {summary['client_cpu_ms_per_flow']} ms; {result.errors} errors"
    )
    return result


def _wait_until_up(base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"comptoir serve did not start at {base_url}")
