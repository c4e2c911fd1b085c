"""A customer's statement, and the institution's books as a whole."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.fees import Scenario
from comptoir.apps.wallet.models import (
    Account,
    Entry,
    IncomingQuote,
    IncomingTransfer,
    Payment,
    Posting,
)
from comptoir.apps.wallet.service import ledger
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.apps.wallet.service.views import HistoryLine
from comptoir.kernel.money import Money


def history(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, limit: int = 30
) -> list[HistoryLine]:
    """The entries that touched the customer's account, newest first."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        rows = session.execute(
            select(Entry.created_at, Entry.kind, Posting.amount, Entry.reference, Entry.memo)
            .join(Posting, Posting.entry_id == Entry.id)
            .join(Account, Account.id == Posting.account_id)
            .where(
                Account.institution_id == institution_id,
                Account.code == books.customer_account(customer_id),
            )
            .order_by(Entry.id.desc())
            .limit(limit)
        ).all()
        refunds = _refund_references(
            session, institution_id, [(row.kind, row.reference) for row in rows]
        )
        return [
            HistoryLine(
                at,
                kind,
                Money(amount, institution.currency),
                reference,
                memo,
                refund=reference in refunds,
            )
            for at, kind, amount, reference, memo in rows
        ]


# The entries of a payment this institution sent name the payment; an entry of a transfer it
# received names the transfer. (A commit touches no customer's account, so no line shows it.)
_SENT_KINDS: Final = frozenset({"reserve", "release"})


def _refund_references(
    session: Session, institution_id: str, entries: Iterable[tuple[str, str | None]]
) -> set[str]:
    """The references, among these entries' (kind, reference), of refunds sent or received."""
    payment_ids: set[uuid.UUID] = set()
    transfer_ids: set[str] = set()
    for kind, reference in entries:
        if reference is None:
            continue
        if kind in _SENT_KINDS:
            try:
                payment_ids.add(uuid.UUID(reference))
            except ValueError:
                continue
        elif kind == "receive":
            transfer_ids.add(reference)
    refund = Scenario.REFUND.value
    found: set[str] = set()
    if payment_ids:
        sent = session.scalars(
            select(Payment.id).where(
                Payment.institution_id == institution_id,
                Payment.id.in_(payment_ids),
                Payment.scenario == refund,
            )
        )
        found.update(str(payment_id) for payment_id in sent)
    if transfer_ids:
        received = session.scalars(
            select(IncomingTransfer.transfer_id)
            .join(IncomingQuote, IncomingQuote.id == IncomingTransfer.quote_row_id)
            .where(
                IncomingTransfer.institution_id == institution_id,
                IncomingTransfer.transfer_id.in_(transfer_ids),
                IncomingQuote.scenario == refund,
            )
        )
        found.update(received)
    return found


def book_balances(wallet: Wallet, *, institution_id: str) -> dict[str, int]:
    """Every account's balance in minor units; they always sum to zero."""
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        return ledger.account_balances(session, institution_id=institution_id)
