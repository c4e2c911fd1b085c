"""The identity benchmark: complete OpenID Connect sign-ins per second, and token checks.

    .venv/bin/python bench/identity.py [--quick] [--skip-postgres] [--flows N] [--profile]

(1) Sign-ins, in-process ASGI: a relying party (the kernel's `RelyingParty`) and a person's
    browser call the node's ASGI app directly, on one event loop in this process (no sockets;
    the app's own thread pool is used as in production). A flow is what a shop does to sign a
    customer in under FAPI 2.0: PAR with private_key_jwt → the authorization endpoint → the
    code exchange with private_key_jwt and a DPoP proof → verification of the ID token →
    userinfo with a DPoP proof → verification of the signed userinfo answer. Two kinds:
      - "returning": the person is signed in at the provider and their consent is on file, so
        the authorization endpoint answers at once with the code (the everyday case);
      - "first": a person seen for the first time by this client: the consent screen is shown
        and answered (one more request, one consent written).
    Both the client's and the provider's work run in this one process, so the figure is what
    one core (one GIL) does for both sides; CPU milliseconds per flow are reported beside it.
    On SQLite (a file under a temporary folder) and PostgreSQL (a scratch schema) when
    reachable.
(2) Sign-ins over loopback HTTP: a `comptoir serve --workers 2` process and client
    threads in this process, each a relying party with a signed-in person of its own, doing
    "returning" flows side by side; the server's CPU (all its workers) is measured apart from
    the clients'. Both share the machine's 2 cores.
(3) Token checks per second on one core: an ID token (ES256, iss/aud/exp/nonce) as a relying
    party checks it; an access token with its DPoP proof as a resource server checks them.

Target on 2 cores (issue): ≥ 300 complete flows/s. The run prints a table and writes
bench/results/identity.json. It is short (about a minute; --quick a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

import _support
from _support import RESULTS_DIR, table

TARGET_FLOWS = 300
ISSUER = "http://idp.bench"
CALLBACK = "https://shop.bench/callback"


class InProcessTransport(httpx.BaseTransport):
    """Hands each request to the ASGI app on an event loop that the calling thread runs: the
    app sees exactly what a server would give it, without sockets or a second thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.loop.run_until_complete(self._call(request))

    async def _call(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        url = request.url
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "client": ("127.0.0.1", 50000),
            "server": (url.host, url.port or 80),
            "state": {},
        }
        sent = False
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return httpx.Response(status, headers=headers, content=b"".join(chunks))


@dataclass
class Node:
    app: Any
    database: Any
    transport: InProcessTransport
    people: int = 0

    def client(self, name: str) -> Any:
        from comptoir.identity.oidc.service import clients
        from comptoir.kernel.clock import system_clock
        from comptoir.kernel.crypto import generate_jwk, jwks_document
        from comptoir.kernel.oidc import RelyingParty

        key = generate_jwk("P-256")
        with self.database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=[CALLBACK],
                jwks=jwks_document([key.public()]),
                scopes="openid profile phone",
                purpose="Deliveries",
                actor="operator:bench",
                clock=system_clock,
            )
        return RelyingParty(
            issuer=ISSUER,
            client_id=added.client_id,
            redirect_uri=CALLBACK,
            client_key=key,
            http=httpx.Client(transport=self.transport, base_url=ISSUER),
        )

    def signed_in_browser(self) -> httpx.Client:
        """A person enrolled and signed in (by the registry's services, outside the timing)."""
        from comptoir.identity.registry.service import enrol_person
        from comptoir.identity.registry.service.signin import start_session
        from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
        from comptoir.kernel.clock import system_clock

        self.people += 1
        with self.database.transaction() as session:
            person = enrol_person(
                session,
                name=f"Person {self.people}",
                phone=f"+1758{5000000 + self.people:07d}",
                birthdate=date(1990, 1, 1),
                actor="operator:bench",
                clock=system_clock,
            )
            session_id = start_session(
                session, person_id=person.id, method="otp", clock=system_clock
            )
        browser = httpx.Client(transport=self.transport, base_url=ISSUER)
        browser.cookies.set(SESSION_COOKIE, cookie_value(self.app.state.node.secret, session_id))
        return browser


def answer_consent(browser: httpx.Client, page: str) -> str:
    import html
    import re

    def field(name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]+)"', page)
        assert found, page[:500]
        return html.unescape(found.group(1))

    decided = browser.post(
        "/identity/oidc/consent",
        data={
            "csrf_token": field("csrf_token"),
            "request_id": field("request_id"),
            "decision": "allow",
            "claim": re.findall(r'name="claim" value="([^"]+)"', page),
        },
    )
    assert decided.status_code == 303, decided.text[:500]
    return decided.headers["location"]


def one_flow(shop: Any, browser: httpx.Client) -> None:
    start = shop.begin(scope="openid profile phone")
    answer = browser.get(start.authorization_url)
    if answer.status_code == 303:
        callback = answer.headers["location"]
    else:
        assert answer.status_code == 200, answer.text[:500]
        callback = answer_consent(browser, answer.text)
    tokens = shop.finish(start, callback)
    claims = shop.userinfo(tokens)
    assert claims["sub"] == tokens.subject


