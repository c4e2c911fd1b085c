"""The FSPIOP routes answered before the router and the pages' middleware.

Every FSPIOP request used to walk the whole application's routers (every page of every block)
and the middleware for pages (language, CSRF) before it reached its handler: a fifth of the
switch's CPU per transfer. `DirectRoutes` is a pure ASGI middleware that matches the switch's
own paths on the split path and calls the same handlers, with the node's security headers,
so the answers (status codes, FSPIOP error bodies, content types) are the router's.
Anything it does not match goes on down the usual stack, which keeps its answers too: a
wrong method (405), a trailing slash, and a POST a browser could send cross-site (a form or
text/plain body, or none), which the node's CSRF check answers as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from comptoir.kernel.fspiop import FspiopError, error_body
from comptoir.kernel.web.csrf import BROWSER_SENDABLE_TYPES
from comptoir.kernel.web.middleware import SecurityHeadersMiddleware

Endpoint = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class _Pattern:
    """A route's path split on "/": a literal segment, or None for a `{parameter}`."""

    segments: tuple[str | None, ...]
    names: tuple[str | None, ...]  # the parameters' names, in order (None: not passed)
    endpoint: Endpoint

    @classmethod
    def of(cls, path: str, endpoint: Endpoint) -> _Pattern:
        # The endpoint gets the parameters it names (all text), as FastAPI gives them.
        accepted = inspect.signature(endpoint).parameters
        segments: list[str | None] = []
        names: list[str | None] = []
        for part in path.split("/")[1:]:
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                if ":" in name:
                    raise ValueError(f"{path}: only plain {{name}} parameters are matched")
                segments.append(None)
                names.append(name if name in accepted else None)
            else:
                segments.append(part)
        if not segments or segments[0] is None:
            raise ValueError(f"{path}: the first segment must be literal")
        return cls(tuple(segments), tuple(names), endpoint)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        names = iter(self.names)
        for expected, part in zip(self.segments, parts, strict=True):
            if expected is None:
                if not part:
                    return None  # a parameter matches one non-empty segment, as Starlette's
                name = next(names)
                if name is not None:
                    values[name] = part
            elif expected != part:
                return None
        return values


class PathMatcher:
    """The routes' (method, path) table, first match wins as in the router they came from."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.table: dict[tuple[str, int], list[_Pattern]] = {}
        for route in routes:
            if not isinstance(route, Route):
                raise TypeError(f"{route!r} is not a plain route")
            pattern = _Pattern.of(route.path, route.endpoint)
            for method in route.methods or ():
                self.table.setdefault((method, len(pattern.segments)), []).append(pattern)
        # The first segments of the paths, "/switch/": a cheap test that lets pages pass by.
        self.prefixes = tuple(
            {f"/{pattern.segments[0]}/" for patterns in self.table.values() for pattern in patterns}
        )

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        parts = path.split("/")[1:]
        for pattern in self.table.get((method, len(parts)), ()):
            values = pattern.match(parts)
            if values is not None:
                return pattern.endpoint, values
        return None


def _browser_could_send(scope: Scope) -> bool:
    """A POST whose body a page on another site could send without a preflight (as the node's
    CSRF check decides): left to the router, whose CSRF check answers it."""
    if scope["method"] != "POST":
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.decode("latin-1").split(";")[0].strip().lower()
            return not content_type or content_type in BROWSER_SENDABLE_TYPES
    return True


class DirectRoutes:
    """Pure ASGI middleware: a request that one of `routes` matches goes straight to its
    endpoint (called with the path parameters, as FastAPI would), with the security headers;
    an FspiopError becomes its ErrorInformation answer, as the app's exception handler makes
    it. Anything else goes on down the usual stack."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.matcher = PathMatcher(routes)
        self.direct = SecurityHeadersMiddleware(self._answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path: str = scope["path"]
            if path.startswith(self.matcher.prefixes):
                found = self.matcher.match(scope["method"], path)
                if found is not None and not _browser_could_send(scope):
                    scope["comptoir.direct"] = found
                    await self.direct(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint, values = scope["comptoir.direct"]
        try:
            response = await endpoint(Request(scope, receive, send), **values)
        except FspiopError as error:
            response = JSONResponse(error_body(error), status_code=error.http_status)
        await response(scope, receive, send)
