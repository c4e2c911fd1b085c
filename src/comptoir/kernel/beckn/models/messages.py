"""The message payload of each Beckn v2.0 action and the `{context, message}` envelopes.

`ACTIONS` maps every action Comptoir speaks to its envelope model; `REQUEST_ACTIONS` are those a
buyer app (or a seller platform, for catalog/publish) starts, and `CALLBACKS` maps each to its
`on_` answer.
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from comptoir.kernel.beckn.models.base import BecknModel, OpenBecknModel
from comptoir.kernel.beckn.models.catalog import Catalog
from comptoir.kernel.beckn.models.context import Context
from comptoir.kernel.beckn.models.contract import (
    Contract,
    IdentifiedContract,
    RatingInput,
    Support,
    Tracking,
)
from comptoir.kernel.beckn.models.errors import Error
from comptoir.kernel.beckn.models.intent import Intent


class DiscoverAction(BecknModel):
    intent: Intent
    text_search: str | None = Field(default=None, alias="text_search")
    text_search_flat: str | None = Field(default=None, alias="textSearch")


class OnDiscoverAction(BecknModel):
    catalogs: list[Catalog]


class ContractAction(BecknModel):
    """select, init, confirm, update and their callbacks: a contract."""

    contract: Contract


class OpenContractAction(OpenBecknModel):
    """confirm: the spec leaves its payload open."""

    contract: Contract


class IdentifiedContractAction(OpenBecknModel):
    """cancel and status: a contract that names its id (payload left open by the spec)."""

    contract: IdentifiedContract


class TrackAction(BecknModel):
    tracking: Tracking


class RateAction(BecknModel):
    rating_inputs: list[RatingInput]


class OnRateAction(BecknModel):
    ratings: list[RatingInput]


class SupportAction(BecknModel):
    support: Support


class CatalogPublishAction(OpenBecknModel):
    catalogs: list[Catalog] = Field(min_length=1)


class CatalogProcessingStats(OpenBecknModel):
    item_count: int | None = None
    provider_count: int | None = None
    category_count: int | None = None


class CatalogProcessingResult(OpenBecknModel):
    catalog_id: str
    status: str = Field(pattern=r"^(ACCEPTED|REJECTED|PARTIAL)$")
    errors: list[Error] | None = None
    stats: CatalogProcessingStats | None = None


class CatalogOnPublishAction(OpenBecknModel):
    results: list[CatalogProcessingResult]


MessageT = TypeVar("MessageT", bound=BaseModel)


class BecknMessage(BaseModel, Generic[MessageT]):
    """A whole Beckn message: `{"context": ..., "message": ...}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    context: Context
    message: MessageT


def _envelope(message: type[MessageT]) -> type[BecknMessage[MessageT]]:
    return BecknMessage[message]  # type: ignore[valid-type]


ACTIONS: Final[dict[str, type[BecknMessage[BaseModel]]]] = {
    "discover": _envelope(DiscoverAction),
    "on_discover": _envelope(OnDiscoverAction),
    "select": _envelope(ContractAction),
    "on_select": _envelope(ContractAction),
    "init": _envelope(ContractAction),
    "on_init": _envelope(ContractAction),
    "confirm": _envelope(OpenContractAction),
    "on_confirm": _envelope(ContractAction),
    "status": _envelope(IdentifiedContractAction),
    "on_status": _envelope(ContractAction),
    "track": _envelope(TrackAction),
    "on_track": _envelope(TrackAction),
    "update": _envelope(ContractAction),
    "on_update": _envelope(ContractAction),
    "cancel": _envelope(IdentifiedContractAction),
    "on_cancel": _envelope(ContractAction),
    "rate": _envelope(RateAction),
    "on_rate": _envelope(OnRateAction),
    "support": _envelope(SupportAction),
    "on_support": _envelope(SupportAction),
    "catalog/publish": _envelope(CatalogPublishAction),
    "catalog/on_publish": _envelope(CatalogOnPublishAction),
}

# The spec's context.action for catalogue publishing accepts two spellings each.
ACTION_SPELLINGS: Final[dict[str, frozenset[str]]] = {
    **{action: frozenset({action}) for action in ACTIONS},
    "catalog/publish": frozenset({"catalog/publish", "catalog_publish"}),
    "catalog/on_publish": frozenset({"catalog/on_publish", "on_catalog_publish"}),
}

CALLBACKS: Final[dict[str, str]] = {
    "discover": "on_discover",
    "select": "on_select",
    "init": "on_init",
    "confirm": "on_confirm",
    "status": "on_status",
    "track": "on_track",
    "update": "on_update",
    "cancel": "on_cancel",
    "rate": "on_rate",
    "support": "on_support",
    "catalog/publish": "catalog/on_publish",
}
REQUEST_ACTIONS: Final = frozenset(CALLBACKS)
CALLBACK_ACTIONS: Final = frozenset(CALLBACKS.values())
