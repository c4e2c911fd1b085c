"""The buyer app's pages under /shop/: search the whole network, carts per seller, quotes with
every fee, checkout, payment, and what follows an order. No JavaScript: a page that waits for
sellers' answers waits on the server, up to a short deadline."""

from fastapi import APIRouter

from comptoir.apps.buyer.pages import orders, shop

router = APIRouter(include_in_schema=False)
router.include_router(shop.router)
router.include_router(orders.router)
