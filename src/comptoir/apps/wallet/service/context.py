"""What every use case needs: the database, the clock, the keys folder, the node's address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import FeeSchedule
from comptoir.apps.wallet.models import Customer, Institution
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.i18n import lazy

DEFAULT_SWITCH_FSP_ID = "comptoir-switch"


@dataclass(frozen=True)
class Wallet:
    database: Database
    keys_dir: Path
    base_url: str
    clock: Clock = system_clock

    def callback_url(self, institution_id: str) -> str:
        """Where the switch sends this institution's FSPIOP callbacks."""
        return f"{self.base_url.rstrip('/')}/wallets/{institution_id}/fspiop"

    def default_switch_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/switch"


def unknown_institution(institution_id: str) -> WalletError:
    return WalletError(
        "unknown_institution",
        lazy("There is no institution {institution} on this node.", institution=institution_id),
    )


def get_institution(session: Session, institution_id: str) -> Institution:
    found = session.get(Institution, institution_id)
    if found is None:
        raise unknown_institution(institution_id)
    return found


def get_customer(session: Session, institution_id: str, customer_id: object) -> Customer:
    found = session.get(Customer, customer_id)
    if found is None or found.institution_id != institution_id:
        raise WalletError("unknown_customer", lazy("There is no such customer."))
    return found


def fee_schedule(institution: Institution) -> FeeSchedule:
    return FeeSchedule(
        currency=institution.currency,
        send_fee=institution.send_fee,
        p2p_fee_bps=institution.p2p_fee_bps,
        merchant_fee_bps=institution.merchant_fee_bps,
        merchant_fee_min=institution.merchant_fee_min,
        merchant_fee_max=institution.merchant_fee_max,
    )
