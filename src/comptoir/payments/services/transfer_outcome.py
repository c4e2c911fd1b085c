"""FSPIOP transfers through the switch, how a reserved transfer ends: committed by the payee's
fulfilment, aborted by the payee's refusal or a wrong fulfilment, or expired.

The fulfilment commits only if SHA-256(fulfilment) is the condition and the transfer has not
expired; then both sides hear of it. An abort gives the payer its reservation back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop import FspiopError, ilp, not_found_in_uri
from comptoir.kernel.ids import new_id
from comptoir.payments.domain import Transfer, TransferFlags, TransferResult
from comptoir.payments.models import TransferRow
from comptoir.payments.services.settlement import open_window
from comptoir.payments.services.transfer_context import (
    ABORTED,
    COMMITTED,
    FINAL,
    RECEIVED,
    RESERVED,
    RESOURCE,
    TransferContext,
    error_of,
    final_state_document,
    transfer_for_update,
    transfer_path,
)
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.schemas import TransferPut


def fulfil(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """PUT /transfers/{ID} from the payee: commit if the fulfilment matches, else abort."""
    body = inbound.parse(TransferPut)
    if body.transferState == RECEIVED:
        # The payee's answer commits (COMMITTED, or RESERVED asking for the notification) or
        # refuses (ABORTED): RECEIVED says neither, and relayed it would tell the payer so.
        raise FspiopError("3100", "a payee answers a transfer COMMITTED, RESERVED or ABORTED")
    if body.transferState != ABORTED and body.fulfilment is None:
        # Refused as incomplete, and the transfer left as it was: the payee may still answer
        # it in full before it expires. Only a fulfilment that is wrong aborts it.
        raise FspiopError("3102", f"a transfer answered {body.transferState} needs its fulfilment")
    row = _payee_transfer(session, inbound, transfer_id)
    if row is None:
        return
    # A payee that answers RESERVED asks for a commit notification (PATCH) whatever the
    # outcome; one that answers COMMITTED took the risk and gets none (API Definition 6.7.2.6).
    wants_notification = body.transferState == RESERVED
    if row.state in FINAL:
        resent = row.state == COMMITTED and body.fulfilment == row.fulfilment
        if wants_notification and (resent or row.state == ABORTED):
            # "If the Payee FSP does not get a commit notification from the Switch within a
            # reasonable time, the Payee FSP should resend the PUT": it gets it again.
            _notify_payee(context, session, row)
            return
        if resent or (row.state == ABORTED and body.transferState == ABORTED):
            return  # a resend of what it already said, or a refusal of what already failed
        # A fulfilment that comes too late hears why the transfer failed (3303 when it
        # expired), as the payer did; one that differs from the fulfilment that committed it,
        # that it is too late to change.
        late = (
            error_of(row)
            if row.state == ABORTED
            else FspiopError("3100", f"the transfer is already {row.state}")
        )
        context.sender.error(
            session,
            destination=inbound.source.id,
            resource=RESOURCE,
            path=transfer_path(row),
            error=late,
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
            payee_wants_notification=wants_notification,
        )
        return
    now = context.clock.now()
    if now > row.expiration:
        _abort(
            session,
            context,
            row,
            FspiopError("3303", "the transfer expired"),
            payee_wants_notification=wants_notification,
        )
        return
    failures = context.store.create_transfers(
        session,
        [Transfer(id=new_id(), pending_id=row.id, flags=int(TransferFlags.POST_PENDING_TRANSFER))],
    )
    if failures:
        result = failures[0][1]
        expired = result in (
            TransferResult.PENDING_TRANSFER_EXPIRED,
            TransferResult.PENDING_TRANSFER_ALREADY_VOIDED,
        )
        _abort(
            session,
            context,
            row,
            FspiopError("3303", "the reservation expired")
            if expired
            # Never expected: said as what it is, not as an expiry the payer could act on.
            else FspiopError("2001", f"the ledger refused the commit: {result.value}"),
            payee_wants_notification=wants_notification,
        )
        return
    _mark_committed(
        session,
        row,
        fulfilment=body.fulfilment,
        # The switch's own clock: the commit happens here, and the settlement window, the
        # reports and the operator's pages must not rest on a payee's clock, however set.
        completed_at=now,
        window_id=open_window(session, clock=context.clock, shared=True).id,
    )
    if body.transferState == COMMITTED:
        context.sender.relay(
            session,
            destination=row.payer_fsp,
            method="PUT",
            path=transfer_path(row),
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
        path=transfer_path(row),
        document=final_state_document(row),
    )
    _notify_payee(context, session, row)


_TRANSFERS = cast(Table, TransferRow.__table__)
# The commit of every transfer: one statement built once, where the ORM's flush of the changed
# row cost about twice the update itself.
_COMMIT = (
    update(_TRANSFERS)
    .where(_TRANSFERS.c.id == bindparam("transfer_id"))
    .values(
        state=COMMITTED,
        fulfilment=bindparam("new_fulfilment", type_=_TRANSFERS.c.fulfilment.type),
        completed_at=bindparam("new_completed_at", type_=_TRANSFERS.c.completed_at.type),
        window_id=bindparam("new_window_id", type_=_TRANSFERS.c.window_id.type),
    )
)


def _mark_committed(
    session: Session,
    row: TransferRow,
    *,
    fulfilment: str,
    completed_at: datetime,
    window_id: uuid.UUID,
) -> None:
    """Write the transfer COMMITTED, and give the loaded row the same values as stored (so
    that the session has nothing of it left to flush)."""
    session.connection().execute(
        _COMMIT,
        {
            "transfer_id": row.id,
            "new_fulfilment": fulfilment,
            "new_completed_at": completed_at,
            "new_window_id": window_id,
        },
    )
    for name, value in (
        ("state", COMMITTED),
        ("fulfilment", fulfilment),
        ("completed_at", completed_at),
        ("window_id", window_id),
    ):
        set_committed_value(row, name, value)


def _notify_payee(context: TransferContext, session: Session, row: TransferRow) -> None:
    """The commit notification, PATCH /transfers/{ID}: the transfer's final state, to a payee
    that asked for it by answering RESERVED."""
    completed = row.completed_at or context.clock.now()
    context.sender.originate(
        session,
        destination=row.payee_fsp,
        resource=RESOURCE,
        method="PATCH",
        path=transfer_path(row),
        document={"completedTimestamp": utc_iso(completed), "transferState": row.state},
    )


def payee_error(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """PUT /transfers/{ID}/error from the payee: release the reservation, tell the payer."""
    error = inbound.error()
    row = _payee_transfer(session, inbound, transfer_id)
    if row is None or row.state in FINAL:
        return
    _abort(session, context, row, error, tell_payee=False)


def _payee_transfer(
    session: Session, inbound: Inbound, transfer_id: uuid.UUID
) -> TransferRow | None:
    row = transfer_for_update(session, transfer_id)
    if row is None:
        raise not_found_in_uri("3208", f"no transfer has the id {transfer_id}")
    if row.payee_fsp != inbound.source.id:
        raise FspiopError("3100", "only the transfer's payee FSP may answer it")
    inbound.addressed_to(row.payer_fsp)
    return row


def _abort(
    session: Session,
    context: TransferContext,
    row: TransferRow,
    error: FspiopError,
    *,
    tell_payee: bool = True,
    payee_wants_notification: bool = False,
) -> None:
    """Abort the transfer: the payer gets the error; the payee, if told, the commit
    notification it asked for (PATCH, ABORTED), or else the error callback (PUT .../error),
    since a payee that did not answer RESERVED asked for no notification (6.7.2.6)."""
    if row.state == RESERVED:
        _release(session, context, row)
    row.state = ABORTED
    row.error_code = error.code
    row.error_description = error.description[:128]
    row.completed_at = context.clock.now()
    session.flush()
    path = transfer_path(row)
    context.sender.error(
        session, destination=row.payer_fsp, resource=RESOURCE, path=path, error=error
    )
    if tell_payee and payee_wants_notification:
        _notify_payee(context, session, row)
    elif tell_payee:
        context.sender.error(
            session, destination=row.payee_fsp, resource=RESOURCE, path=path, error=error
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
    """Abort every reserved transfer whose expiration has passed: error 3303 to both sides
    (the payee has not answered, so it asked for no commit notification)."""
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
