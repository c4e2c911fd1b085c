"""What every use case needs, and the buyer app's own row (one buyer app per node)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from comptoir.apps.buyer import beckn_io
from comptoir.apps.buyer.models import BuyerApp
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class Buyer:
    database: Database
    keys_dir: Path
    base_url: str
    clock: Clock = system_clock
    search_seconds: float = 2.0
    answer_seconds: float = 8.0

    @property
    def bap_uri(self) -> str:
        """Where seller platforms send this app's callbacks (`{bap_uri}/on_{action}`)."""
        return f"{self.base_url.rstrip('/')}/shop/beckn"


@dataclass(frozen=True)
class AppView:
    id: str
    name: str
    subscriber_id: str
    unique_key_id: str
    registry_url: str
    gateway_url: str


@dataclass(frozen=True)
class CreatedApp:
    view: AppView
    signing_public_key: str
    encryption_public_key: str
    url: str


def create_app(
    buyer: Buyer,
    *,
    app_id: str,
    name: str,
    subscriber_id: str,
    registry_url: str,
    gateway_url: str,
    actor: str = "operator:cli",
) -> CreatedApp:
    if not _ID.fullmatch(app_id):
        raise ValueError("an app id is lowercase letters, digits and hyphens")
    signing, encryption = beckn_io.create_keys(buyer.keys_dir, app_id)
    with buyer.database.transaction() as session:
        if session.scalar(select(BuyerApp.id)) is not None:
            raise ValueError("this node already runs a buyer app")
        row = BuyerApp(
            id=app_id,
            name=name,
            subscriber_id=subscriber_id,
            unique_key_id=f"{app_id}-k1",
            registry_url=registry_url.rstrip("/"),
            gateway_url=gateway_url.rstrip("/"),
            created_at=buyer.clock.now(),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="buyer.app.created",
            subject=app_id,
            details={"subscriber_id": subscriber_id},
            clock=buyer.clock,
        )
        view = _view(row)
    return CreatedApp(view, signing, encryption, buyer.bap_uri)


def _view(row: BuyerApp) -> AppView:
    return AppView(
        row.id, row.name, row.subscriber_id, row.unique_key_id, row.registry_url, row.gateway_url
    )


def the_app(buyer: Buyer) -> AppView | None:
    with buyer.database.reading() as session:
        row = session.scalar(select(BuyerApp).order_by(BuyerApp.created_at))
        return None if row is None else _view(row)
