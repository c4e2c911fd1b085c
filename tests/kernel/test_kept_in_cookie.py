"""What a person typed, kept in a short-lived signed cookie: it comes back whole, in any
language, to the pages of its path only; a changed character, another secret or the end of
its time, and it is gone; what would not fit in a cookie is not kept at all."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.web import kept_in_cookie

NAME = "comptoir_test_draft"
PATH = "/forms"


def _client(clock: FrozenClock, secret: bytes = b"s" * 32) -> TestClient:
    async def keep(request: Request) -> Response:
        response = Response()
        kept = kept_in_cookie.keep(
            request, response, NAME, await request.json(), path=PATH, seconds=600
        )
        response.headers["x-kept"] = "yes" if kept else "no"
        return response

    async def read(request: Request) -> Response:
        return JSONResponse(kept_in_cookie.kept(request, NAME))

    async def forget(request: Request) -> Response:
        response = JSONResponse({})
        kept_in_cookie.forget(request, response, NAME, path=PATH)
        return response

    app = Starlette(
        routes=[
            Route(PATH + "/keep", keep, methods=["POST"]),
            Route(PATH + "/read", read),
            Route(PATH + "/forget", forget, methods=["POST"]),
            Route("/elsewhere", read),
        ]
    )
    app.state.node = SimpleNamespace(
        clock=clock, secret=secret, settings=SimpleNamespace(secure_cookies=False)
    )
    return TestClient(app)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=200), max_size=6))
def test_anything_typed_comes_back_whole(values: dict[str, str]) -> None:
    client = _client(FrozenClock())

    assert client.post(PATH + "/keep", json=values).headers["x-kept"] == "yes"

    assert client.get(PATH + "/read").json() == values


def test_it_goes_back_only_to_the_pages_of_its_path_and_is_forgotten_on_demand() -> None:
    client = _client(FrozenClock())
    client.post(PATH + "/keep", json={"name": "Célestine Auguste"})

    assert client.get("/elsewhere").json() is None
    assert client.get(PATH + "/read").json() == {"name": "Célestine Auguste"}
    client.post(PATH + "/forget")
    assert client.get(PATH + "/read").json() is None


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_changed_character_or_another_secret_opens_nothing(data: st.DataObject) -> None:
    client = _client(FrozenClock())
    client.post(PATH + "/keep", json={"phone": "+17585550101"})
    value = client.cookies.get(NAME)
    assert value is not None
    position = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    )
    changed = value[:position] + replacement + value[position + 1 :]
    client.cookies.set(NAME, changed, path=PATH)

    answer = client.get(PATH + "/read").json()

    assert answer is None or changed == value

    other = _client(FrozenClock(), secret=b"t" * 32)
    other.cookies.set(NAME, value, path=PATH)
    assert other.get(PATH + "/read").json() is None


def test_it_is_gone_once_its_time_is_over() -> None:
    clock = FrozenClock()
    client = _client(clock)
    client.post(PATH + "/keep", json={"amount": "12.50"})

    clock.advance(timedelta(seconds=599))
    assert client.get(PATH + "/read").json() == {"amount": "12.50"}
    clock.advance(timedelta(seconds=1))
    assert client.get(PATH + "/read").json() is None


def test_what_would_not_fit_in_a_cookie_is_not_kept() -> None:
    client = _client(FrozenClock())

    answer = client.post(PATH + "/keep", json={"description": "é" * 2000})

    assert answer.headers["x-kept"] == "no"
    assert NAME not in client.cookies
