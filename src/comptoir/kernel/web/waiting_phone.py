"""The phone number waiting for its sign-in code, kept for the code step of a participant app
(a wallet, a seller platform) so that a reload or a language switch brings the code step back.

It lives in a cookie sent only to that app's sign-in pages (its path), HttpOnly, SameSite=Lax,
for a little longer than a code does, and never in an address: a phone in a URL ends up in
server logs, the browser's history and the Referer of the next request. The cookie only says
which number the page shows and pre-fills; the code itself is checked against the app's own
row for that number, so a changed cookie can show no one else's step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import Response

from comptoir.kernel.web.context import node_context

# A code lives 3 minutes; the step may be come back to a while after, to ask for a new one.
WAITING_SECONDS: Final = 10 * 60
_LONGEST_PHONE: Final = 32


@dataclass(frozen=True)
class WaitingPhone:
    """One app's cookie: its name, and the path of the sign-in pages it is sent to."""

    cookie: str
    path: str

    def keep(self, request: HTTPConnection, response: Response, phone: str) -> None:
        response.set_cookie(
            self.cookie,
            phone,
            max_age=WAITING_SECONDS,
            httponly=True,
            samesite="lax",
            secure=node_context(request).settings.secure_cookies,
            path=self.path,
        )

    def read(self, request: HTTPConnection) -> str:
        """The phone as kept ("" for none), cut to a phone's length."""
        return request.cookies.get(self.cookie, "")[:_LONGEST_PHONE]

    def forget(self, response: Response) -> None:
        response.delete_cookie(self.cookie, path=self.path)
