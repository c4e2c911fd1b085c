"""The identity pages' short-lived signed cookies (`kernel/web/kept_in_cookie.py`): a code step,
a form refused or not yet sent, a relying party's hint, shown again (a reload, a language
switch) without putting a phone number or a name in an address. They go back only to the
identity pages (their path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import Response

from comptoir.kernel.web import kept_in_cookie

PENDING_LOGIN: Final = "comptoir_pending_login"
PENDING_REGISTRATION: Final = "comptoir_pending_registration"
# A person's details refused before anything was sent, kept for a language switch
# (pages/refused_details.py): one's own registration, an agent's assisted enrolment.
REFUSED_REGISTRATION: Final = "comptoir_refused_registration"
REFUSED_ENROLMENT: Final = "comptoir_refused_enrolment"
# A phone refused at the login's phone step, kept for a language switch.
REFUSED_LOGIN: Final = "comptoir_refused_login"
# A business registration form as typed, sent or not, kept for a language switch.
BUSINESS_DRAFT: Final = "comptoir_business_draft"
# The phone a relying party named (`login_hint`), to fill in the login page that follows.
LOGIN_HINT: Final = "comptoir_login_hint"
# Longer than a code lives (3 minutes) and than the lock after wrong codes (10 minutes), so
# that the code step still shows while either lasts; short enough not to linger.
PENDING_SECONDS: Final = 15 * 60
_PATH: Final = "/identity"


def keep_pending(
    request: HTTPConnection, response: Response, name: str, values: Mapping[str, str]
) -> None:
    """Remember `values` for this browser's identity pages, until `PENDING_SECONDS` from now."""
    kept_in_cookie.keep(request, response, name, values, path=_PATH, seconds=PENDING_SECONDS)


def pending(request: HTTPConnection, name: str) -> dict[str, str] | None:
    """What `keep_pending` remembered for this browser, if it is genuine and still in time."""
    return kept_in_cookie.kept(request, name)


def forget_pending(request: HTTPConnection, response: Response, name: str) -> None:
    """The step is over (the person is signed in, the form sent): nothing of it stays."""
    kept_in_cookie.forget(request, response, name, path=_PATH)
