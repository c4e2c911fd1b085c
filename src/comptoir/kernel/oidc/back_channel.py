"""The HTTP client a relying party talks to its provider with: no cookies.

A relying party's calls to the provider (discovery, JWKS, PAR, token, userinfo) go server to
server; a cookie has no place in them, and none of them sends or needs one. httpx has no switch
to leave cookies out, and its `Client` looks for `Set-Cookie` in every answer: it copies the
request into a urllib request and the answer's headers into an email message, which cost more
than the rest of handling a short answer. `BackChannelClient` is an `httpx.Client` whose cookie
jar keeps nothing, so none of that is done: a cookie a provider sets is dropped, and none is
sent.
"""

from __future__ import annotations

from typing import Any

import httpx


class _NoCookies(httpx.Cookies):
    """A jar that keeps nothing: an answer's `Set-Cookie` is not even looked for."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        raise TypeError("a back-channel client keeps no cookies")


class BackChannelClient(httpx.Client):
    """An `httpx.Client` for a relying party's calls to its provider: it keeps no cookies,
    so sends none of its own (see the module's docstring). Everything else is httpx's."""

    def __init__(self, **options: Any) -> None:
        if options.get("cookies"):
            raise TypeError("a back-channel client keeps no cookies")
        super().__init__(**options)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise TypeError("a back-channel client keeps no cookies")