@dataclass
class FlowResult:
    database: str
    kind: str
    flows: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.flows / self.seconds

    @property
    def cpu_ms_per_flow(self) -> float:
        return 1000 * self.cpu_seconds / self.flows

    def to_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "kind": self.kind,
            "flows": self.flows,
            "seconds": round(self.seconds, 3),
            "flows_per_second": round(self.per_second, 1),
            "cpu_ms_per_flow": round(self.cpu_ms_per_flow, 2),
        }


def build_node(database_url: str, data_dir: Path) -> Node:
    from comptoir.app import create_app
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings

    settings = load_settings(
        data_dir=data_dir, database_url=database_url, base_url=ISSUER, blocks="home,identity"
    )
    database = Database.from_url(database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    return Node(app=app, database=database, transport=InProcessTransport(app))


def measure(
    database: str, database_url: str, *, flows: int, profile_dir: Path | None
) -> list[FlowResult]:
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as folder:
        node = build_node(database_url, Path(folder))
        try:
            shop = node.client("Bench shop")
            returning = node.signed_in_browser()
            for _ in range(10):  # warm up: caches, first consent, compiled statements
                one_flow(shop, returning)
            results = [
                _timed(database, "returning", flows, lambda: one_flow(shop, returning), profile_dir)
            ]
            newcomers = [node.signed_in_browser() for _ in range(max(10, flows // 4))]
            queue = iter(newcomers)
            results.append(
                _timed(
                    database,
                    "first",
                    len(newcomers),
                    lambda: one_flow(shop, next(queue)),
                    None,
                )
            )
        finally:
            node.database.dispose()
    for result in results:
        print(
            f"  {database:10} {result.kind:9} {result.flows:5} flows  "
            f"{result.per_second:7.1f}/s  {result.cpu_ms_per_flow:6.2f} ms CPU per flow"
        )
    return results


def _timed(
    database: str,
    kind: str,
    count: int,
    flow: Callable[[], None],
    profile_dir: Path | None,
) -> FlowResult:
    profiler = None
    if profile_dir is not None:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        flow()
    result = FlowResult(
        database, kind, count, time.perf_counter() - started, time.process_time() - cpu
    )
    if profiler is not None and profile_dir is not None:
        profiler.stop()
        path = profile_dir / f"identity-{database}-{kind}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False))
        print(f"  profile of the {kind} flows on {database}: {path}")
    return result


# -- over loopback HTTP ----------------------------------------------------------------------------


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
    from comptoir.identity.registry.service.signin import start_session
    from comptoir.identity.registry.session import SESSION_COOKIE, cookie_value
    from comptoir.kernel.clock import system_clock
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.oidc import RelyingParty
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
                http = httpx.Client(timeout=30.0)
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


# -- token checks ---------------------------------------------------------------------------------


def token_checks(seconds: float) -> list[dict[str, Any]]:
    from comptoir.kernel.crypto import generate_jwk, issue_jwt
    from comptoir.kernel.oidc import (
        make_dpop_proof,
        verify_access_token,
        verify_dpop_proof,
        verify_id_token,
    )

    provider_key = generate_jwk("P-256")
    keys = [provider_key.public()]
    client_key = generate_jwk("P-256")
    id_token = issue_jwt(
        {"sub": "s" * 43, "nonce": "n" * 22, "auth_time": 0, "name": "Marie Joseph"},
        provider_key,
        issuer=ISSUER,
        audience="client",
    )
    access_token = issue_jwt(
        {
            "sub": "s" * 43,
            "jti": "j" * 32,
            "scope": "openid",
            "cnf": {"jkt": client_key.thumbprint()},
        },
        provider_key,
        issuer=ISSUER,
        audience=ISSUER,
        typ="at+jwt",
    )
    userinfo_url = f"{ISSUER}/identity/oidc/userinfo"

    def check_id_token() -> None:
        verify_id_token(id_token, keys=keys, issuer=ISSUER, client_id="client", nonce="n" * 22)

    # A resource server checks both the token and a fresh proof on every call.
    proofs = [
        make_dpop_proof(client_key, method="GET", url=userinfo_url, access_token=access_token)
        for _ in range(2000)
    ]
    position = 0

    def check_access_token() -> None:
        nonlocal position
        claims = verify_access_token(access_token, keys=keys, issuer=ISSUER, audience=ISSUER)
        proof = verify_dpop_proof(
            proofs[position % len(proofs)],
            method="GET",
            url=userinfo_url,
            access_token=access_token,
        )
        position += 1
        assert proof.jkt == claims["cnf"]["jkt"]  # type: ignore[index]

    results = []
    for name, check in (
        ("ID token (ES256; iss, aud, exp, nonce)", check_id_token),
        ("access token + its DPoP proof", check_access_token),
    ):
        count, started, cpu = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - started < seconds:
            check()
            count += 1
        elapsed = time.perf_counter() - started
        results.append(
            {
                "check": name,
                "count": count,
                "per_second": round(count / elapsed, 1),
                "cpu_us_each": round(1e6 * (time.process_time() - cpu) / count, 1),
            }
        )
        print(f"  {name:40} {count / elapsed:8.0f}/s")
    return results


# -- the run ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    started = time.perf_counter()
    output: Path = options.output
    output.parent.mkdir(parents=True, exist_ok=True)
    print("Identity benchmark" + (" (quick)" if options.quick else ""))
    background = _support.background_busy_cores()
    speed = _support.python_speed_ms()
    machine = {
        **_support.machine_description(),
        "background_busy_cores_before_run": background,
        "python_loop_ms": speed,
    }
    print(
        f"  {machine['cpus']} cores ({machine['cpu_model']}), Python {machine['python']}; "
        f"pure-Python loop {speed} ms; {background} cores busy with other work before the run"
    )
    flows = options.flows or (40 if options.quick else 300)
    skipped: list[dict[str, str]] = []
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if options.skip_postgres:
        skipped.append({"what": "postgresql", "reason": "--skip-postgres"})
    else:
        candidate = _support.postgres_server_url(options.postgres_url)
        reason = _support.postgres_unreachable(candidate)
        if reason is None:
            databases.append(("postgresql", candidate))
        else:
            skipped.append({"what": "postgresql", "reason": reason})
            print(f"  PostgreSQL skipped: {reason}")

    print("\n(1) Complete sign-ins, in-process ASGI (client and provider in one process)")
    profile_dir = output.parent if options.profile else None
    flow_results: list[FlowResult] = []
    for database, server_url in databases:
        if server_url is None:
            with tempfile.TemporaryDirectory(prefix="identity-bench-db-") as folder:
                url = f"sqlite:///{Path(folder) / 'comptoir.db'}"
                flow_results += measure(database, url, flows=flows, profile_dir=profile_dir)
        else:
            with _support.postgres_scratch_schema(server_url, prefix="bench_identity") as url:
                flow_results += measure(database, url, flows=flows, profile_dir=profile_dir)

    print("\n(2) Complete sign-ins over loopback HTTP (comptoir serve --workers 2)")
    loopback_results = []
    for database, server_url in databases:
        for concurrency in (4,) if options.quick else (4, 8):
            if server_url is None:
                loopback_results.append(
                    loopback(
                        database_name=database,
                        database_url=None,
                        workers=2,
                        concurrency=concurrency,
                        flows=flows,
                    )
                )
                continue
            with _support.postgres_scratch_schema(server_url, prefix="bench_identity") as url:
                loopback_results.append(
                    loopback(
                        database_name=database,
                        database_url=url,
                        workers=2,
                        concurrency=concurrency,
                        flows=flows,
                    )
                )

    print("\n(3) Token checks on one core")
    checks = token_checks(0.5 if options.quick else 2.0)

    best = max(
        [r.per_second for r in flow_results if r.kind == "returning"]
        + [r.flows / r.seconds for r in loopback_results],
        default=0.0,
    )
    verdict = {
        "target_flows_per_second": TARGET_FLOWS,
        "best_returning_flows_per_second": round(best, 1),
        "met": best >= TARGET_FLOWS,
    }
    report = {
        "benchmark": "identity",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": options.quick,
        "machine": machine,
        "harness": (
            "in-process ASGI: the relying party and the browser call the app on one event "
            "loop in the benchmark's own process; one core does both sides"
        ),
        "skipped": skipped,
        "flows": [result.to_json() for result in flow_results],
        "loopback": [result.to_json() for result in loopback_results],
        "token_checks": checks,
        "verdict": verdict,
        "duration_s": round(time.perf_counter() - started, 1),
    }
    print()
    print(
        table(
            ["database", "flow", "flows", "flows/s", "CPU ms/flow"],
            [
                [r.database, r.kind, r.flows, round(r.per_second, 1), round(r.cpu_ms_per_flow, 2)]
                for r in flow_results
            ],
        )
    )
    print()
    print(
        table(
            ["loopback", "in flight", "flows", "flows/s", "server CPU ms/flow", "errors"],
            [
                [
                    f"{r.database}, {r.workers} workers",
                    r.concurrency,
                    r.flows,
                    round(r.flows / r.seconds, 1),
                    round(1000 * r.server_cpu_seconds / r.flows, 2),
                    r.errors,
                ]
                for r in loopback_results
            ],
        )
    )
    print()
    print(
        table(
            ["check", "per second", "CPU µs each"],
            [[c["check"], c["per_second"], c["cpu_us_each"]] for c in checks],
        )
    )
    print(
        f"\nTarget ≥ {TARGET_FLOWS} complete flows/s on 2 cores: best {best:.0f}/s "
        f"({'met' if verdict['met'] else 'not met'})"
    )
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON written to {output} ({report['duration_s']:.0f} s in all)")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="OpenID Connect sign-ins and token checks.")
    parser.add_argument("--quick", action="store_true", help="a small run (seconds) for CI")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--postgres-url", help="the PostgreSQL server (a scratch schema is used)")
    parser.add_argument("--flows", type=int, help="returning flows per database (default 300)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles to a file")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "identity.json", help="the JSON report"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
