"""The authorization endpoint's side: a pushed request taken by a signed-in person (or parked
for the browser while its person logs in), consent, and the authorization code.

Taking the request is in `authorization_requests`, the response to the client (the code, or a
refusal) in `authorization_responses`; the endpoint's pages use them through this module.
"""

from comptoir.identity.oidc.service.authorization_requests import (
    AuthorizationError,
    LoginAgain,
    PendingAuthorization,
    PushedRow,
    find_pushed_request,
    is_requested_person,
    login_answers,
    park_pushed_request,
    pending_for_consent,
    pending_of,
    prompt_of,
    resume_parked_request,
    use_pushed_request,
)
from comptoir.identity.oidc.service.authorization_responses import (
    consent_in_force,
    deny,
    finish_request,
    grant,
    issue_code,
    refuse_without_page,
    response_redirect,
)

__all__ = [
    "AuthorizationError",
    "LoginAgain",
    "PendingAuthorization",
    "PushedRow",
    "consent_in_force",
    "deny",
    "find_pushed_request",
    "finish_request",
    "grant",
    "is_requested_person",
    "issue_code",
    "login_answers",
    "park_pushed_request",
    "pending_for_consent",
    "pending_of",
    "prompt_of",
    "refuse_without_page",
    "response_redirect",
    "resume_parked_request",
    "use_pushed_request",
]
