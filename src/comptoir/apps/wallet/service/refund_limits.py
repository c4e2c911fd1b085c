"""How much of a payment has been refunded: what the refund rules need from the tables."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain.refunds import check_refund
from comptoir.apps.wallet.domain.states import PaymentState
from comptoir.apps.wallet.models import IncomingQuote, IncomingTransfer, Institution, Payment

MOVING = (PaymentState.SENDING.value, PaymentState.COMMITTED.value)


def refunded_so_far(
    session: Session, institution_id: str, transaction_id: str, *, besides: Payment | None = None
) -> int:
    """What our merchant has refunded of a payment, or is refunding right now."""
    query = select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.institution_id == institution_id,
        Payment.refund_of == transaction_id,
        Payment.state.in_(MOVING),
    )
    if besides is not None:
        query = query.where(Payment.id != besides.id)
    return int(session.scalar(query) or 0)


def original_payment(
    session: Session, institution_id: str, transaction_id: str
) -> tuple[IncomingTransfer, IncomingQuote] | None:
    row = session.execute(
        select(IncomingTransfer, IncomingQuote)
        .join(IncomingQuote, IncomingQuote.id == IncomingTransfer.quote_row_id)
        .where(
            IncomingTransfer.institution_id == institution_id,
            IncomingTransfer.transaction_id == transaction_id,
        )
    ).first()
    return None if row is None else (row[0], row[1])


def check_refund_still_possible(
    session: Session, institution: Institution, payment: Payment
) -> None:
    """At the moment a refund is agreed: never more, in all, than the original payment."""
    if payment.refund_of is None:
        return
    found = original_payment(session, institution.id, payment.refund_of)
    original = 0 if found is None else found[1].transfer_amount
    check_refund(
        payment.amount,
        original=original,
        refunds=[refunded_so_far(session, institution.id, payment.refund_of, besides=payment)],
        currency=payment.currency,
    )
