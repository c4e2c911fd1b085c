"""Pure ASGI middleware: the visitor's language, and security headers on every response."""

from __future__ import annotations

from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comptoir.kernel import i18n
from comptoir.kernel.phones import set_current_phone_region

# No third-party origin is ever needed: pages use only this node's own CSS and images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class LocaleMiddleware:
    """Chooses the language for the request (the visitor's choice, then a hint another site
    gave, both kept in cookies, then Accept-Language, then the default), and sets the clock
    times are shown on (the node's `time_zone`) and the country whose phone numbers may be
    written without their country code (`phone_region`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_locale: str,
        time_zone: str = "UTC",
        phone_region: str | None = None,
    ) -> None:
        self.app = app
        self.default_locale = default_locale
        self.zone = ZoneInfo(time_zone)
        self.phone_region = phone_region

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        chosen: str | None = None
        # Reading every cookie costs more than the rest of the request's routing; a header
        # that does not even name the language cookie cannot hold it (the session cookie
        # comes with every page and every sign-in). The hint's name begins with the choice's.
        if i18n.LANGUAGE_COOKIE in headers.get("cookie", ""):
            cookie = SimpleCookie()
            try:
                cookie.load(headers["cookie"])
            except Exception:
                cookie = SimpleCookie()
            for name in (i18n.LANGUAGE_COOKIE, i18n.LANGUAGE_HINT_COOKIE):
                if name in cookie and cookie[name].value in i18n.AVAILABLE_LOCALES:
                    chosen = cookie[name].value
                    break
        locale = i18n.negotiate(chosen, headers.get("accept-language"), self.default_locale)
        i18n.set_current_locale(locale)
        i18n.set_current_zone(self.zone)
        set_current_phone_region(self.phone_region)
        scope.setdefault("state", {})["locale"] = locale

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Accept-Language")
                response_headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_vary)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
