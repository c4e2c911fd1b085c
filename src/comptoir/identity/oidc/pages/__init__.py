"""The provider's pages: the authorization endpoint with its consent screen, RP-initiated
logout, a person's consents and the log of who used their data, and the operator's list of
relying parties."""

from __future__ import annotations

from fastapi import APIRouter

from comptoir.identity.oidc.pages import authorize, logout, operator, person

router = APIRouter(include_in_schema=False)
for part in (authorize, logout, person, operator):
    router.include_router(part.router)
