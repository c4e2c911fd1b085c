"""What every step of an FSPIOP transfer shares: its context, its states, and the documents
that tell a participant where a transfer stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, utc_iso
from comptoir.kernel.fspiop import FspiopError
from comptoir.payments.models import QuoteRow, TransactionRequestRow, TransferRow
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.switch.outbound import Sender

RESOURCE = "transfers"
RECEIVED, RESERVED, COMMITTED, ABORTED = "RECEIVED", "RESERVED", "COMMITTED", "ABORTED"
FINAL = (COMMITTED, ABORTED)


@dataclass
class TransferContext:
    """What the transfer use cases need, built once per node."""

    store: LedgerStore
    sender: Sender
    clock: Clock


# Built once, so that each call only binds the id: `Session.get(..., with_for_update=True)`
# builds, keys and looks up a new statement every time, which cost more than the read itself
# (a prepare and a fulfil each read their transfer this way).
_TRANSFER_FOR_UPDATE = (
    select(TransferRow).where(TransferRow.id == bindparam("transfer_id")).with_for_update()
)


def transfer_for_update(session: Session, transfer_id: uuid.UUID) -> TransferRow | None:
    """The transfer, locked until the transaction ends (FOR UPDATE on PostgreSQL), or None."""
    return session.scalars(_TRANSFER_FOR_UPDATE, {"transfer_id": transfer_id}).first()


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wire_id(row: TransferRow | QuoteRow | TransactionRequestRow) -> str:
    """The id as its DFSP wrote it: a ULID as sent, else the UUID's text."""
    return row.ulid or str(row.id)


def transfer_path(transfer: TransferRow) -> str:
    return f"/transfers/{wire_id(transfer)}"


def final_state_document(row: TransferRow) -> dict[str, str]:
    """The body of PUT /transfers/{ID} for the transfer's state: the fulfilment once committed,
    and when it ended once it has."""
    document = {"transferState": row.state}
    if row.state == COMMITTED:
        document["fulfilment"] = row.fulfilment or ""
    if row.state in FINAL and row.completed_at is not None:
        document["completedTimestamp"] = utc_iso(row.completed_at)
    return document


def error_of(row: TransferRow) -> FspiopError:
    """The error a transfer was refused with, word for word, for a resend."""
    return FspiopError.from_error_information(
        row.error_code or "2001", row.error_description or "Internal server error"
    )
