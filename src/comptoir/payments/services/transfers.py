"""FSPIOP transfers through the switch: prepare, fulfil, abort, expire, and state queries.

Prepare reserves the amount in the payer's position (a pending ledger transfer, refused past
the net debit cap) and forwards the request to the payee. The payee's fulfilment commits it,
but only if SHA-256(fulfilment) is the condition and the transfer has not expired; then both
sides hear of it. Everything a step changes (ledger, transfer state, outgoing messages) is one
database transaction, and no lock is ever held across an HTTP call: messages leave through
the outbox after the commit.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, utc_iso
from comptoir.kernel.fspiop import (
    FspiopError,
    StoredRequest,
    content_hash,
    decide,
    error_from_body,
    ilp,
)
from comptoir.kernel.fspiop.idempotency import Action
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money, MoneyError
from comptoir.payments.domain import Transfer, TransferCode, TransferFlags, TransferResult
from comptoir.payments.models import TransferRow
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.participant_cache import participant_cache
from comptoir.payments.services.settlement import open_window
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.outbound import Sender
from comptoir.payments.switch.schemas import TransferPost, TransferPut

RESOURCE = "transfers"
BACKSTOP_SECONDS = 60
RECEIVED, RESERVED, COMMITTED, ABORTED = "RECEIVED", "RESERVED", "COMMITTED", "ABORTED"
FINAL = (COMMITTED, ABORTED)


@dataclass
class TransferContext:
    """What the transfer use cases need, built once per node."""

    store: LedgerStore
    sender: Sender
    clock: Clock


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _path(transfer_id: uuid.UUID | str) -> str:
    return f"/transfers/{transfer_id}"


def _final_state_document(row: TransferRow) -> dict[str, str]:
    document = {"transferState": row.state}
    if row.state == COMMITTED:
        document["fulfilment"] = row.fulfilment or ""
        if row.completed_at is not None:
            document["completedTimestamp"] = utc_iso(row.completed_at)
    return document


def _error_of(row: TransferRow) -> FspiopError:
    """The error a transfer was refused with, word for word, for a resend."""
    return FspiopError.from_error_information(
        row.error_code or "2001", row.error_description or "Internal server error"
    )


# -- prepare ----------------------------------------------------------------------------------


def prepare(session: Session, context: TransferContext, inbound: Inbound) -> None:
    """POST /transfers from the payer: reserve, then forward to the payee (or refuse)."""
    body = inbound.parse(TransferPost)
    if body.payerFsp != inbound.source.id:
        raise FspiopError("3100", "payerFsp must be the FSPIOP-Source of the request")
    transfer_id = uuid.UUID(body.transferId)
    existing = session.get(TransferRow, transfer_id, with_for_update=True)
    if existing is not None:
        _resend(session, context, inbound, existing)
        return
    row = TransferRow(
        id=transfer_id,
        payer_fsp=body.payerFsp,
        payee_fsp=body.payeeFsp,
        amount=0,
        currency=body.amount.currency,
        condition=body.condition,
        ilp_packet=body.ilpPacket,
        expiration=parse_time(body.expiration),
        state=RECEIVED,
        request_hash=content_hash(inbound.body),
        fulfilment=None,
        error_code=None,
        error_description=None,
        transaction_id=None,
        refund_of=None,
        window_id=None,
        created_at=context.clock.now(),
        completed_at=None,
    )
    session.add(row)
    try:
        _check_and_reserve(session, context, row, body)
    except FspiopError as error:
        row.state = ABORTED
        row.error_code = error.code
        row.error_description = error.description[:128]
        row.completed_at = context.clock.now()
        session.flush()
        context.sender.error(
            session,
            destination=row.payer_fsp,
            resource=RESOURCE,
            path=_path(transfer_id),
            error=error,
        )
        return
    row.state = RESERVED
    session.flush()
    context.sender.relay(
        session,
        destination=row.payee_fsp,
        method="POST",
        path="/transfers",
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


def _resend(
    session: Session, context: TransferContext, inbound: Inbound, existing: TransferRow
) -> None:
    """A second POST with a known id: the same answer again, or 3106 if it changed."""
    stored = StoredRequest(
        request_id=str(existing.id),
        content_hash=existing.request_hash,
        outcome=existing.state if existing.state in FINAL else None,
        source=existing.payer_fsp,
    )
    path = _path(existing.id)
    try:
        decision = decide(
            stored, request_id=str(existing.id), body=inbound.body, source=inbound.source.id
        )
    except FspiopError as error:
        context.sender.error(
            session, destination=inbound.source.id, resource=RESOURCE, path=path, error=error
        )
        return
    if decision.action is not Action.RESEND:
        return  # still in flight: its callback is on its way
    if existing.state == ABORTED:
        context.sender.error(
            session,
            destination=existing.payer_fsp,
            resource=RESOURCE,
            path=path,
            error=_error_of(existing),
        )
    else:
        context.sender.originate(
            session,
            destination=existing.payer_fsp,
            resource=RESOURCE,
            method="PUT",
            path=path,
            document=_final_state_document(existing),
        )


def _check_and_reserve(
    session: Session, context: TransferContext, row: TransferRow, body: TransferPost
) -> None:
    participants = participant_cache(session)
    payee = participants.get(session, body.payeeFsp)
    if payee is None or not payee.active:
        raise FspiopError("3203", f"the payee FSP {body.payeeFsp} is not a participant")
    if body.payeeFsp == body.payerFsp:
        raise FspiopError("3100", "a transfer needs two different FSPs")
    try:
        amount = Money.parse(body.amount.amount, body.amount.currency)
    except MoneyError as exc:
        raise FspiopError("3100", str(exc)) from exc
    if amount.is_zero():
        raise FspiopError("3100", "the amount must be more than zero")
    row.amount = amount.minor
    payer_accounts = participants.accounts(session, body.payerFsp, amount.currency)
    if payer_accounts is None:
        raise FspiopError("3100", f"the payer FSP does not hold {amount.currency}")
    payee_accounts = participants.accounts(session, body.payeeFsp, amount.currency)
    if payee_accounts is None:
        raise FspiopError("5106", f"the payee FSP does not hold {amount.currency}")
    now = context.clock.now()
    if row.expiration <= now:
        raise FspiopError("3303", "the transfer expired before it was prepared")
    _link_refund(session, row, amount)
    # The switch's sweep voids the reservation when the FSPIOP expiration passes; the ledger's
    # own timeout is only a backstop, a minute later, should the sweep not run.
    timeout = max(1, math.ceil((row.expiration - now).total_seconds())) + BACKSTOP_SECONDS
    failures = context.store.create_transfers(
        session,
        [
            Transfer(
                id=row.id,
                debit_account_id=payer_accounts.position,
                credit_account_id=payee_accounts.position,
                amount=amount.minor,
                ledger=amount.currency,
                code=int(TransferCode.REFUND if row.refund_of else TransferCode.PAYMENT),
                flags=int(TransferFlags.PENDING),
                timeout=timeout,
                user_data_128=row.refund_of or uuid.UUID(int=0),
            )
        ],
    )
    if failures:
        result = failures[0][1]
        if result in (TransferResult.EXCEEDS_CREDITS, TransferResult.ID_ALREADY_FAILED):
            raise FspiopError("4001", "the payer FSP's position would pass its net debit cap")
        raise FspiopError("2001", f"the ledger refused the transfer: {result.value}")


def _link_refund(session: Session, row: TransferRow, amount: Money) -> None:
    """Read the transaction from the ILP packet; a refund may not pass what is left."""
    try:
        transaction = ilp.decode(row.ilp_packet).transaction()
    except ilp.IlpError as exc:
        raise FspiopError("3100", f"the ILP packet cannot be read: {exc}") from exc
    if transaction is None:
        return
    try:
        row.transaction_id = uuid.UUID(str(transaction.get("transactionId")))
    except ValueError:
        row.transaction_id = None
    kind = transaction.get("transactionType") or {}
    refund = kind.get("refundInfo") if isinstance(kind, dict) else None
    if not isinstance(refund, dict) or "originalTransactionId" not in refund:
        return
    original = session.scalars(
        select(TransferRow).where(
            TransferRow.transaction_id == uuid.UUID(str(refund["originalTransactionId"])),
            TransferRow.state == COMMITTED,
        )
    ).first()
    if original is None:
        raise FspiopError("3207", "the transaction to refund was not found or not committed")
    if (original.payer_fsp, original.payee_fsp) != (row.payee_fsp, row.payer_fsp):
        raise FspiopError("3100", "a refund goes back from the payee to the payer")
    if original.currency != amount.currency:
        raise FspiopError("3100", "a refund is in the currency of the original")
    refunded = session.scalar(
        select(func.coalesce(func.sum(TransferRow.amount), 0)).where(
            TransferRow.refund_of == original.id,
            TransferRow.state.in_((RESERVED, COMMITTED)),
        )
    )
    left = original.amount - int(refunded or 0)
    if amount.minor > left:
        raise FspiopError(
            "3100",
            f"the refund of {amount.to_fixed()} passes the "
            f"{Money(left, amount.currency).to_fixed()} left of the original transfer",
        )
    row.refund_of = original.id


# -- fulfil, abort ------------------------------------------------------------------------------


def fulfil(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """PUT /transfers/{ID} from the payee: commit if the fulfilment matches, else abort."""
    body = inbound.parse(TransferPut)
    row = _payee_transfer(session, inbound, transfer_id)
    if row is None:
        return
    if row.state in FINAL:
        if row.state == COMMITTED and body.fulfilment == row.fulfilment:
            return  # a resend of the fulfilment that committed it: nothing more to do
        context.sender.error(
            session,
            destination=inbound.source.id,
            resource=RESOURCE,
            path=_path(transfer_id),
            error=FspiopError("3100", f"the transfer is already {row.state}"),
        )
        return
    if body.transferState == ABORTED:
        _abort(
            session,
            context,
            row,
            FspiopError("5104", "the payee rejected the transfer"),
            tell_payee=False,
        )
        return
    if body.fulfilment is None or not ilp.fulfils(body.fulfilment, row.condition):
        _abort(
            session,
            context,
            row,
            FspiopError("3100", "the fulfilment does not match the transfer's condition"),
        )
        return
    now = context.clock.now()
    if now > row.expiration:
        _abort(session, context, row, FspiopError("3303", "the transfer expired"))
        return
    failures = context.store.create_transfers(
        session,
        [Transfer(id=new_id(), pending_id=row.id, flags=int(TransferFlags.POST_PENDING_TRANSFER))],
    )
    if failures:
        _abort(session, context, row, FspiopError("3303", "the reservation expired"))
        return
    row.state = COMMITTED
    row.fulfilment = body.fulfilment
    row.completed_at = parse_time(body.completedTimestamp) if body.completedTimestamp else now
    row.window_id = open_window(session, clock=context.clock, shared=True).id
    session.flush()
    if body.transferState == COMMITTED:
        context.sender.relay(
            session,
            destination=row.payer_fsp,
            method="PUT",
            path=_path(row.id),
            headers=inbound.relayed_headers,
            body=inbound.body,
        )
        return
    # The payee answered RESERVED: it asks to hear when the switch commits (FSPIOP v2.0
    # PATCH /transfers/{ID}), and the payer must hear COMMITTED, which the switch now says.
    context.sender.originate(
        session,
        destination=row.payer_fsp,
        resource=RESOURCE,
        method="PUT",
        path=_path(row.id),
        document=_final_state_document(row),
    )
    context.sender.originate(
        session,
        destination=row.payee_fsp,
        resource=RESOURCE,
        method="PATCH",
        path=_path(row.id),
        document={
            "completedTimestamp": utc_iso(row.completed_at),
            "transferState": COMMITTED,
        },
    )


def payee_error(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """PUT /transfers/{ID}/error from the payee: release the reservation, tell the payer."""
    error = error_from_body(json.loads(inbound.body or b"null"))
    row = _payee_transfer(session, inbound, transfer_id)
    if row is None or row.state in FINAL:
        return
    _abort(session, context, row, error, tell_payee=False)


def _payee_transfer(
    session: Session, inbound: Inbound, transfer_id: uuid.UUID
) -> TransferRow | None:
    row = session.get(TransferRow, transfer_id, with_for_update=True)
    if row is None:
        raise FspiopError("3208", f"no transfer has the id {transfer_id}")
    if row.payee_fsp != inbound.source.id:
        raise FspiopError("3100", "only the transfer's payee FSP may answer it")
    return row


def _abort(
    session: Session,
    context: TransferContext,
    row: TransferRow,
    error: FspiopError,
    *,
    tell_payee: bool = True,
) -> None:
    if row.state == RESERVED:
        _release(session, context, row)
    row.state = ABORTED
    row.error_code = error.code
    row.error_description = error.description[:128]
    row.completed_at = context.clock.now()
    session.flush()
    path = _path(row.id)
    context.sender.error(
        session, destination=row.payer_fsp, resource=RESOURCE, path=path, error=error
    )
    if tell_payee:
        context.sender.originate(
            session,
            destination=row.payee_fsp,
            resource=RESOURCE,
            method="PATCH",
            path=path,
            document={"completedTimestamp": utc_iso(row.completed_at), "transferState": ABORTED},
        )


def _release(session: Session, context: TransferContext, row: TransferRow) -> None:
    """Give the payer its reservation back (void the pending ledger transfer)."""
    failures = context.store.create_transfers(
        session,
        [Transfer(id=new_id(), pending_id=row.id, flags=int(TransferFlags.VOID_PENDING_TRANSFER))],
    )
    if not failures:
        return
    result = failures[0][1]
    if result is TransferResult.PENDING_TRANSFER_EXPIRED:
        # The ledger's backstop timeout passed first: its expiry record releases it instead.
        context.store.expire_due(session, now=context.store.now())
        return
    if result not in (TransferResult.PENDING_TRANSFER_ALREADY_VOIDED,):
        raise RuntimeError(f"cannot release the reservation of {row.id}: {result.value}")


def expire_due(session: Session, context: TransferContext, *, limit: int = 200) -> int:
    """Abort every reserved transfer whose expiration has passed (error 3303 to both sides)."""
    now = context.clock.now()
    due = session.scalars(
        select(TransferRow)
        .where(TransferRow.state == RESERVED, TransferRow.expiration < now)
        .order_by(TransferRow.expiration)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in due:
        _abort(session, context, row, FspiopError("3303", "the transfer expired"))
    return len(due)


# -- queries ------------------------------------------------------------------------------------


def get_state(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """GET /transfers/{ID}: the current state goes back as PUT /transfers/{ID} (or an error)."""
    row = session.get(TransferRow, transfer_id)
    path = _path(transfer_id)
    if row is None or inbound.source.id not in (row.payer_fsp, row.payee_fsp):
        context.sender.error(
            session,
            destination=inbound.source.id,
            resource=RESOURCE,
            path=path,
            error=FspiopError("3208", f"no transfer has the id {transfer_id}"),
        )
        return
    if row.state == ABORTED:
        context.sender.error(
            session,
            destination=inbound.source.id,
            resource=RESOURCE,
            path=path,
            error=_error_of(row),
        )
        return
    context.sender.originate(
        session,
        destination=inbound.source.id,
        resource=RESOURCE,
        method="PUT",
        path=path,
        document=_final_state_document(row),
    )
