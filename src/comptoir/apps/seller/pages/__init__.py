"""The seller platform's pages, server-rendered, working without JavaScript, in English and French:
the list of platforms and their shops, the owner's sign-in, items (with photos), terms, orders,
and a public tracking page for each order."""

from __future__ import annotations

from fastapi import APIRouter

from comptoir.apps.seller.pages import business, catalogue, identity, public

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
router.include_router(identity.router)
router.include_router(catalogue.router)
router.include_router(business.router)
