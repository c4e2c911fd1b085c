"""Exports of a settlement window: CSV, and ISO 20022 pacs.008.001.09 and pacs.002.001.11.

Pure functions from a `SettlementWindowReport` (plain frozen values) to text; no database, no
clock. The same report always gives the same text, message ids included, so an export can be
made again and a receiver can recognise it.

- `to_csv(report)`: net positions, one row per participant and currency (`POSITION_COLUMNS`).
- `transfers_csv(report)`: every transfer, committed and aborted (`TRANSFER_COLUMNS`).
- `to_pacs008(report, currency=None)` / `pacs008_messages(report)`: the committed transfers,
  one FIToFICstmrCdtTrf per currency, since its group total holds a single currency.
- `to_pacs002(report)`: one FIToFIPmtStsRpt with every transfer's status (ACSC or RJCT).
- `render(report, kind, currency=None)`: one of them by name (`KINDS`).
- `with_ulids(report, ulids)`: the report with the ULIDs its transfers came as, so that every
  export names a transfer by the id its DFSP used (`WindowTransfer.wire_id`).

Choices made to fit the schemas (each module says why):

- Ids: a transfer sent with a ULID is named by it (26 characters) in InstrId, EndToEndId and
  TxId; Max35Text cannot hold a 36-character UUID, so other ids are the 32 hex digits
  (`uuid.hex`, `transfer_reference`); MsgIds are the window's hex digits plus the currency
  (pacs.008) or "-ST" (pacs.002).
- UETR: the schema's UUIDv4Identifier pattern refuses UUIDv7 ids and every ULID, so the UETR
  is the transfer's 128 bits with the version nibble set to 4 (`uetr`), one-to-one with a
  UUIDv4 or UUIDv7 id; a ULID is never put there, EndToEndId carries it.
- Participants are agents identified by FSP id as members (ClrSysMmbId) of the switch's
  proprietary clearing system; settlement method CLRG.
- Text is cleaned of characters XML cannot carry and shortened to the field's maximum with
  "…"; identifiers are never shortened.
"""

from comptoir.payments.settlement_exports.csv_export import (
    POSITION_COLUMNS,
    TRANSFER_COLUMNS,
    to_csv,
    transfers_csv,
)
from comptoir.payments.settlement_exports.fields import (
    compact_id,
    pacs002_message_id,
    pacs008_message_id,
    transfer_reference,
    uetr,
)
from comptoir.payments.settlement_exports.formats import FINAL_ONLY, KINDS, render
from comptoir.payments.settlement_exports.pacs002 import status_reason, to_pacs002
from comptoir.payments.settlement_exports.pacs008 import pacs008_messages, to_pacs008
from comptoir.payments.settlement_exports.report import (
    ExportError,
    NetPosition,
    SettlementWindowReport,
    TransferState,
    WindowTransfer,
    net_positions,
    with_ulids,
)

__all__ = [
    "FINAL_ONLY",
    "KINDS",
    "POSITION_COLUMNS",
    "TRANSFER_COLUMNS",
    "ExportError",
    "NetPosition",
    "SettlementWindowReport",
    "TransferState",
    "WindowTransfer",
    "compact_id",
    "net_positions",
    "pacs002_message_id",
    "pacs008_message_id",
    "pacs008_messages",
    "render",
    "status_reason",
    "to_csv",
    "to_pacs002",
    "to_pacs008",
    "transfer_reference",
    "transfers_csv",
    "uetr",
    "with_ulids",
]
