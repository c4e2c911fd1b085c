"""`DirectRoutes`: which requests go straight to a block's endpoints, and how they are answered."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from comptoir.kernel.web.direct import DirectRoutes


class RefusedError(Exception):
    pass


async def echo(request: Request, name: str) -> Response:
    if name == "refuse":
        raise RefusedError("refused")
    if name == "crash":
        raise RuntimeError("an endpoint's own bug")
    return JSONResponse({"direct": True, "name": name})


async def page(request: Request) -> Response:
    return PlainTextResponse(request.scope["state"]["locale"])


async def below(request: Request) -> Response:
    return JSONResponse({"direct": False})


def _refused(_request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, status_code=400)


def _app(*, form_posts: bool) -> Starlette:
    routes = [Route("/block/items/{name}", echo, methods=["GET", "POST"])]
    return Starlette(
        routes=[Route("/{rest:path}", below, methods=["GET", "POST", "PUT"])],
        middleware=[
            Middleware(
                DirectRoutes,
                routes=routes,
                pages={"/block/page": page},
                default_locale="en",
                errors={RefusedError: _refused},
                form_posts=form_posts,
            )
        ],
    )


def test_a_matching_request_goes_straight_to_its_endpoint_with_its_path_parameters() -> None:
    client = TestClient(_app(form_posts=False))
    answer = client.get("/block/items/shoes")
    assert answer.json() == {"direct": True, "name": "shoes"}
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_other_paths_methods_and_trailing_slashes_go_on_down_the_stack() -> None:
    client = TestClient(_app(form_posts=False))
    assert client.get("/block/other").json() == {"direct": False}
    assert client.put("/block/items/shoes").json() == {"direct": False}
    assert client.get("/block/items/shoes/").json() == {"direct": False}
    assert client.get("/block/items/").json() == {"direct": False}


def test_a_post_a_browser_could_send_is_left_to_the_csrf_check_unless_clients_post_forms() -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    guarded = TestClient(_app(form_posts=False))
    assert guarded.post("/block/items/a", content=b"x=1", headers=form).json()["direct"] is False
    assert guarded.post("/block/items/a", json={}).json()["direct"] is True
    open_to_forms = TestClient(_app(form_posts=True))
    assert open_to_forms.post("/block/items/a", content=b"x=1", headers=form).json()["direct"]


def test_a_page_is_answered_in_the_visitors_language_and_only_to_get() -> None:
    client = TestClient(_app(form_posts=False))
    answer = client.get("/block/page", headers={"accept-language": "fr-CA,fr;q=0.9"})
    assert answer.text == "fr"
    assert "Accept-Language" in answer.headers["vary"]
    assert client.post("/block/page", json={}).json() == {"direct": False}


def test_a_declared_error_gets_its_answer_and_any_other_is_not_swallowed() -> None:
    client = TestClient(_app(form_posts=False), raise_server_exceptions=False)
    refused = client.get("/block/items/refuse")
    assert (refused.status_code, refused.json()) == (400, {"error": "refused"})
    assert client.get("/block/items/crash").status_code == 500
