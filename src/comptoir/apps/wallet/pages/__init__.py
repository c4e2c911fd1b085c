"""The wallet's pages, server-rendered, working without JavaScript, in English and French."""

from __future__ import annotations

from fastapi import APIRouter

from comptoir.apps.wallet.pages import account, identity, pay, receive, requests

router = APIRouter(include_in_schema=False)
router.include_router(account.router)
router.include_router(identity.router)
router.include_router(pay.router)
router.include_router(receive.router)
router.include_router(requests.router)
