"""A payment's quote and transfer, across the switch or on us.

For a payee at another institution these send POST /quotes and POST /transfers to the switch
and read the answers when they come back. For a payee here, the very same messages are handed
to the payee rules in-process (`payee.make_quote`, `incoming.fulfil`), so an on-us payment gets
the same checks, fees, ILP condition and books as any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import fspiop_client, schemas
from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.amounts import from_wire, to_wire
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import Scenario, scenario_for
from comptoir.apps.wallet.domain.states import PaymentState, RequestState
from comptoir.apps.wallet.models import (
    Customer,
    Institution,
    Payment,
    TransactionRequest,
)
from comptoir.apps.wallet.service import incoming, ledger, outgoing, payee
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.fspiop.ilp import IlpError, decode, from_b64url, fulfils
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import MoneyError

INCOMING = "incoming"
MOVING = (PaymentState.SENDING.value, PaymentState.COMMITTED.value)


def fail(payment: Payment, now: datetime, code: str, description: str) -> None:
    """Mark a payment failed (a reservation is released by `release`, not here)."""
    payment.state = PaymentState.FAILED.value
    payment.error_code = code
    payment.error_description = description[:128]
    payment.updated_at = now
    payment.completed_at = now


def found_payee(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    payment: Payment,
    party: dict[str, Any],
) -> None:
    """The payee is known (an FSPIOP Party): choose the scenario and ask for a quote."""
    now = wallet.clock.now()
    currencies = party.get("supportedCurrencies")
    if currencies and payment.currency not in currencies:
        fail(payment, now, "5106", f"the payee does not hold {payment.currency}")
        return
    if payment.scenario != Scenario.REFUND.value:
        merchant = "merchantClassificationCode" in party
        payment.scenario = scenario_for(payee_is_merchant=merchant).value
    customer = session.get(Customer, payment.customer_id)
    assert customer is not None
    request_quote(session, wallet, institution, customer, payment, party=party)


def request_quote(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    customer: Customer,
    payment: Payment,
    *,
    party: dict[str, Any],
) -> None:
    now = wallet.clock.now()
    payee_fsp = (party.get("partyIdInfo") or {}).get("fspId")
    if not payee_fsp:
        fail(payment, now, "3201", "the payee's institution is not known")
        return
    payment.payee_fsp = payee_fsp
    payment.payee_name = party.get("name")
    payment.payee_party = party
    payment.state = PaymentState.QUOTING.value
    payment.updated_at = now
    body = _quote_body(session, institution, customer, payment, party)
    if payee_fsp != institution.id:
        outgoing.send(
            session,
            wallet,
            institution,
            method="POST",
            path="/quotes",
            body=body,
            destination=payee_fsp,
            subject=fspiop_client.Subject("payment", str(payment.id)),
        )
        return
    try:
        with session.begin_nested():
            request = schemas.read(schemas.QuotesPost, body)
            _path, answer = payee.make_quote(
                session, wallet, institution, request, document=body, payer_fsp=institution.id
            )
    except FspiopError as refused:
        fail(payment, now, refused.code, refused.description)
        return
    apply_quote(wallet, payment, schemas.read(schemas.QuotesPut, answer))


def _quote_body(
    session: Session,
    institution: Institution,
    customer: Customer,
    payment: Payment,
    party: dict[str, Any],
) -> dict[str, Any]:
    body: dict[str, Any] = {"quoteId": payment.quote_id, "transactionId": payment.transaction_id}
    if payment.transaction_request_id is not None:
        body["transactionRequestId"] = payment.transaction_request_id
    body["payee"] = party
    body["payer"] = outgoing.customer_party(session, institution, customer)
    body["amountType"] = "SEND"
    body["amount"] = to_wire(payment.amount, payment.currency)
    body["transactionType"] = _transaction_type(session, customer, payment)
    if payment.note:
        body["note"] = payment.note
    return body


def _transaction_type(session: Session, customer: Customer, payment: Payment) -> dict[str, Any]:
    if payment.transaction_request_id is not None:
        asked = session.scalar(
            select(TransactionRequest).where(
                TransactionRequest.institution_id == payment.institution_id,
                TransactionRequest.direction == INCOMING,
                TransactionRequest.request_id == payment.transaction_request_id,
            )
        )
        if asked is not None and asked.transaction_type is not None:
            return dict(asked.transaction_type)
    kind: dict[str, Any] = {
        "scenario": payment.scenario,
        "initiator": "PAYER",
        "initiatorType": outgoing.initiator_type(customer),
    }
    if payment.refund_of is not None:
        refund: dict[str, Any] = {"originalTransactionId": payment.refund_of}
        if payment.refund_reason:
            refund["refundReason"] = payment.refund_reason
        kind["refundInfo"] = refund
    return kind


def apply_quote(wallet: Wallet, payment: Payment, answer: schemas.QuotesPut) -> None:
    """Check the payee's terms against what we asked; keep them for the payer to see."""
    now = wallet.clock.now()
    try:
        terms = _checked_terms(payment, answer, now)
    except FspiopError as wrong:
        fail(payment, now, wrong.code, wrong.description)
        return
    transfer, receive, fee, expires_at = terms
    payment.transfer_amount = transfer
    payment.payee_receive_amount = receive
    payment.payee_fee = fee
    payment.quote_expires_at = expires_at
    payment.ilp_packet = answer.ilpPacket
    payment.condition = answer.condition
    payment.state = PaymentState.QUOTED.value
    payment.updated_at = now


