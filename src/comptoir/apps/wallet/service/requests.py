"""Requests to pay, the merchant's side (the payer's side is `approvals`).

The merchant's institution looks the payer up, then sends POST /transactionRequests to the
payer's institution. That one answers PUT /transactionRequests/{ID} RECEIVED at once, shows the
request to its customer, and on approval quotes (with the transactionRequestId), then, when the
customer agrees to the total, answers ACCEPTED and sends the transfer; or answers REJECTED.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import fspiop_client, schemas
from comptoir.apps.wallet.domain.amounts import parse_amount, to_wire
from comptoir.apps.wallet.domain.errors import FieldChecks, WalletError
from comptoir.apps.wallet.domain.parties import CustomerKind, PartyType, parse_recipient
from comptoir.apps.wallet.domain.states import OPEN_REQUEST_STATES, RequestState
from comptoir.apps.wallet.models import Customer, Institution, TransactionRequest
from comptoir.apps.wallet.service import outgoing, payer
from comptoir.apps.wallet.service.context import Wallet, get_customer, get_institution
from comptoir.apps.wallet.service.customers import find_by_identifier
from comptoir.apps.wallet.service.payment_views import recipient_text
from comptoir.apps.wallet.service.views import RequestView
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.i18n import current_locale, lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money

INCOMING = "incoming"
OUTGOING = "outgoing"
EXPIRED = "expired"  # shown only: the stored state stays what the FSPIOP exchange made it
MERCHANT_PAYMENT = {"scenario": "PAYMENT", "initiator": "PAYEE", "initiatorType": "BUSINESS"}


def request_payment(
    wallet: Wallet,
    *,
    institution_id: str,
    customer_id: uuid.UUID,
    payer_identifier: str,
    amount: str,
    note: str | None = None,
) -> uuid.UUID:
    """Our merchant asks someone (a phone number or an alias) to pay `amount`."""
    with wallet.database.transaction() as session:
        return open_request(
            session,
            wallet,
            institution_id=institution_id,
            customer_id=customer_id,
            payer_identifier=payer_identifier,
            amount=amount,
            note=note,
        ).id


def open_request(
    session: Session,
    wallet: Wallet,
    *,
    institution_id: str,
    customer_id: uuid.UUID,
    payer_identifier: str,
    amount: str,
    note: str | None = None,
    expires_at: datetime | None = None,
) -> TransactionRequest:
    """`request_payment` in the caller's transaction (the merchant API records its own row
    with it, so that both exist or neither). With `expires_at`, the request carries its
    expiration to the payer's institution, which refuses to pay it after that moment."""
    institution = get_institution(session, institution_id)
    merchant = get_customer(session, institution_id, customer_id)
    if merchant.kind != CustomerKind.MERCHANT.value:
        raise WalletError("not_merchant", lazy("Only merchant accounts can request payments."))
    # Every field refused is said at once (FieldsError).
    fields = FieldChecks()
    party = fields.check(lambda: parse_recipient(payer_identifier))
    minor = fields.check(
        lambda: parse_amount(amount, institution.currency, locale=current_locale())
    )
    cleaned_note = fields.check(lambda: payer.clean_note(note))
    fields.raise_any()
    if party is None or minor is None:  # raise_any raised: this is for the type checker
        raise AssertionError("a field refused without a refusal")
    now = wallet.clock.now()
    row = TransactionRequest(
        id=new_id(),
        institution_id=institution_id,
        request_id=str(new_id()),
        direction=OUTGOING,
        customer_id=merchant.id,
        state=RequestState.LOOKUP.value,
        party_type=party.party_type.value,
        party_id=party.party_id,
        transaction_type=dict(MERCHANT_PAYMENT),
        currency=institution.currency,
        amount=minor,
        note=cleaned_note,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    local = find_by_identifier(session, institution_id, party.party_type, party.party_id)
    if local is not None:
        if local.id == merchant.id:
            raise WalletError("pay_yourself", lazy("You cannot ask yourself to pay."))
        _hand_over_locally(session, institution, merchant, local, row=row, now=now)
    else:
        outgoing.send(
            session,
            wallet,
            institution,
            method="GET",
            path=party.path(),
            body=None,
            destination=None,
            subject=fspiop_client.Subject("request", str(row.id)),
        )
    return row


def _hand_over_locally(
    session: Session,
    institution: Institution,
    merchant: Customer,
    payer_customer: Customer,
    *,
    row: TransactionRequest,
    now: datetime,
) -> None:
    """Both sides bank here: the request lands in the payer's list without the switch."""
    merchant_party = outgoing.customer_party(session, institution, merchant)
    row.counterpart_fsp = institution.id
    row.counterpart_name = payer_customer.name
    row.state = RequestState.RECEIVED.value
    info = merchant_party["partyIdInfo"]
    session.add(
        TransactionRequest(
            id=new_id(),
            institution_id=institution.id,
            request_id=row.request_id,
            direction=INCOMING,
            customer_id=payer_customer.id,
            state=RequestState.PENDING.value,
            party_type=info["partyIdType"],
            party_id=info["partyIdentifier"],
            counterpart_fsp=institution.id,
            counterpart_name=merchant.name,
            counterpart_party=merchant_party,
            transaction_type=row.transaction_type,
            currency=row.currency,
            amount=row.amount,
            note=row.note,
            expires_at=row.expires_at,
            created_at=now,
            updated_at=now,
        )
    )


def _waiting(
    session: Session, institution_id: str, party_type: str, party_id: str
) -> list[TransactionRequest]:
    if party_type == PartyType.MSISDN.value:
        party_id = party_id.removeprefix("+")
    return list(
        session.scalars(
            select(TransactionRequest).where(
                TransactionRequest.institution_id == institution_id,
                TransactionRequest.direction == OUTGOING,
                TransactionRequest.state == RequestState.LOOKUP.value,
                TransactionRequest.party_type == party_type,
                TransactionRequest.party_id == party_id,
            )
        )
    )


def on_party(
    wallet: Wallet, *, institution_id: str, party_type: str, party_id: str, party: schemas.Party
) -> None:
    """The payer's institution is known: send it the request to pay."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        for row in _waiting(session, institution_id, party_type, party_id):
            fsp = party.partyIdInfo.fspId
            now = wallet.clock.now()
            if not fsp:
                _fail(row, now, "3201", "the payer's institution is not known")
                continue
            merchant = get_customer(session, institution_id, row.customer_id)
            row.counterpart_fsp, row.counterpart_name = fsp, party.name
            row.state, row.updated_at = RequestState.SENT.value, now
            body: dict[str, Any] = {
                "transactionRequestId": row.request_id,
                "payee": outgoing.customer_party(session, institution, merchant),
                "payer": {"partyIdType": party_type, "partyIdentifier": party_id, "fspId": fsp},
                "amount": to_wire(row.amount, row.currency),
                "transactionType": row.transaction_type,
            }
            if row.note:
                body["note"] = row.note
            if row.expires_at is not None:
                body["expiration"] = utc_iso(row.expires_at)
            outgoing.send(
                session,
                wallet,
                institution,
                method="POST",
                path="/transactionRequests",
                body=body,
                destination=fsp,
                subject=fspiop_client.Subject("request", str(row.id)),
            )


def on_party_error(
    wallet: Wallet, *, institution_id: str, party_type: str, party_id: str, error: FspiopError
) -> None:
    with wallet.database.transaction() as session:
        for row in _waiting(session, institution_id, party_type, party_id):
            _fail(row, wallet.clock.now(), error.code, error.description)


def _fail(row: TransactionRequest, now: datetime, code: str, description: str) -> None:
    row.state = RequestState.FAILED.value
    row.error_code, row.error_description = code, description[:128]
    row.updated_at = now


def _outgoing(session: Session, institution_id: str, request_id: str) -> TransactionRequest | None:
    return session.scalar(
        select(TransactionRequest)
        .where(
            TransactionRequest.institution_id == institution_id,
            TransactionRequest.direction == OUTGOING,
            TransactionRequest.request_id == request_id,
        )
        .with_for_update()
    )


def on_request_state(
    wallet: Wallet, *, institution_id: str, request_id: str, document: dict[str, Any]
) -> None:
    """PUT /transactionRequests/{ID}: where the payer's side stands with our request."""
    answer = schemas.read(schemas.TransactionRequestsPut, document)
    with wallet.database.transaction() as session:
        row = _outgoing(session, institution_id, request_id)
        if row is None or row.state in (RequestState.PAID.value, RequestState.FAILED.value):
            return
        row.state = answer.transactionRequestState.lower()
        row.transaction_id = answer.transactionId or row.transaction_id
        row.updated_at = wallet.clock.now()


def on_request_error(
    wallet: Wallet, *, institution_id: str, request_id: str, error: FspiopError
) -> None:
    with wallet.database.transaction() as session:
        row = _outgoing(session, institution_id, request_id)
        if row is not None and row.state != RequestState.PAID.value:
            _fail(row, wallet.clock.now(), error.code, error.description)


def request_refused(session: Session, wallet: Wallet, row_id: str, error: FspiopError) -> None:
    row = session.get(TransactionRequest, uuid.UUID(row_id))
    if row is not None and row.state in {state.value for state in OPEN_REQUEST_STATES}:
        _fail(row, wallet.clock.now(), error.code, error.description)


def _shown_state(row: TransactionRequest, now: datetime) -> str:
    """A request still open past its expiration is shown as expired (it can no longer be paid:
    see `approvals._still_open`)."""
    still_open = row.state in {state.value for state in OPEN_REQUEST_STATES}
    if still_open and row.expires_at is not None and row.expires_at <= now:
        return EXPIRED
    return row.state


def list_requests(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, direction: str
) -> list[RequestView]:
    with wallet.database.transaction() as session:
        rows = session.scalars(
            select(TransactionRequest)
            .where(
                TransactionRequest.institution_id == institution_id,
                TransactionRequest.customer_id == customer_id,
                TransactionRequest.direction == direction,
            )
            .order_by(TransactionRequest.id.desc())
            .limit(50)
        ).all()
        now = wallet.clock.now()
        return [
            RequestView(
                id=row.id,
                request_id=row.request_id,
                direction=row.direction,
                state=_shown_state(row, now),
                party=recipient_text(row.party_type, row.party_id),
                counterpart_name=row.counterpart_name,
                amount=Money(row.amount, row.currency),
                note=row.note,
                payment_id=row.payment_id,
                error_code=row.error_code,
                error_description=row.error_description,
                created_at=row.created_at,
            )
            for row in rows
        ]
