"""The payee's institution: naming its customers, quoting, and fulfilling transfers to them.

The same functions serve a payment from another institution (through the switch) and one
between two customers of this institution (on us), so both follow the same rules and books.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import keys, schemas
from comptoir.apps.wallet.domain.amounts import to_wire
from comptoir.apps.wallet.domain.conditions import derive_fulfilment
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import AmountType, Scenario, quote_terms
from comptoir.apps.wallet.domain.parties import CustomerKind, PartyKey, PartyType, ilp_address
from comptoir.apps.wallet.models import (
    Customer,
    IncomingQuote,
    Institution,
    TransactionRequest,
)
from comptoir.apps.wallet.service import outgoing
from comptoir.apps.wallet.service.context import Wallet, fee_schedule, get_institution
from comptoir.apps.wallet.service.customers import find_by_identifier
from comptoir.apps.wallet.service.inbound import Answer, answer_once
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.fspiop.ilp import b64url, condition_of, encode_prepare
from comptoir.kernel.ids import new_id

OUTGOING = "outgoing"


def answer_lookup(
    wallet: Wallet,
    *,
    institution_id: str,
    party_type: str,
    party_id: str,
    sub_id: str | None,
    requester: str,
) -> None:
    """GET /parties/{Type}/{ID}: PUT the party's name back to the requester, or error 3204."""
    path = f"/parties/{party_type}/{party_id}" + (f"/{sub_id}" if sub_id else "")
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = (
            None if sub_id else find_by_identifier(session, institution_id, party_type, party_id)
        )
        if customer is None:
            outgoing.send_error(
                session,
                wallet,
                institution,
                path=path,
                error=FspiopError("3204", f"{party_type} {party_id} has no account here"),
                destination=requester,
            )
            return
        party = outgoing.customer_party(session, institution, customer, (party_type, party_id))
        outgoing.send(
            session,
            wallet,
            institution,
            method="PUT",
            path=path,
            body={"party": party},
            destination=requester,
        )


def answer_quote(
    wallet: Wallet, *, institution_id: str, source: str, document: dict[str, Any]
) -> None:
    """POST /quotes: our terms (fees, ILP packet and condition) or an error, once per quote."""
    request = schemas.read(schemas.QuotesPost, document)
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        answer_once(
            session,
            wallet,
            institution,
            resource="quotes",
            request_id=request.quoteId,
            source=source,
            document=document,
            process=lambda s: make_quote(
                s, wallet, institution, request, document=document, payer_fsp=source
            ),
        )


def make_quote(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    request: schemas.QuotesPost,
    *,
    document: dict[str, Any],
    payer_fsp: str,
) -> Answer:
    payee_info = request.payee.partyIdInfo
    if payee_info.fspId not in (None, institution.id):
        raise FspiopError("3100", f"payee.partyIdInfo.fspId names {payee_info.fspId}")
    customer = find_by_identifier(
        session, institution.id, payee_info.partyIdType, payee_info.partyIdentifier
    )
    if customer is None or payee_info.partySubIdOrType is not None:
        raise FspiopError("3204", "the payee has no account here")
    if request.amount.currency != institution.currency:
        raise FspiopError("5106", f"the payee holds {institution.currency} only")
    try:
        scenario = Scenario(request.transactionType.scenario)
    except ValueError:
        raise FspiopError("5102", f"{request.transactionType.scenario} is not offered") from None
    amount = schemas.minor_units(request.amount, "amount")
    try:
        terms = quote_terms(
            fee_schedule(institution),
            amount_type=AmountType(request.amountType),
            amount=amount,
            scenario=scenario,
            payee_is_merchant=customer.kind == CustomerKind.MERCHANT.value,
        )
    except WalletError as refused:
        raise FspiopError("5103", refused.text.render("en")) from None
    if request.transactionRequestId is not None:
        _check_request(session, institution, request, customer, terms.transfer_amount)
    now = wallet.clock.now()
    expires_at = now + timedelta(seconds=institution.quote_seconds)
    currency = institution.currency
    transaction: dict[str, Any] = {
        "transactionId": request.transactionId,
        "quoteId": request.quoteId,
        "payee": document["payee"],
        "payer": document["payer"],
        "amount": to_wire(terms.transfer_amount, currency),
        "payeeReceiveAmount": to_wire(terms.payee_receive_amount, currency),
        "transactionType": document["transactionType"],
    }
    if request.note is not None:
        transaction["note"] = request.note
    # The packet's data is base64url(JSON) of the transaction, as `ilp.transaction_packet`
    # writes it; the fulfilment is derived from those exact bytes.
    data = b64url(json.dumps(transaction, separators=(",", ":")).encode()).encode("ascii")
    secret = keys.signing_key(wallet.keys_dir, institution.id).fulfilment_secret
    condition = condition_of(derive_fulfilment(secret, data))
    party = PartyKey(PartyType(payee_info.partyIdType), payee_info.partyIdentifier)
    packet = encode_prepare(
        amount=terms.transfer_amount,
        destination=ilp_address(institution.id, party),
        data=data,
        expires_at=expires_at,
        condition=condition,
    )
    refund = request.transactionType.refundInfo
    session.add(
        IncomingQuote(
            id=new_id(),
            institution_id=institution.id,
            quote_id=request.quoteId,
            transaction_id=request.transactionId,
            transaction_request_id=request.transactionRequestId,
            customer_id=customer.id,
            payer_fsp=payer_fsp,
            payer_party=document["payer"],
            scenario=scenario.value,
            refund_of=None if refund is None else refund.originalTransactionId,
            refund_reason=None if refund is None else refund.refundReason,
            currency=currency,
            transfer_amount=terms.transfer_amount,
            payee_receive_amount=terms.payee_receive_amount,
            payee_fee=terms.payee_fee,
            condition=condition,
            note=request.note,
            expires_at=expires_at,
            created_at=now,
        )
    )
    session.flush()
    body = {
        "transferAmount": to_wire(terms.transfer_amount, currency),
        "payeeReceiveAmount": to_wire(terms.payee_receive_amount, currency),
        "payeeFspFee": to_wire(terms.payee_fee, currency),
        "expiration": utc_iso(expires_at),
        "ilpPacket": packet,
        "condition": condition,
    }
    return f"/quotes/{request.quoteId}", body


def _check_request(
    session: Session,
    institution: Institution,
    request: schemas.QuotesPost,
    customer: Customer,
    transfer_amount: int,
) -> None:
    asked = session.scalar(
        select(TransactionRequest).where(
            TransactionRequest.institution_id == institution.id,
            TransactionRequest.direction == OUTGOING,
            TransactionRequest.request_id == request.transactionRequestId,
        )
    )
    if asked is None or asked.customer_id != customer.id:
        raise FspiopError("3206", f"no request to pay {request.transactionRequestId} here")
    if asked.amount != transfer_amount:
        raise FspiopError("3100", "the quote's amount differs from the request to pay")