def _checked_terms(
    payment: Payment, answer: schemas.QuotesPut, now: datetime
) -> tuple[int, int, int, datetime]:
    currency = payment.currency

    def minor(money: schemas.MoneyBody | None, default: int) -> int:
        if money is None:
            return default
        if money.currency != currency:
            raise FspiopError("3100", f"the quote is in {money.currency}, not {currency}")
        try:
            return from_wire(money.amount, currency)
        except (MoneyError, ValueError):
            raise FspiopError("3100", f"{money.amount} is not an exact amount") from None

    transfer = minor(answer.transferAmount, 0)
    fee = minor(answer.payeeFspFee, 0)
    commission = minor(answer.payeeFspCommission, 0)
    receive = minor(answer.payeeReceiveAmount, transfer - fee + commission)
    if transfer != payment.amount:
        raise FspiopError("3100", "the payee's institution changed the amount to send")
    if receive + fee - commission != transfer or receive <= 0 or fee < 0:
        raise FspiopError("3100", "the quote's amounts do not add up")
    expires_at = datetime.fromisoformat(answer.expiration.replace("Z", "+00:00"))
    if expires_at <= now:
        raise FspiopError("3302", "the quote had expired when it arrived")
    try:
        packet = decode(answer.ilpPacket)
        condition = from_b64url(answer.condition)
    except IlpError as error:
        raise FspiopError("3100", f"ilpPacket: {error}") from None
    transaction = packet.transaction() or {}
    if (
        packet.amount != transfer
        or packet.condition != condition
        or transaction.get("quoteId") != payment.quote_id
        or transaction.get("transactionId") != payment.transaction_id
    ):
        raise FspiopError("3100", "the ilpPacket does not carry this quote's transaction")
    return transfer, receive, fee, expires_at


def send_transfer(
    session: Session, wallet: Wallet, institution: Institution, payment: Payment
) -> None:
    """POST /transfers to the switch, or fulfil it here for a payee of ours."""
    assert payment.transfer_expires_at is not None
    assert payment.transfer_amount is not None
    body = {
        "transferId": payment.transfer_id,
        "payerFsp": institution.id,
        "payeeFsp": payment.payee_fsp,
        "amount": to_wire(payment.transfer_amount, payment.currency),
        "ilpPacket": payment.ilp_packet,
        "condition": payment.condition,
        "expiration": utc_iso(payment.transfer_expires_at),
    }
    if payment.payee_fsp != institution.id:
        outgoing.send(
            session,
            wallet,
            institution,
            method="POST",
            path="/transfers",
            body=body,
            destination=payment.payee_fsp,
            subject=fspiop_client.Subject("payment", str(payment.id)),
        )
        return
    try:
        with session.begin_nested():
            request = schemas.read(schemas.TransfersPost, body)
            _path, answer = incoming.fulfil(session, wallet, institution, request)
    except FspiopError as refused:
        release(
            session,
            wallet,
            institution,
            payment,
            code=refused.code,
            description=refused.description,
        )
        return
    finish(session, wallet, institution, payment, answer["fulfilment"])


