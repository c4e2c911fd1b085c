"""Refusals a seller platform sends back, with the Beckn error code the buyer app reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from comptoir.kernel.i18n import LazyText

# Codes from the retail error registry that ONDC publishes for Beckn networks.
ITEM_NOT_FOUND: Final = "30004"
ITEM_OUT_OF_STOCK: Final = "40002"
PRICE_CHANGED: Final = "40003"
FULFILMENT_UNAVAILABLE: Final = "30008"
CANCEL_NOT_POSSIBLE: Final = "30009"
RETURN_NOT_POSSIBLE: Final = "30010"
ORDER_NOT_FOUND: Final = "30001"
BAD_REQUEST: Final = "10001"


class SellerError(Exception):
    """A refusal: a stable `code` (a Beckn error code or a page error) and a sentence; for a
    form, each field's own sentence (`fields`), so a page names every problem at once."""

    def __init__(
        self, code: str, text: LazyText, fields: Mapping[str, LazyText] | None = None
    ) -> None:
        super().__init__(f"{code}: {text.message}")
        self.code = code
        self.text = text
        self.fields: dict[str, LazyText] = dict(fields or {})
