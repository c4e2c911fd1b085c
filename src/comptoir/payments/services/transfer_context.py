"""What every step of an FSPIOP transfer shares: its context, its states, and the documents
that tell a participant where a transfer stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wire_id(row: TransferRow | QuoteRow | TransactionRequestRow) -> str:
    """The id as its DFSP wrote it: a ULID as sent, else the UUID's text."""
    return row.ulid or str(row.id)


def transfer_path(transfer: TransferRow) -> str:
    return f"/transfers/{wire_id(transfer)}"


def final_state_document(row: TransferRow) -> dict[str, str]:
    document = {"transferState": row.state}
    if row.state == COMMITTED:
        document["fulfilment"] = row.fulfilment or ""
        if row.completed_at is not None:
            document["completedTimestamp"] = utc_iso(row.completed_at)
    return document


def error_of(row: TransferRow) -> FspiopError:
    """The error a transfer was refused with, word for word, for a resend."""
    return FspiopError.from_error_information(
        row.error_code or "2001", row.error_description or "Internal server error"
    )
