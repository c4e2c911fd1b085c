"""FSPIOP transfers through the switch: prepare, fulfil, abort, expire, and state queries.

Prepare reserves the amount in the payer's position (a pending ledger transfer, refused past
the net debit cap) and forwards the request to the payee. The payee's fulfilment commits it,
but only if SHA-256(fulfilment) is the condition and the transfer has not expired; then both
sides hear of it. Everything a step changes (ledger, transfer state, outgoing messages) is one
database transaction, and no lock is ever held across an HTTP call: messages leave through
the outbox after the commit.

The prepare is in `transfer_prepare`, its outcome (fulfil, abort, expire) in `transfer_outcome`,
and what they share in `transfer_context`; this module gathers them and answers state queries.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from comptoir.kernel.fspiop import FspiopError
from comptoir.payments.models import TransferRow
from comptoir.payments.services.transfer_context import (
    RESOURCE,
    TransferContext,
    final_state_document,
)
from comptoir.payments.services.transfer_outcome import expire_due, fulfil, payee_error
from comptoir.payments.services.transfer_prepare import prepare
from comptoir.payments.switch.intake import Inbound

__all__ = [
    "TransferContext",
    "expire_due",
    "fulfil",
    "get_state",
    "payee_error",
    "prepare",
]


def get_state(
    session: Session, context: TransferContext, inbound: Inbound, transfer_id: uuid.UUID
) -> None:
    """GET /transfers/{ID}: the current state goes back as PUT /transfers/{ID}, whichever of
    RECEIVED, RESERVED, COMMITTED or ABORTED it is (an aborted transfer exists, so it is
    answered like any other; the error callback is for an id the asker has no transfer under).
    The reason of an abort went to both DFSPs when it happened, and goes again to a resend."""
    row = session.get(TransferRow, transfer_id)
    # The id as the asker wrote it: a ULID is answered as a ULID.
    path = inbound.path
    if row is None or inbound.source.id not in (row.payer_fsp, row.payee_fsp):
        context.sender.error(
            session,
            destination=inbound.source.id,
            resource=RESOURCE,
            path=path,
            error=FspiopError("3208", f"no transfer has the id {transfer_id}"),
        )
        return
    context.sender.originate(
        session,
        destination=inbound.source.id,
        resource=RESOURCE,
        method="PUT",
        path=path,
        document=final_state_document(row),
    )
