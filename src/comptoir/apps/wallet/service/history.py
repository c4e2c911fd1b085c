"""A customer's statement, and the institution's books as a whole."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.models import Account, Entry, Posting
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
        return [
            HistoryLine(at, kind, Money(amount, institution.currency), reference, memo)
            for at, kind, amount, reference, memo in rows
        ]


def book_balances(wallet: Wallet, *, institution_id: str) -> dict[str, int]:
    """Every account's balance in minor units; they always sum to zero."""
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        return ledger.account_balances(session, institution_id=institution_id)
