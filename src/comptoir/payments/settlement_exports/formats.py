"""One export of a window by the name the CLI and the operator pages give it."""

from __future__ import annotations

from typing import Final

from comptoir.payments.settlement_exports.csv_export import to_csv, transfers_csv
from comptoir.payments.settlement_exports.pacs002 import to_pacs002
from comptoir.payments.settlement_exports.pacs008 import to_pacs008
from comptoir.payments.settlement_exports.report import ExportError, SettlementWindowReport

KINDS: Final = ("csv", "transfers-csv", "pacs008", "pacs002")
# The ISO 20022 messages of a window are written once it is closed: a pacs.008's MsgId names
# the window, and a receiver drops a second message under the same MsgId as a duplicate, so a
# copy made while transfers still arrive would hide the final one.
FINAL_ONLY: Final = ("pacs008", "pacs002")
OPEN_STATE: Final = "OPEN"


def render(report: SettlementWindowReport, kind: str, currency: str | None = None) -> str:
    """The `kind` export of `report`; `currency` chooses the pacs.008 of a window that
    committed transfers in several. ExportError when the window cannot be written so (an
    ISO 20022 message of a window still open, a pacs.008 of a currency it committed nothing
    in); ValueError for an unknown kind."""
    if kind in FINAL_ONLY and report.state == OPEN_STATE:
        raise ExportError(
            "The window is still open, so its transfers may still change. Close it first "
            "(comptoir switch window close): its ISO 20022 messages are written once, under one "
            "message id."
        )
    if kind == "csv":
        return to_csv(report)
    if kind == "transfers-csv":
        return transfers_csv(report)
    if kind == "pacs008":
        return to_pacs008(report, currency)
    if kind == "pacs002":
        return to_pacs002(report)
    raise ValueError(f"unknown report format {kind}")
