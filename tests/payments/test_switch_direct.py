"""The FSPIOP routes answered before the router give the router's answers, word for word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route

from comptoir.app import create_app
from comptoir.kernel.clock import system_clock
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.fspiop import build_headers, generate_rsa_jwk, import_rsa_jwk, json_body
from comptoir.kernel.fspiop.signature import sign_headers
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.direct import DirectRoutes, PathMatcher

TRANSFER_ID = "0190f3a0-7c4e-7a3b-9d1e-2f3a4b5c6d7e"


def _signed(resource: str, method: str, uri: str, body: bytes) -> dict[str, str]:
    private, _public = generate_rsa_jwk(kid="stranger-1")
    headers = build_headers(
        resource=resource,
        method=method,
        uri=uri,
        source="stranger",
        destination="bank-b",
        clock=system_clock,
    )
    return sign_headers(headers, body=body, private_key=import_rsa_jwk(private))


def _switch_shortcut(middleware: Middleware) -> bool:
    return middleware.cls is DirectRoutes and any(
        route.path.startswith("/switch/") for route in middleware.kwargs["routes"]
    )


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("direct"))
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    direct = create_app(settings, database=database)
    routed = create_app(settings, database=database)
    routed.user_middleware = [m for m in routed.user_middleware if not _switch_shortcut(m)]
    assert len(routed.user_middleware) == len(direct.user_middleware) - 1
    with TestClient(direct) as one, TestClient(routed) as other:
        yield one, other
    database.dispose()


TRANSFER = json_body({"transferId": TRANSFER_ID})
FULFIL = json_body({"transferState": "COMMITTED"})
REQUESTS: list[tuple[str, str, dict[str, str], bytes]] = [
    # Unsigned, no FSPIOP headers at all.
    ("POST", "/switch/transfers", {"content-type": "application/json"}, TRANSFER),
    ("GET", "/switch/parties/MSISDN/12345", {}, b""),
    ("PUT", "/switch/quotes/not-an-id", {}, b""),
    # Signed by a participant the switch does not know (3200 after the headers are checked).
    (
        "POST",
        "/switch/transfers",
        _signed("transfers", "POST", "/transfers", TRANSFER),
        TRANSFER,
    ),
    (
        "PUT",
        f"/switch/transfers/{TRANSFER_ID}",
        _signed("transfers", "PUT", f"/transfers/{TRANSFER_ID}", FULFIL),
        FULFIL,
    ),
    (
        "PUT",
        "/switch/parties/MSISDN/12345/sub/error",
        _signed("parties", "PUT", "/parties/MSISDN/12345/sub/error", b"{}"),
        b"{}",
    ),
    (
        "GET",
        "/switch/participants/MSISDN/12345/sub",
        _signed("participants", "GET", "/participants/MSISDN/12345/sub", b""),
        b"",
    ),
    # What the direct path leaves to the router: a wrong method, a trailing slash, a path the
    # switch does not have.
    ("DELETE", "/switch/transfers", {}, b""),
    ("PATCH", f"/switch/transfers/{TRANSFER_ID}", {}, b""),
    ("GET", "/switch/transfers/", {}, b""),
    ("GET", "/switch/nothing/here", {}, b""),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
def test_a_request_gets_the_same_status_body_and_type_as_through_the_router(
    clients: tuple[TestClient, TestClient],
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    direct, routed = clients
    one = direct.request(method, path, headers=headers, content=body, follow_redirects=False)
    other = routed.request(method, path, headers=headers, content=body, follow_redirects=False)
    assert (one.status_code, one.headers.get("content-type"), one.content) == (
        other.status_code,
        other.headers.get("content-type"),
        other.content,
    )
    for name in ("x-content-type-options", "referrer-policy", "x-frame-options"):
        assert one.headers.get(name) == other.headers.get(name), name
        assert name in one.headers


def test_an_fspiop_request_skips_the_pages_middleware(
    clients: tuple[TestClient, TestClient],
) -> None:
    direct, routed = clients
    one = direct.get("/switch/parties/MSISDN/12345")
    other = routed.get("/switch/parties/MSISDN/12345")
    assert one.status_code == other.status_code == 400
    # The language middleware marks every answer it sees; the direct path never reaches it.
    assert "accept-language" in other.headers.get("vary", "").lower()
    assert "vary" not in one.headers


async def _endpoint(request: object, name: str = "", rest: str | None = None) -> Response:
    return Response()


def test_the_matcher_takes_the_first_route_that_fits_like_the_router() -> None:
    async def error(request: object, name: str) -> Response:
        return Response()

    matcher = PathMatcher(
        [
            Route("/switch/things/{name}/error", error, methods=["PUT"]),
            Route("/switch/things/{name}/{rest}", _endpoint, methods=["PUT"]),
            Route("/switch/things/{name}", _endpoint, methods=["PUT", "GET"]),
        ]
    )
    assert matcher.match("PUT", "/switch/things/a/error") == (error, {"name": "a"})
    assert matcher.match("PUT", "/switch/things/a/b") == (_endpoint, {"name": "a", "rest": "b"})
    assert matcher.match("GET", "/switch/things/a") == (_endpoint, {"name": "a"})
    assert matcher.match("POST", "/switch/things/a") is None
    assert matcher.match("GET", "/switch/things/") is None, "a parameter is never empty"
    assert matcher.match("GET", "/switch/other/a") is None


def test_the_matcher_passes_only_the_parameters_an_endpoint_names() -> None:
    async def whole_path(request: object) -> Response:
        return Response()

    matcher = PathMatcher([Route("/switch/parties/{kind}/{id}", whole_path, methods=["PUT"])])
    assert matcher.match("PUT", "/switch/parties/MSISDN/1") == (whole_path, {})


def test_the_app_still_documents_the_fspiop_routes(tmp_path: Path) -> None:
    app: FastAPI = create_app(load_settings(data_dir=tmp_path))
    assert "/switch/transfers/{transfer_id}" in app.openapi()["paths"]
