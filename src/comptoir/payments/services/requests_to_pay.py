"""The routing of requests to pay: a payee's `POST /transactionRequests` goes to the payer's
DFSP (named in FSPIOP-Destination or the body, or found in the alias directory), and the
payer's answers come back, as quotes do (`routing`)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.fspiop import (
    FspiopError,
    content_hash,
    correlation_uuid,
    not_found_in_uri,
    ulid_or_none,
)
from comptoir.payments.models import TransactionRequestRow
from comptoir.payments.services.directory import named_destination, owner_of
from comptoir.payments.services.routing import (
    answered_too_late,
    pass_question_on,
    refused_as_expired,
    route_new_request,
)
from comptoir.payments.services.transfer_context import parse_time
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.outbound import Sender
from comptoir.payments.switch.schemas import TransactionRequestPost, TransactionRequestPut

__all__ = [
    "answer_transaction_request",
    "ask_transaction_request",
    "route_transaction_request",
]


def route_transaction_request(
    session: Session, sender: Sender, clock: Clock, inbound: Inbound
) -> None:
    """POST /transactionRequests: a merchant's request to pay, to the payer's DFSP."""
    body = inbound.parse(TransactionRequestPost)
    request_id = correlation_uuid(body.transactionRequestId)
    payer = body.payer
    existing = session.get(TransactionRequestRow, request_id)
    expiration = None if body.expiration is None else parse_time(body.expiration)
    if existing is None and refused_as_expired(
        session,
        sender,
        inbound,
        expiration,
        clock,
        resource="transactionRequests",
        path=f"/transactionRequests/{body.transactionRequestId}",
        error=FspiopError("3301", "the transaction request expired before the switch received it"),
    ):
        return
    route_new_request(
        session,
        sender,
        inbound,
        resource="transactionRequests",
        request_id=body.transactionRequestId,
        stored=(
            None
            if existing is None
            else (existing.request_hash, existing.payee_fsp, existing.payer_fsp)
        ),
        destination=(
            named_destination(sender, inbound)
            or payer.fspId
            or owner_of(session, payer.partyIdType, payer.partyIdentifier, payer.partySubIdOrType)
        ),
        named_in_body=payer.fspId,
        who_is_missing="payer",
        fsp_not_found="3202",
        record=lambda payer_fsp: TransactionRequestRow(
            id=request_id,
            ulid=ulid_or_none(body.transactionRequestId),
            payee_fsp=inbound.source.id,
            payer_fsp=payer_fsp,
            request_hash=content_hash(inbound.body),
            state="RECEIVED",
            created_at=clock.now(),
            expiration=expiration,
        ),
    )


def ask_transaction_request(
    session: Session, sender: Sender, inbound: Inbound, request_id: uuid.UUID
) -> None:
    """GET /transactionRequests/{ID} from the DFSP that sent the request: on to the payer's
    DFSP, whose PUT comes back through `answer_transaction_request`; 3206 to anyone else."""
    row = session.get(TransactionRequestRow, request_id)
    pass_question_on(
        session,
        sender,
        inbound,
        resource="transactionRequests",
        answerer=row.payer_fsp if row and row.payee_fsp == inbound.source.id else None,
        unknown=FspiopError("3206", f"no transaction request of yours has the id {request_id}"),
    )


def answer_transaction_request(
    session: Session,
    sender: Sender,
    clock: Clock,
    inbound: Inbound,
    request_id: uuid.UUID,
    *,
    error: bool,
) -> None:
    """PUT /transactionRequests/{ID}[/error] from the payer's DFSP, back to the payee's. An
    answer that comes after the payee's request expired is not passed on: both DFSPs hear
    3301, the payee that no answer came in time, the payer that its answer went nowhere."""
    if error:
        inbound.error()
    row = session.get(TransactionRequestRow, request_id, with_for_update=True)
    if row is None:
        raise not_found_in_uri("3206", f"no transaction request has the id {request_id}")
    if row.payer_fsp != inbound.source.id:
        raise FspiopError("3100", "only the payer's DFSP may answer a transaction request")
    inbound.addressed_to(row.payee_fsp)
    if not error and answered_too_late(
        session, sender, clock, inbound, row, answer=TransactionRequestPut,
        resource="transactionRequests", told=(row.payee_fsp, row.payer_fsp),
        late=FspiopError("3301", "the payer answered after the transaction request expired"),
    ):  # fmt: skip
        return
    if error:
        row.state = "REJECTED"
    else:
        row.state = inbound.parse(TransactionRequestPut).transactionRequestState
    session.flush()
    sender.relay(
        session,
        destination=row.payee_fsp,
        method="PUT",
        path=inbound.uri,
        headers=inbound.relayed_headers,
        body=inbound.body,
    )
