"""A stand-in for the switch, as FSPIOP describes one, so that the wallet's two sides can be
driven against each other in-process.

It is plugged in as the httpx transport of the wallet's outbox sender: every call a wallet
sends lands in `handle`, which checks its FSPIOP-Signature with the key the participant
registered, records it, and (when `forwarding`) does what a switch does: keeps the alias
directory, forwards requests and callbacks unchanged (body and FSPIOP-Signature of the
original sender) to the destination's callback URL, checks a fulfilment against the
condition and notifies the payee with a PATCH it signs itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient

from comptoir.kernel.clock import Clock, utc_iso
from comptoir.kernel.fspiop import (
    FspiopError,
    RsaJwk,
    build_headers,
    error_body,
    json_body,
    sign_headers,
    verify_message,
)
from comptoir.kernel.fspiop.ilp import b64url, from_b64url

SWITCH_ID = "comptoir-switch"
FORWARDED = (
    "content-type",
    "accept",
    "date",
    "fspiop-source",
    "fspiop-destination",
    "fspiop-signature",
    "fspiop-uri",
    "fspiop-http-method",
)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def source(self) -> str:
        return self.headers["fspiop-source"]


@dataclass
class FakeSwitch:
    client: TestClient
    key: RsaJwk
    clock: Clock
    participants: dict[str, tuple[RsaJwk, ...]] = field(default_factory=dict)
    forwarding: bool = True
    received: list[Received] = field(default_factory=list)
    directory: dict[tuple[str, str], str] = field(default_factory=dict)
    transfers: dict[str, dict[str, str]] = field(default_factory=dict)
    refuse_next: tuple[int, dict[str, Any] | None] | None = None
    answers: list[httpx.Response] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/switch")
        headers = {name.lower(): value for name, value in request.headers.items()}
        source = headers["fspiop-source"]
        verify_message(
            headers.get("fspiop-signature"),
            body=request.content,
            uri=headers["fspiop-uri"],
            method=request.method,
            source=source,
            destination=headers.get("fspiop-destination"),
            date=headers.get("date"),
            public_keys=self.participants[source],
        )
        assert headers["fspiop-uri"] == path, (headers["fspiop-uri"], path)
        body = json.loads(request.content) if request.content else None
        self.received.append(Received(request.method, path, headers, body))
        if self.refuse_next is not None:
            status, document = self.refuse_next
            self.refuse_next = None
            return httpx.Response(status, json=document)
        if self.forwarding:
            self._route(request.method, path, headers, request.content, body)
        return httpx.Response(202 if request.method in ("GET", "POST", "DELETE") else 200)

    def last(self, method: str, prefix: str) -> Received:
        for message in reversed(self.received):
            if message.method == method and message.path.startswith(prefix):
                return message
        raise AssertionError(f"no {method} {prefix} was sent; got {self.paths()}")

    def paths(self) -> list[str]:
        return [f"{message.method} {message.path}" for message in self.received]

    # -- what a switch does -------------------------------------------------------------

    def _route(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        raw: bytes,
        body: dict[str, Any] | None,
    ) -> None:
        parts = path.split("/")
        resource, source = parts[1], headers["fspiop-source"]
        destination = headers.get("fspiop-destination")
        if resource == "participants":
            key = (parts[2], parts[3])
            if method == "POST":
                assert body is not None
                self.directory[key] = body["fspId"]
                self.originate("PUT", path, {"fspId": body["fspId"]}, source)
            else:
                self.directory.pop(key, None)
                self.originate("PUT", path, {"fspId": source}, source)
            return
        if resource == "parties" and method == "GET":
            owner = self.directory.get((parts[2], parts[3]))
            if owner is None:
                error = FspiopError("3204", "no such party in the directory")
                self.originate("PUT", path + "/error", error_body(error), source)
                return
            self.forward(method, path, headers, raw, destination=owner)
            return
        if resource == "transfers" and method == "POST":
            assert body is not None and destination is not None
            self.transfers[body["transferId"]] = {
                "condition": body["condition"],
                "payer": source,
                "payee": destination,
            }
        if resource == "transfers" and method == "PUT" and len(parts) == 3:
            assert body is not None
            transfer = self.transfers[parts[2]]
            fulfilment = body.get("fulfilment", "")
            digest = b64url(hashlib.sha256(from_b64url(fulfilment)).digest())
            if body.get("transferState") == "COMMITTED" and digest != transfer["condition"]:
                error = FspiopError("3100", "the fulfilment does not match the condition")
                self.originate("PUT", path + "/error", error_body(error), transfer["payer"])
                self.originate("PUT", path + "/error", error_body(error), transfer["payee"])
                return
            self.forward(method, path, headers, raw, destination=transfer["payer"])
            self.originate(
                "PATCH",
                path,
                {"completedTimestamp": utc_iso(self.clock.now()), "transferState": "COMMITTED"},
                transfer["payee"],
            )
            return
        assert destination is not None, f"{method} {path} has no FSPIOP-Destination"
        self.forward(method, path, headers, raw, destination=destination)

    def forward(
        self, method: str, path: str, headers: dict[str, str], raw: bytes, *, destination: str
    ) -> httpx.Response:
        """Relay a participant's message unchanged, naming its destination."""
        forwarded = {name: value for name, value in headers.items() if name in FORWARDED}
        forwarded["fspiop-destination"] = destination
        return self.client.request(
            method, f"/wallets/{destination}/fspiop{path}", content=raw, headers=forwarded
        )

    def originate(
        self, method: str, path: str, body: dict[str, Any], destination: str
    ) -> httpx.Response:
        """A message the switch itself sends, signed with its own key."""
        return self.send(method, path, body, source=SWITCH_ID, destination=destination)

    def send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        source: str,
        destination: str | None,
        key: RsaJwk | None = None,
        to: str | None = None,
        extra: dict[str, str | None] | None = None,
    ) -> httpx.Response:
        """Any signed FSPIOP message to a wallet's callback URL (`to`, else `destination`)."""
        raw = b"" if body is None else json_body(body)
        headers = build_headers(
            resource=path.split("/")[1],
            method=method,
            uri=path,
            source=source,
            destination=destination,
            clock=self.clock,
        )
        headers = sign_headers(headers, body=raw, private_key=key or self.key)
        for name, value in (extra or {}).items():
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            if value is not None:
                headers[name] = value
        target = to or destination
        return self.client.request(
            method, f"/wallets/{target}/fspiop{path}", content=raw, headers=headers
        )
