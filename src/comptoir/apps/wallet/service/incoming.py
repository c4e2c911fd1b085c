"""Transfers to our customers (payee side): checked against our quote, credited, fulfilled;
and the switch's last word on them (PATCH, or an error), which may reverse the credit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import keys, schemas
from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.conditions import derive_fulfilment
from comptoir.apps.wallet.domain.states import IncomingTransferState, RequestState
from comptoir.apps.wallet.models import (
    IncomingQuote,
    IncomingTransfer,
    Institution,
    TransactionRequest,
)
from comptoir.apps.wallet.service import ledger
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.apps.wallet.service.inbound import Answer, answer_once
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.fspiop.ilp import IlpError, condition_of, decode
from comptoir.kernel.ids import new_id

OUTGOING = "outgoing"


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
    amount = schemas.minor_units(request.amount, "amount")
    if (
        request.condition != quote.condition
        or transaction.get("transactionId") != quote.transaction_id
        or request.payerFsp != quote.payer_fsp
        or request.amount.currency != quote.currency
        or amount != quote.transfer_amount
        or packet.amount != quote.transfer_amount
    ):
        raise FspiopError("3100", "the transfer does not match the quote it names")
    if schemas.moment(request.expiration, "expiration") <= now:
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
        memo=_received_memo(quote),
    )


def _received_memo(quote: IncomingQuote) -> str | None:
    """Who paid, then their note and, for a refund, its reason, as the payee's history shows it
    ("Marie Joseph · Rent", "Boutique Soleil · Damaged on delivery")."""
    payer = str(quote.payer_party.get("name") or "").strip()
    parts = (payer, (quote.note or "").strip(), (quote.refund_reason or "").strip())
    memo = " · ".join(part for part in parts if part)
    return memo[:200] or None


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
