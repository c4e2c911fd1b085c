"""The demo's businesses that have a wallet alias get paid by request to pay.

For each demo business whose payment alias is a merchant customer of a wallet on this node, the
wallet issues an API key (as `comptoir wallet merchant api-key ALIAS` would) and the business is
linked to its wallet's merchant API with it (as its owner would on the shop's settings page).
"""

from __future__ import annotations

from sqlalchemy import select

from comptoir.kernel.db import Database
from comptoir.kernel.settings import Settings


def seed_wallet_links(settings: Settings, database: Database, actor: str) -> int:
    from comptoir.apps.seller.models import Business
    from comptoir.apps.seller.service.context import Seller
    from comptoir.apps.seller.wallet_pay.service import link_wallet
    from comptoir.apps.wallet.domain.errors import WalletError
    from comptoir.apps.wallet.merchant.service import issue_key
    from comptoir.apps.wallet.service.context import Wallet

    base = settings.base_url.rstrip("/")
    wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    seller = Seller(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    with database.transaction() as session:
        businesses = [
            (business.platform_id, business.id, business.payment_alias)
            for business in session.scalars(
                select(Business).where(Business.payment_alias.is_not(None))
            )
        ]
    linked = 0
    for platform_id, business_id, alias in businesses:
        assert alias is not None
        try:
            issued = issue_key(wallet, alias=alias, actor=actor)
        except WalletError:
            continue  # an alias of a wallet that is not on this node
        link_wallet(
            seller,
            platform_id=platform_id,
            business_id=business_id,
            api_url=f"{base}/wallets/{issued.institution_id}/api/v1",
            api_key=issued.api_key,
            webhook_secret=issued.webhook_secret,
            actor=actor,
        )
        linked += 1
    return linked
