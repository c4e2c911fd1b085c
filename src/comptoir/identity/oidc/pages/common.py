"""What the provider's pages share: the provider, the refusal page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from comptoir.identity.oidc.provider import Provider
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.registry.pages.common import render
from comptoir.kernel.i18n import _


def provider_of(request: Request) -> Provider:
    provider: Provider = request.app.state.oidc_provider
    return provider


def shown_purpose(purpose: str) -> str:
    """A relying party's purpose in the reader's language when the catalogue knows it (the
    demo's services say theirs in words it has), else as the operator wrote it."""
    return _(purpose) if purpose.strip() else ""


def refusal_page(request: Request, refusal: AuthorizationError) -> Response:
    """An authorization that cannot go on is shown to the person, never redirected."""
    return render(
        request,
        "identity_oidc/refused.html",
        {"oauth_error": refusal.error, "description": refusal.description},
        status_code=400,
    )
