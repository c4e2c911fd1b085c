"""A test DFSP: its own RSA key, a real HTTP server that records the switch's callbacks, and
signed FSPIOP requests to the switch. It is written from the FSPIOP spec, like any DFSP, and
shares nothing with the switch but the kernel's wire layer."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.kernel.fspiop import build_headers, generate_rsa_jwk, ilp, import_rsa_jwk, json_body
from comptoir.kernel.fspiop.signature import sign_headers
from comptoir.kernel.ids import new_id
from tests.kernel.fspiop import OPENAPI_PATH, body_schema_name, json_schema_for
from tests.support.servers import free_port


@dataclass
class Callback:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # What is wrong with it against its schema in the FSPIOP OpenAPI document, if anything.
    nonconformity: str | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@cache
def _validator(schema_name: str) -> Any:
    return jsonschema.Draft202012Validator(json_schema_for(schema_name))


def nonconformity(method: str, path: str, body: bytes) -> str | None:
    """What is wrong with a message's body against the schema the FSPIOP OpenAPI document gives
    its method and path, or None. Without the document (outside CI) nothing is checked: the
    test of this check says so by skipping."""
    if not OPENAPI_PATH.is_file():
        return None
    schema_name = body_schema_name(method, path)
    if schema_name is None:
        return f"{method} {path} carries a body the API gives it none" if body else None
    try:
        document = json.loads(body)
    except ValueError:
        return f"{method} {path}: the body is not JSON"
    error = jsonschema.exceptions.best_match(_validator(schema_name).iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "the body"
    return f"{method} {path} is not a {schema_name}: {where}: {error.message}"


class Peer:
    def __init__(self, fsp_id: str, switch_url: str) -> None:
        self.fsp_id = fsp_id
        self.switch_url = switch_url.rstrip("/")
        private, self.public_jwks = generate_rsa_jwk(kid=f"{fsp_id}-1")
        self.key = import_rsa_jwk(private)
        self.received: queue.Queue[Callback] = queue.Queue()
        # Every message from the switch is held to its schema in the API's OpenAPI document.
        self.nonconforming: list[str] = []
        self.port = free_port()
        self.callback_url = f"http://127.0.0.1:{self.port}/fspiop"
        self.client = httpx.Client(timeout=10)

    def write_jwks(self, folder: Path) -> Path:
        path = folder / f"{self.fsp_id}.jwks.json"
        path.write_text(json.dumps(self.public_jwks))
        return path

    # -- the callback server ---------------------------------------------------------------

    async def _record(self, request: Request) -> Response:
        path = request.url.path.removeprefix("/fspiop")
        body = await request.body()
        problem = nonconformity(request.method, path, body)
        if problem is not None:
            self.nonconforming.append(problem)
        self.received.put(Callback(request.method, path, dict(request.headers), body, problem))
        return Response(status_code=202)

    @contextmanager
    def serving(self) -> Iterator[Peer]:
        app = Starlette(
            routes=[
                Route(
                    "/fspiop/{rest:path}",
                    self._record,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                )
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(10)
            self.client.close()
        assert not self.nonconforming, self.nonconforming

    def wait_for(self, method: str, path: str, timeout: float = 10.0) -> Callback:
        """The next callback with this method and path (others received meanwhile are kept)."""
        deadline = time.monotonic() + timeout
        kept: list[Callback] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{self.fsp_id} got no {method} {path} in {timeout}s")
                try:
                    callback = self.received.get(timeout=remaining)
                except queue.Empty:
                    continue
                if callback.method == method and callback.path == path:
                    assert callback.nonconformity is None, callback.nonconformity
                    return callback
                kept.append(callback)
        finally:
            for callback in kept:
                self.received.put(callback)

    # -- requests to the switch ------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        resource: str,
        document: dict[str, Any] | None = None,
        destination: str | None = None,
        body: bytes | None = None,
        tamper: bool = False,
    ) -> httpx.Response:
        raw = body if body is not None else (json_body(document) if document is not None else b"")
        headers = build_headers(
            resource=resource,
            method=method,
            uri=path,
            source=self.fsp_id,
            destination=destination,
        )
        signed = sign_headers(headers, body=raw, private_key=self.key)
        if tamper:
            raw = raw.replace(b"1", b"2", 1)
        return self.client.request(method, self.switch_url + path, headers=signed, content=raw)

    def register_party(self, party_type: str, party_id: str) -> httpx.Response:
        return self.send(
            "POST",
            f"/participants/{party_type}/{party_id}",
            resource="participants",
            document={"fspId": self.fsp_id, "currency": "XCD"},
        )

    def prepare(
        self,
        payee: Peer,
        amount: str,
        *,
        transfer_id: str | None = None,
        expires_in: timedelta = timedelta(seconds=30),
        transaction: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], str]:
        """A POST /transfers body and the fulfilment the payee will reveal."""
        fulfilment, condition = ilp.new_fulfilment()
        expiration = datetime.now(UTC) + expires_in
        transaction = transaction or {"transactionId": str(new_id())}
        document = {
            "transferId": transfer_id or str(new_id()),
            "payerFsp": self.fsp_id,
            "payeeFsp": payee.fsp_id,
            "amount": {"currency": "XCD", "amount": amount},
            "ilpPacket": ilp.transaction_packet(
                transaction,
                amount=0,
                destination=f"g.{payee.fsp_id}",
                condition=condition,
                expires_at=expiration,
            ),
            "condition": condition,
            "expiration": expiration.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        return document, fulfilment
