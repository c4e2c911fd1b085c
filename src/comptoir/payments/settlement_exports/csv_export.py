"""The window as CSV: one file of net positions, one of transfers.

Both are RFC 4180 CSV (comma separated, CRLF line ends, quotes only where needed) with a
header row. Amounts are fixed decimals with exactly the currency's minor digits ("12.50",
"-3.00", "1200" for JPY), the currency in its own column, never a float. Times are ISO 8601 in
UTC with milliseconds and a Z ("2026-01-01T12:00:00.000Z"); an unknown value is an empty cell.

Free-text cells (names, party ids, notes) that a spreadsheet would run as a formula (starting
with =, +, -, @, tab or carriage return) get a leading apostrophe, as OWASP advises against CSV
injection; ids and amounts are written as they are, so "-3.00" stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from comptoir.kernel.clock import utc_iso
from comptoir.payments.settlement_exports.fields import clean_text
from comptoir.payments.settlement_exports.report import SettlementWindowReport

POSITION_COLUMNS: Final = ("window_id", "currency", "fsp_id", "fsp_name", "sent", "received", "net")
"""Columns of `to_csv`: one row per participant and currency, sorted by currency then FSP id.
sent and received are what the participant paid out and took in; net = received - sent, so a
positive net is owed to the participant and a negative one is owed by it. Per currency the
nets sum to zero."""

TRANSFER_COLUMNS: Final = (
    "window_id",
    "transfer_id",
    "state",
    "currency",
    "amount",
    "payer_fsp",
    "payee_fsp",
    "payer_party",
    "payee_party",
    "payer_name",
    "payee_name",
    "prepared_at",
    "completed_at",
    "refund_of",
    "fspiop_error_code",
    "note",
)
"""Columns of `transfers_csv`: one row per transfer, committed and aborted, in the order they
were prepared. Ids are as the DFSP wrote them: a ULID when it sent one, else the canonical
UUID; state is COMMITTED or ABORTED; parties are FSPIOP
"TYPE:IDENTIFIER"; refund_of is the refunded transfer's id; fspiop_error_code is why an
aborted transfer was aborted, when known."""

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    if value is None:
        return ""
    cleaned = clean_text(value)
    return "'" + cleaned if cleaned.startswith(_FORMULA_STARTS) else cleaned


def _time(moment: datetime | None) -> str:
    return "" if moment is None else utc_iso(moment)


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv(report: SettlementWindowReport) -> str:
    """The window's net positions as CSV (columns: `POSITION_COLUMNS`)."""
    window = str(report.window_id)
    positions = sorted(report.positions, key=lambda p: (p.currency, p.fsp_id))
    return _write(
        POSITION_COLUMNS,
        (
            (
                window,
                position.currency,
                position.fsp_id,
                _text(report.participant_names.get(position.fsp_id)),
                position.sent.to_fixed(),
                position.received.to_fixed(),
                position.net.to_fixed(),
            )
            for position in positions
        ),
    )


def transfers_csv(report: SettlementWindowReport) -> str:
    """The window's transfers as CSV (columns: `TRANSFER_COLUMNS`)."""
    window = str(report.window_id)
    return _write(
        TRANSFER_COLUMNS,
        (
            (
                window,
                transfer.wire_id,
                transfer.state,
                transfer.amount.currency,
                transfer.amount.to_fixed(),
                transfer.payer_fsp,
                transfer.payee_fsp,
                _text(transfer.payer_party),
                _text(transfer.payee_party),
                _text(transfer.payer_name),
                _text(transfer.payee_name),
                _time(transfer.prepared_at),
                _time(transfer.completed_at),
                transfer.refund_of_wire_id or "",
                transfer.fspiop_error_code or "",
                _text(transfer.note),
            )
            for transfer in report.transfers
        ),
    )
