"""The registry's HTML pages: log in and register, my data, businesses, agents, operator."""

from fastapi import APIRouter

from comptoir.identity.registry.pages import agents, me, operator, passkeys, signin

router = APIRouter(include_in_schema=False)
router.include_router(signin.router)
router.include_router(me.router)
router.include_router(agents.router)
router.include_router(operator.router)
router.include_router(passkeys.router)
