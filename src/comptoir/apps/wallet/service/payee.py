"""The payee's institution: naming its customers, quoting, and fulfilling transfers to them.

The same functions serve a payment from another institution (through the switch) and one
between two customers of this institution (on us), so both follow the same rules and books.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import keys, schemas
from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.amounts import from_wire, to_wire
from comptoir.apps.wallet.domain.conditions import derive_fulfilment
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import AmountType, Scenario, quote_terms
from comptoir.apps.wallet.domain.parties import CustomerKind, PartyKey, PartyType, ilp_address
from comptoir.apps.wallet.domain.states import IncomingTransferState, RequestState
from comptoir.apps.wallet.models import (
    Customer,
    IncomingQuote,
    IncomingTransfer,
    Institution,
    TransactionRequest,
)
from comptoir.apps.wallet.service import ledger, outgoing
from comptoir.apps.wallet.service.context import Wallet, fee_schedule, get_institution
from comptoir.apps.wallet.service.customers import find_by_identifier
from comptoir.apps.wallet.service.inbound import Answer, answer_once
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.fspiop.ilp import IlpError, b64url, condition_of, decode, encode_prepare
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import MoneyError

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
            process=lambda s: make_quote(s, wallet, institution, request, document, source),
        )


def make_quote(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    request: schemas.QuotesPost,
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
    amount = _minor(request.amount, "amount")
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


def answer_transfer(
    wallet: Wallet, *, institution_id: str, source: str, document: dict[str, Any]
) -> None:
    """POST /transfers: check it against our quote, credit the payee, PUT the fulfilment."""
    request = schemas.read(schemas.TransfersPost, document)
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        answer_once(
            session,
            wallet,
            institution,
            resource="transfers",
            request_id=request.transferId,
            source=source,
            document=document,
            process=lambda s: fulfil(s, wallet, institution, request),
        )


def fulfil(
    session: Session, wallet: Wallet, institution: Institution, request: schemas.TransfersPost
) -> Answer:
    now = wallet.clock.now()
    if request.payeeFsp != institution.id:
        raise FspiopError("3100", f"payeeFsp is {request.payeeFsp}, not {institution.id}")
    try:
        packet = decode(request.ilpPacket)
    except IlpError as error:
        raise FspiopError("3100", f"ilpPacket: {error}") from None
    transaction = packet.transaction() or {}
    quote = session.scalar(
        select(IncomingQuote).where(
            IncomingQuote.institution_id == institution.id,
            IncomingQuote.quote_id == str(transaction.get("quoteId", "")),
        )
    )
    if quote is None:
        raise FspiopError("3205", "the ilpPacket names no quote of ours")
    amount = _minor(request.amount, "amount")
    if (
        request.condition != quote.condition
        or transaction.get("transactionId") != quote.transaction_id
        or request.payerFsp != quote.payer_fsp
        or request.amount.currency != quote.currency
        or amount != quote.transfer_amount
        or packet.amount != quote.transfer_amount
    ):
        raise FspiopError("3100", "the transfer does not match the quote it names")
    if _when(request.expiration, "expiration") <= now:
        raise FspiopError("3303", "the transfer expired before it reached the payee")
    if quote.expires_at <= now:
        raise FspiopError("3302", f"the quote expired at {utc_iso(quote.expires_at)}")
    if session.scalar(
        select(IncomingTransfer.id).where(
            IncomingTransfer.institution_id == institution.id,
            IncomingTransfer.transaction_id == quote.transaction_id,
        )
    ):
        raise FspiopError("5105", "this quote has already been paid by another transfer")
    secret = keys.signing_key(wallet.keys_dir, institution.id).fulfilment_secret
    fulfilment = derive_fulfilment(secret, packet.data)
    if condition_of(fulfilment) != quote.condition:
        raise FspiopError("5105", "the payee cannot fulfil this condition")
    _credit(session, institution, quote, request.transferId, now)
    session.add(
        IncomingTransfer(
            id=new_id(),
            institution_id=institution.id,
            transfer_id=request.transferId,
            quote_row_id=quote.id,
            transaction_id=quote.transaction_id,
            customer_id=quote.customer_id,
            payer_fsp=quote.payer_fsp,
            state=IncomingTransferState.COMMITTED.value,
            confirmed=False,
            created_at=now,
            updated_at=now,
        )
    )
    if quote.transaction_request_id is not None:
        _request_paid(session, institution, quote, now)
    session.flush()
    body = {
        "fulfilment": fulfilment,
        "completedTimestamp": utc_iso(now),
        "transferState": "COMMITTED",
    }
    return f"/transfers/{request.transferId}", body


def _credit(
    session: Session,
    institution: Institution,
    quote: IncomingQuote,
    transfer_id: str,
    now: datetime,
) -> None:
    ledger.post(
        session,
        institution_id=institution.id,
        currency=quote.currency,
        draft=books.receive(
            books.customer_account(quote.customer_id), quote.transfer_amount, quote.payee_fee
        ),
        now=now,
        reference=transfer_id,
        memo=quote.note,
    )


def _request_paid(
    session: Session, institution: Institution, quote: IncomingQuote, now: datetime
) -> None:
    asked = session.scalar(
        select(TransactionRequest).where(
            TransactionRequest.institution_id == institution.id,
            TransactionRequest.direction == OUTGOING,
            TransactionRequest.request_id == quote.transaction_request_id,
        )
    )
    if asked is not None:
        asked.state = RequestState.PAID.value
        asked.transaction_id = quote.transaction_id
        asked.updated_at = now


def settle_incoming(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    transfer_id: str,
    *,
    committed: bool,
    confirmed: bool = False,
) -> bool:
    """The switch's last word on a transfer we fulfilled: keep the credit (re-crediting a
    transfer we had reversed) or reverse it. False when we know no such transfer."""
    incoming = session.scalar(
        select(IncomingTransfer)
        .where(
            IncomingTransfer.institution_id == institution.id,
            IncomingTransfer.transfer_id == transfer_id,
        )
        .with_for_update()
    )
    if incoming is None:
        return False
    now = wallet.clock.now()
    state = IncomingTransferState(incoming.state)
    if committed and state is IncomingTransferState.ABORTED:
        quote = session.get(IncomingQuote, incoming.quote_row_id)
        assert quote is not None
        _credit(session, institution, quote, transfer_id, now)
        incoming.state = IncomingTransferState.COMMITTED.value
    elif not committed and state is IncomingTransferState.COMMITTED:
        credited = ledger.last_entry(
            session,
            institution_id=institution.id,
            reference=transfer_id,
            kind=books.EntryKind.RECEIVE.value,
        )
        if credited is not None:
            ledger.reverse(
                session,
                institution_id=institution.id,
                currency=institution.currency,
                entry_id=credited.id,
                now=now,
            )
        incoming.state = IncomingTransferState.ABORTED.value
    incoming.confirmed = incoming.confirmed or (committed and confirmed)
    incoming.updated_at = now
    return True


def on_transfer_notification(
    wallet: Wallet, *, institution_id: str, transfer_id: str, state: str
) -> None:
    """PATCH /transfers/{ID}: the switch committed (or aborted) a transfer we fulfilled."""
    if state not in ("COMMITTED", "ABORTED"):
        return
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        settle_incoming(
            session,
            wallet,
            institution,
            transfer_id,
            committed=state == "COMMITTED",
            confirmed=True,
        )


def _minor(money: schemas.MoneyBody, where: str) -> int:
    try:
        return from_wire(money.amount, money.currency)
    except (MoneyError, ValueError):
        raise FspiopError(
            "3100", f"{where}: {money.amount} {money.currency} is not an exact amount"
        ) from None


def _when(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FspiopError("3101", f"{where}: {text} is not a date and time") from None
