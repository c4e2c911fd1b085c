"""What the provider's pages share: the provider, the refusal page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from comptoir.identity.oidc.provider import Provider
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.registry.pages.common import render


def provider_of(request: Request) -> Provider:
    provider: Provider = request.app.state.oidc_provider
    return provider


def refusal_page(request: Request, refusal: AuthorizationError) -> Response:
    """An authorization that cannot go on is shown to the person, never redirected."""
    return render(
        request,
        "identity_oidc/refused.html",
        {"oauth_error": refusal.error, "description": refusal.description},
        status_code=400,
    )
