"""Refunds: a merchant gives back all or part of a payment it received.

A refund is a new payment from the merchant to the original payer, with the FSPIOP scenario
REFUND and `refundInfo.originalTransactionId` naming the payment. In all, refunds never pass
what the original payment brought: checked when the refund is started and again, under the
merchant's account lock, when it is agreed (the switch checks it too).

A refund is paid out of the merchant's balance. The customer is owed what they paid (XCD
10.00), not what the merchant kept after its institution's fee (XCD 9.90): the fee is not given
back (a refund is a new transfer linked to the sale, with no fee of its own, fees.py), so the
merchant bears it, as merchants commonly bear card fees. A merchant holding only that sale's
XCD 9.90 therefore cannot refund XCD 10.00 yet. What it needs is to give back as much as it can
now, knowing how much, and the rest when its balance allows: the sales page says the most its
balance allows now beside each refund form (and offers no form when that is nothing), and a
refund asked for with no amount is for that most, not for a sum the balance would refuse. The
merchant sees the amount on the refund's own page before agreeing to it; what is not refunded
stays refundable.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.amounts import parse_amount
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import Scenario
from comptoir.apps.wallet.domain.parties import PartyKey, PartyType
from comptoir.apps.wallet.domain.refunds import check_refund, refundable, refundable_now
from comptoir.apps.wallet.domain.states import IncomingTransferState
from comptoir.apps.wallet.models import IncomingQuote, IncomingTransfer
from comptoir.apps.wallet.service import ledger, payer
from comptoir.apps.wallet.service.context import Wallet, get_customer, get_institution
from comptoir.apps.wallet.service.payment_views import recipient_text
from comptoir.apps.wallet.service.refund_limits import refunded_so_far
from comptoir.apps.wallet.service.views import ReceivedPaymentView
from comptoir.kernel.i18n import current_locale, lazy
from comptoir.kernel.money import Money

MAX_REASON = 128


def received_payments(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, limit: int = 50
) -> list[ReceivedPaymentView]:
    """Payments into this customer's account, newest first, with what is left to refund."""
    with wallet.database.transaction() as session:
        rows = session.execute(
            select(IncomingTransfer, IncomingQuote)
            .join(IncomingQuote, IncomingQuote.id == IncomingTransfer.quote_row_id)
            .where(
                IncomingTransfer.institution_id == institution_id,
                IncomingTransfer.customer_id == customer_id,
            )
            .order_by(IncomingTransfer.id.desc())
            .limit(limit)
        ).all()
        available = ledger.balance(
            session, institution_id=institution_id, code=books.customer_account(customer_id)
        )
        views = []
        for transfer, quote in rows:
            currency = quote.currency
            left = 0
            if (
                quote.scenario != Scenario.REFUND.value
                and transfer.state == IncomingTransferState.COMMITTED.value
            ):
                done = refunded_so_far(session, institution_id, quote.transaction_id)
                left = refundable(quote.transfer_amount, [done])
            info = quote.payer_party.get("partyIdInfo", {})
            views.append(
                ReceivedPaymentView(
                    transfer_id=transfer.transfer_id,
                    transaction_id=quote.transaction_id,
                    payer_name=quote.payer_party.get("name"),
                    payer=recipient_text(
                        str(info.get("partyIdType", "")), str(info.get("partyIdentifier", ""))
                    ),
                    payer_fsp=quote.payer_fsp,
                    scenario=quote.scenario,
                    amount=Money(quote.transfer_amount, currency),
                    received=Money(quote.payee_receive_amount, currency),
                    fee=Money(quote.payee_fee, currency),
                    refundable=Money(left, currency),
                    refundable_now=Money(refundable_now(left, available), currency),
                    state=transfer.state,
                    at=transfer.created_at,
                    note=quote.note,
                    refund_reason=quote.refund_reason,
                )
            )
        return views


def refund_payment(
    wallet: Wallet,
    *,
    institution_id: str,
    customer_id: uuid.UUID,
    transfer_id: str,
    amount: str | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    """Start refunding a received payment (when `amount` is empty, all that is left, or as much
    of it as the balance allows now); returns the refund's payment, which its merchant confirms
    after seeing the fees like any payment."""
    reason_text = " ".join((reason or "").split())[:MAX_REASON] or None
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        merchant = get_customer(session, institution_id, customer_id)
        found = session.execute(
            select(IncomingTransfer, IncomingQuote)
            .join(IncomingQuote, IncomingQuote.id == IncomingTransfer.quote_row_id)
            .where(
                IncomingTransfer.institution_id == institution_id,
                IncomingTransfer.transfer_id == transfer_id,
                IncomingTransfer.customer_id == customer_id,
            )
        ).first()
        if found is None or found[0].state != IncomingTransferState.COMMITTED.value:
            raise WalletError("unknown_payment", lazy("There is no such payment to refund."))
        quote = found[1]
        if quote.scenario == Scenario.REFUND.value:
            raise WalletError("refund_of_refund", lazy("A refund cannot itself be refunded."))
        done = refunded_so_far(session, institution_id, quote.transaction_id)
        if amount and amount.strip():
            minor = parse_amount(amount, institution.currency, locale=current_locale())
        else:
            # "All of it" is all the balance allows now (the page says so): the merchant
            # sees the amount before agreeing, and the rest stays refundable. With nothing
            # to refund from, it is all that is left, which `open_payment` refuses saying
            # the balance.
            left = refundable(quote.transfer_amount, [done])
            available = ledger.balance(
                session, institution_id=institution_id, code=books.customer_account(merchant.id)
            )
            minor = refundable_now(left, available) or left
        check_refund(minor, original=quote.transfer_amount, refunds=[done], currency=quote.currency)
        info = dict(quote.payer_party.get("partyIdInfo", {}))
        info.setdefault("fspId", quote.payer_fsp)
        payee_party = {**quote.payer_party, "partyIdInfo": info}
        payment = payer.open_payment(
            session,
            wallet,
            institution,
            merchant,
            party=PartyKey(PartyType(info["partyIdType"]), str(info["partyIdentifier"])),
            amount=minor,
            note=None,
            payee_party=payee_party,
            scenario=Scenario.REFUND,
            refund_of=quote.transaction_id,
            refund_reason=reason_text,
        )
        return payment.id
