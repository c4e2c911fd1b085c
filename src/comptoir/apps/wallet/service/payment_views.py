"""A payment row as its payer sees it."""

from __future__ import annotations

from comptoir.apps.wallet.domain.parties import PartyType
from comptoir.apps.wallet.models import Payment
from comptoir.apps.wallet.service.views import PaymentView
from comptoir.kernel.money import Money


def recipient_text(party_type: str, party_id: str) -> str:
    return "+" + party_id if party_type == PartyType.MSISDN.value else party_id


def payment_view_of(payment: Payment) -> PaymentView:
    currency = payment.currency

    def money(minor: int | None) -> Money | None:
        return None if minor is None else Money(minor, currency)

    sent = payment.transfer_amount if payment.transfer_amount is not None else payment.amount
    return PaymentView(
        id=payment.id,
        state=payment.state,
        recipient=recipient_text(payment.party_type, payment.party_id),
        payee_name=payment.payee_name,
        payee_fsp=payment.payee_fsp,
        scenario=payment.scenario,
        amount=Money(payment.amount, currency),
        payee_receive_amount=money(payment.payee_receive_amount),
        payee_fee=money(payment.payee_fee),
        payer_fee=Money(payment.payer_fee, currency),
        total=Money(sent + payment.payer_fee, currency),
        note=payment.note,
        quote_expires_at=payment.quote_expires_at,
        transfer_id=None if payment.transfer_id is None else payment.transfer_id,
        transaction_id=payment.transaction_id,
        transaction_request_id=payment.transaction_request_id,
        refund_of=payment.refund_of,
        refund_reason=payment.refund_reason,
        error_code=payment.error_code,
        error_description=payment.error_description,
        created_at=payment.created_at,
        completed_at=payment.completed_at,
    )
