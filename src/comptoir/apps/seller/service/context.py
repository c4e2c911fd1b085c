"""What every use case needs: the database, the clock, the keys folder, the node's address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business, Platform
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.i18n import lazy


@dataclass(frozen=True)
class Seller:
    database: Database
    keys_dir: Path
    base_url: str
    clock: Clock = system_clock

    def bpp_uri(self, platform_id: str) -> str:
        """Where buyer apps send this platform's Beckn requests (`{bpp_uri}/{action}`)."""
        return f"{self.base_url.rstrip('/')}/sellers/{platform_id}/beckn"

    def track_url(self, platform_id: str, order_id: object) -> str:
        return f"{self.base_url.rstrip('/')}/sellers/{platform_id}/track/{order_id}"


def get_platform(session: Session, platform_id: str) -> Platform:
    found = session.get(Platform, platform_id)
    if found is None:
        raise SellerError(
            "unknown_platform",
            lazy("There is no seller platform {platform} on this node.", platform=platform_id),
        )
    return found


def get_business(session: Session, platform_id: str, business_id: object) -> Business:
    found = session.get(Business, business_id)
    if found is None or found.platform_id != platform_id:
        raise SellerError("unknown_business", lazy("There is no such business."))
    return found
