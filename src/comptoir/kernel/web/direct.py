"""Protocol routes answered before the router and the pages' middleware.

A protocol request (FSPIOP, OpenID Connect) used to walk the whole application's routers
(every page of every block) and the middleware for pages (language, templates, CSRF) before it
reached its handler: a fifth of the switch's CPU per transfer, and a large share of each
sign-in's. `DirectRoutes` is a pure ASGI middleware that matches a block's own paths on the
split path and calls the same handlers, with the node's security headers, so the answers
(status codes, error bodies, content types) are the router's. Anything it does not match goes
on down the usual stack, which keeps its answers too: a wrong method (405), a trailing slash,
and (unless the block says its clients post forms) a POST a browser could send cross-site (a
form or text/plain body, or none), which the node's CSRF check answers as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from comptoir.kernel.web.csrf import BROWSER_SENDABLE_TYPES
from comptoir.kernel.web.middleware import LocaleMiddleware, SecurityHeadersMiddleware

Endpoint = Callable[..., Awaitable[Response]]
ErrorAnswer = Callable[[Request, Any], Response | Awaitable[Response]]


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
            self.add(route.path, route.endpoint, route.methods or ())

    def add(self, path: str, endpoint: Endpoint, methods: Collection[str]) -> None:
        pattern = _Pattern.of(path, endpoint)
        for method in methods:
            self.table.setdefault((method, len(pattern.segments)), []).append(pattern)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The paths' first segments ("/switch/"): a cheap test that lets other paths by."""
        return tuple(
            {
                f"/{pattern.segments[0]}" + ("/" if len(pattern.segments) > 1 else "")
                for patterns in self.table.values()
                for pattern in patterns
            }
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
    endpoint (called with the path parameters, as FastAPI would), with the security headers.

    - `pages`: browser pages taken the same short way (path to endpoint, GET only, as the
      router would answer HEAD with 405), with the visitor's language chosen first; they must
      not need the CSRF check.
    - `errors`: exception classes the endpoints raise, each with the answer the app's
      exception handler makes of it.
    - `form_posts`: the clients post forms (OAuth's token and PAR endpoints do, from servers
      that hold no cookie); otherwise a POST a browser could send cross-site is left to the
      router and its CSRF check.

    Anything else goes on down the usual stack."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        pages: Mapping[str, Endpoint] | None = None,
        default_locale: str = "en",
        time_zone: str = "UTC",
        errors: Mapping[type[Exception], ErrorAnswer] | None = None,
        form_posts: bool = False,
    ) -> None:
        self.app = app
        self.matcher = PathMatcher(routes)
        for path, page in (pages or {}).items():
            self.matcher.add(path, page, ("GET",))
        self.prefixes = self.matcher.prefixes
        self.page_endpoints = frozenset((pages or {}).values())
        self.errors = tuple((errors or {}).items())
        self.form_posts = form_posts
        self.direct = SecurityHeadersMiddleware(self._answer)
        self.direct_page = SecurityHeadersMiddleware(
            LocaleMiddleware(self._answer, default_locale=default_locale, time_zone=time_zone)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path: str = scope["path"]
            if path.startswith(self.prefixes):
                found = self.matcher.match(scope["method"], path)
                if found is not None and (self.form_posts or not _browser_could_send(scope)):
                    scope["comptoir.direct"] = found
                    page = found[0] in self.page_endpoints
                    await (self.direct_page if page else self.direct)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint, values = scope["comptoir.direct"]
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request, **values)
        except Exception as error:
            response = await self._error_answer(request, error)
        await response(scope, receive, send)

    async def _error_answer(self, request: Request, error: Exception) -> Response:
        for kind, answer in self.errors:
            if isinstance(error, kind):
                made = answer(request, error)
                return await made if inspect.isawaitable(made) else made
        raise error
