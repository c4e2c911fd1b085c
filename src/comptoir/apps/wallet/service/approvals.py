"""Requests to pay a customer of ours receives (payer side): taken in, shown, approved
(quoted first, so the customer sees every fee) or declined."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import schemas
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import Scenario
from comptoir.apps.wallet.domain.parties import PartyKey, PartyType
from comptoir.apps.wallet.domain.states import PaymentState, RequestState
from comptoir.apps.wallet.models import Institution, Payment, TransactionRequest
from comptoir.apps.wallet.service import outgoing, payer
from comptoir.apps.wallet.service.context import Wallet, get_customer, get_institution
from comptoir.apps.wallet.service.customers import find_by_identifier
from comptoir.apps.wallet.service.inbound import Answer, answer_once
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

INCOMING = "incoming"
OUTGOING = "outgoing"


def receive_request(
    wallet: Wallet, *, institution_id: str, source: str, document: dict[str, Any]
) -> None:
    """POST /transactionRequests: a customer of ours is asked to pay; RECEIVED, or an error."""
    request = schemas.read(schemas.TransactionRequestsPost, document)
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        answer_once(
            session,
            wallet,
            institution,
            resource="transactionRequests",
            request_id=request.transactionRequestId,
            source=source,
            document=document,
            process=lambda s: _take(
                s, wallet, institution, request, document=document, source=source
            ),
        )


def _take(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    request: schemas.TransactionRequestsPost,
    *,
    document: dict[str, Any],
    source: str,
) -> Answer:
    now = wallet.clock.now()
    asked = request.payer
    if asked.fspId not in (None, institution.id):
        raise FspiopError("3100", f"payer.fspId names {asked.fspId}")
    customer = find_by_identifier(session, institution.id, asked.partyIdType, asked.partyIdentifier)
    if customer is None:
        raise FspiopError("3204", "the payer has no account here")
    if request.amount.currency != institution.currency:
        raise FspiopError("4103", f"the payer holds {institution.currency} only")
    kind = request.transactionType
    if kind.initiator != "PAYEE" or kind.scenario not in ("PAYMENT", "TRANSFER"):
        raise FspiopError("4102", "only payments and transfers asked for by the payee")
    amount = schemas.minor_units(request.amount, "amount")
    expires_at = None
    if request.expiration is not None:
        expires_at = schemas.moment(request.expiration, "expiration")
        if expires_at <= now:
            raise FspiopError("3301", "the request to pay has already expired")
    payee_info = request.payee.partyIdInfo
    session.add(
        TransactionRequest(
            id=new_id(),
            institution_id=institution.id,
            request_id=request.transactionRequestId,
            direction=INCOMING,
            customer_id=customer.id,
            state=RequestState.PENDING.value,
            party_type=payee_info.partyIdType,
            party_id=payee_info.partyIdentifier,
            counterpart_fsp=payee_info.fspId or source,
            counterpart_name=request.payee.name,
            counterpart_party={
                **document["payee"],
                "partyIdInfo": {
                    **document["payee"]["partyIdInfo"],
                    "fspId": payee_info.fspId or source,
                },
            },
            transaction_type=document["transactionType"],
            currency=institution.currency,
            amount=amount,
            note=request.note,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    path = f"/transactionRequests/{request.transactionRequestId}"
    return path, {"transactionRequestState": "RECEIVED"}


def _own(
    session: Session, institution_id: str, customer_id: uuid.UUID, row_id: uuid.UUID
) -> TransactionRequest:
    row = session.scalar(
        select(TransactionRequest).where(TransactionRequest.id == row_id).with_for_update()
    )
    if row is None or row.institution_id != institution_id or row.customer_id != customer_id:
        raise WalletError("unknown_request", lazy("There is no such request to pay."))
    return row


def _still_open(row: TransactionRequest, now: datetime) -> None:
    if row.direction != INCOMING or row.state not in (
        RequestState.RECEIVED.value,
        RequestState.PENDING.value,
    ):
        raise WalletError("request_closed", lazy("This request to pay is no longer open."))
    if row.expires_at is not None and row.expires_at <= now:
        raise WalletError("request_expired", lazy("This request to pay has expired."))


# A payment answering a request that may still be paid: approving again shows it rather than
# opening a second one, and declining cancels it.
_LIVE = (PaymentState.LOOKUP, PaymentState.QUOTING, PaymentState.QUOTED)


def _answer_in_progress(session: Session, row: TransactionRequest, now: datetime) -> Payment | None:
    if row.payment_id is None:
        return None
    payment = session.scalar(select(Payment).where(Payment.id == row.payment_id).with_for_update())
    if payment is None or payment.state not in _LIVE:
        return None
    expires = payment.quote_expires_at
    if payment.state == PaymentState.QUOTED and expires is not None and expires <= now:
        return None
    return payment


def approve_request(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, request_row_id: uuid.UUID
) -> uuid.UUID:
    """Our customer wants to pay a request: quote it (the total is shown before agreeing).
    Approving again (a second click, another tab) gives the payment already under way."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = get_customer(session, institution_id, customer_id)
        row = _own(session, institution_id, customer_id, request_row_id)
        now = wallet.clock.now()
        _still_open(row, now)
        under_way = _answer_in_progress(session, row, now)
        if under_way is not None:
            return under_way.id
        party = PartyKey(PartyType(row.party_type), row.party_id)
        payment = payer.open_payment(
            session,
            wallet,
            institution,
            customer,
            party=party,
            amount=row.amount,
            note=row.note,
            payee_party=row.counterpart_party,
            scenario=Scenario((row.transaction_type or {}).get("scenario", "PAYMENT")),
            transaction_request_id=row.request_id,
        )
        row.payment_id = payment.id
        row.updated_at = wallet.clock.now()
        return payment.id


def reject_request(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, request_row_id: uuid.UUID
) -> None:
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        row = _own(session, institution_id, customer_id, request_row_id)
        now = wallet.clock.now()
        _still_open(row, now)
        row.state, row.updated_at = RequestState.REJECTED.value, now
        under_way = _answer_in_progress(session, row, now)
        if under_way is not None:
            under_way.state, under_way.updated_at = PaymentState.CANCELLED.value, now
        if row.counterpart_fsp == institution.id:
            mirror = session.scalar(
                select(TransactionRequest).where(
                    TransactionRequest.institution_id == institution.id,
                    TransactionRequest.direction == OUTGOING,
                    TransactionRequest.request_id == row.request_id,
                )
            )
            if mirror is not None:
                mirror.state, mirror.updated_at = RequestState.REJECTED.value, now
            return
        outgoing.send(
            session,
            wallet,
            institution,
            method="PUT",
            path=f"/transactionRequests/{row.request_id}",
            body={"transactionRequestState": "REJECTED"},
            destination=row.counterpart_fsp,
        )
