"""Complete OpenID Connect sign-ins in-process (see identity.py): the ASGI transport, the node,
the relying party and the browser, and the timed runs."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ISSUER = "http://idp.bench"
CALLBACK = "https://shop.bench/callback"


class InProcessTransport(httpx.BaseTransport):
    """Hands each request to the ASGI app on a long-running event loop, as a server would:
    the app sees exactly what uvicorn would give it, without sockets.

    The loop runs one "serving" task for its whole life, in a thread of its own, as uvicorn's
    does: the app's thread pool (anyio) keeps its worker threads for as long as that task
    runs. Running each request with `run_until_complete` instead made each request the root
    task, so the pool started a new worker thread for every request, a cost no server pays
    (a twentieth of the CPU of a sign-in, by py-spy)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._stop = self.loop.create_future()
        self._thread = threading.Thread(
            target=self.loop.run_until_complete,
            args=(self._serve(),),
            name="in-process-server",
            daemon=True,
        )
        self._thread.start()

    async def _serve(self) -> None:
        await self._stop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return asyncio.run_coroutine_threadsafe(self._call(request), self.loop).result()

    def close(self) -> None:
        if not self._stop.done():
            self.loop.call_soon_threadsafe(self._stop.set_result, None)
            self._thread.join(timeout=10)

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
        from comptoir.kernel.oidc import BackChannelClient, RelyingParty

        key = generate_jwk("P-256")
        with self.database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=[CALLBACK],
                jwks=jwks_document([key.public()]),
                scopes="openid profile phone",
                purpose="Deliveries",
                # As the apps register: the measured sign-in checks a signed userinfo answer.
                userinfo_signed_response_alg="ES256",
                actor="operator:bench",
                clock=system_clock,
            )
        return RelyingParty(
            issuer=ISSUER,
            client_id=added.client_id,
            redirect_uri=CALLBACK,
            client_key=key,
            http=BackChannelClient(transport=self.transport, base_url=ISSUER),
        )

    def signed_in_browser(self) -> httpx.Client:
        """A person enrolled and signed in (by the registry's services, outside the timing)."""
        from comptoir.identity.registry.service import enrol_person
        from comptoir.identity.registry.service.sessions import start_session
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
            node.transport.close()
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
