"""The checkout form as the shopper typed it, kept on the order between two pages.

A phone number and an address must never travel in a URL (server logs, browser history, the
Referer header), so a form that has to come back after a language switch or a refusal comes
back from here. The draft lives only until the details are sent to the seller: `prepare`
clears it on init and on confirm; a cart left with a draft loses the draft a day after it was
last touched (`forget_stale_drafts`, run every hour), so a name, phone and address typed and
abandoned are not kept for ever.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import null, update

from comptoir.apps.buyer.models import BuyerOrder
from comptoir.apps.buyer.service.context import Buyer
from comptoir.apps.buyer.service.orders import INITIALISED, QUOTED, checkout_problems
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.text import typed_text

FIELDS: Final = ("name", "phone", "address", "payment")
DRAFT_LIFETIME: Final = timedelta(days=1)
# Well past each field's limit, so that a value too long is kept to be refused as too long,
# and short enough that a draft cannot be used to store anything big.
KEPT_CHARACTERS: Final = 1000


@dataclass(frozen=True)
class CheckoutDraft:
    """What was typed, field by field, and whether it was already sent and refused (then the
    page names each field's problem again, in the language it is now read in)."""

    typed: Mapping[str, str]
    refused: bool


def keep_checkout_draft(
    buyer: Buyer,
    *,
    shopper: str,
    order_id: uuid.UUID,
    typed: Mapping[str, str],
    refused: bool,
) -> None:
    """Keep the checkout form as typed, on an order that still shows that form."""
    kept = {field: typed_text(typed.get(field, ""))[:KEPT_CHARACTERS] for field in FIELDS}
    with buyer.database.transaction() as session:
        order = session.get(BuyerOrder, order_id, with_for_update=True)
        if order is None or order.shopper != shopper or order.state not in (QUOTED, INITIALISED):
            return  # nothing to come back to: the form is not on this order's page
        order.checkout_draft = {**kept, "refused": refused}
        order.updated_at = buyer.clock.now()


def forget_stale_drafts(buyer: Buyer) -> int:
    """Forget the drafts of orders untouched for `DRAFT_LIFETIME`; how many were forgotten."""
    with buyer.database.connection_transaction() as connection:
        forgotten = connection.execute(
            update(BuyerOrder)
            .where(
                BuyerOrder.checkout_draft.is_not(None),
                BuyerOrder.updated_at < buyer.clock.now() - DRAFT_LIFETIME,
            )
            .values(checkout_draft=null())
        )
    return forgotten.rowcount


def checkout_draft(order: BuyerOrder) -> CheckoutDraft | None:
    found = order.checkout_draft
    if not found:
        return None
    typed = {field: str(found.get(field, "")) for field in FIELDS}
    return CheckoutDraft(typed, bool(found.get("refused")))


def draft_problems(order: BuyerOrder, draft: CheckoutDraft) -> dict[str, LazyText]:
    """Each field's problem in a refused draft, found again (so said in today's language)."""
    if not draft.refused:
        return {}
    typed = draft.typed
    delivered = order.fulfilment == "DELIVERY"
    return checkout_problems(
        typed_text(typed["name"]).strip(),
        typed_text(typed["phone"]).strip(),
        typed_text(typed["address"]).strip() if delivered else None,
        typed["payment"] or None,
    )