def finish(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    payment: Payment,
    fulfilment: str | None,
) -> None:
    """The transfer committed: the reserved money leaves for good."""
    if not fulfilment or not payment.condition or not fulfils(fulfilment, payment.condition):
        raise FspiopError("3100", "the fulfilment does not match the transfer's condition")
    now = wallet.clock.now()
    ledger.post(
        session,
        institution_id=institution.id,
        currency=payment.currency,
        draft=books.commit(payment.transfer_amount or 0, payment.payer_fee),
        now=now,
        reference=str(payment.id),
        memo=payment.payee_name,
    )
    payment.fulfilment = fulfilment
    payment.state = PaymentState.COMMITTED.value
    payment.updated_at = now
    payment.completed_at = now


def release(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    payment: Payment,
    *,
    code: str,
    description: str,
) -> None:
    """The transfer failed: the payer gets back everything that was reserved."""
    now = wallet.clock.now()
    ledger.post(
        session,
        institution_id=institution.id,
        currency=payment.currency,
        draft=books.release(
            books.customer_account(payment.customer_id),
            payment.transfer_amount or 0,
            payment.payer_fee,
        ),
        now=now,
        reference=str(payment.id),
        memo=payment.payee_name,
    )
    fail(payment, now, code, description)


def answered_request_expired(
    session: Session, institution: Institution, payment: Payment, now: datetime
) -> bool:
    """Whether the payment answers a request to pay whose expiration has passed."""
    if payment.transaction_request_id is None:
        return False
    expires_at = session.scalar(
        select(TransactionRequest.expires_at).where(
            TransactionRequest.institution_id == institution.id,
            TransactionRequest.direction == INCOMING,
            TransactionRequest.request_id == payment.transaction_request_id,
        )
    )
    return expires_at is not None and expires_at <= now


def check_request_still_open(session: Session, institution: Institution, payment: Payment) -> None:
    """Refuse to pay a request to pay that was declined, paid, or is answered by another
    payment: agreeing to this one would pay it a second time."""
    if payment.transaction_request_id is None:
        return
    asked = session.scalar(
        select(TransactionRequest).where(
            TransactionRequest.institution_id == institution.id,
            TransactionRequest.direction == INCOMING,
            TransactionRequest.request_id == payment.transaction_request_id,
        )
    )
    open_states = (RequestState.RECEIVED.value, RequestState.PENDING.value)
    if asked is not None and (asked.state not in open_states or asked.payment_id != payment.id):
        raise WalletError(
            "request_answered",
            lazy("This request to pay was already answered. Nothing more was paid."),
        )


def accept_request(
    session: Session, wallet: Wallet, institution: Institution, payment: Payment
) -> None:
    """The payer agreed to a request to pay: tell the institution that asked (ACCEPTED)."""
    if payment.transaction_request_id is None:
        return
    asked = session.scalar(
        select(TransactionRequest).where(
            TransactionRequest.institution_id == institution.id,
            TransactionRequest.direction == INCOMING,
            TransactionRequest.request_id == payment.transaction_request_id,
        )
    )
    if asked is None:
        return
    now = wallet.clock.now()
    asked.state = RequestState.ACCEPTED.value
    asked.transaction_id = payment.transaction_id
    asked.updated_at = now
    if asked.counterpart_fsp == institution.id:
        mirror = session.scalar(
            select(TransactionRequest).where(
                TransactionRequest.institution_id == institution.id,
                TransactionRequest.direction == "outgoing",
                TransactionRequest.request_id == asked.request_id,
            )
        )
        if mirror is not None:
            mirror.state = RequestState.ACCEPTED.value
            mirror.transaction_id = payment.transaction_id
            mirror.updated_at = now
        return
    outgoing.send(
        session,
        wallet,
        institution,
        method="PUT",
        path=f"/transactionRequests/{asked.request_id}",
        body={"transactionId": payment.transaction_id, "transactionRequestState": "ACCEPTED"},
        destination=asked.counterpart_fsp,
    )
