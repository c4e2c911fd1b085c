"""One export of a window by the name the CLI and the operator pages give it."""

from __future__ import annotations

from typing import Final

from comptoir.payments.settlement_exports.csv_export import to_csv, transfers_csv
from comptoir.payments.settlement_exports.pacs002 import to_pacs002
from comptoir.payments.settlement_exports.pacs008 import to_pacs008
from comptoir.payments.settlement_exports.report import SettlementWindowReport

KINDS: Final = ("csv", "transfers-csv", "pacs008", "pacs002")


def render(report: SettlementWindowReport, kind: str, currency: str | None = None) -> str:
    """The `kind` export of `report`; `currency` chooses the pacs.008 of a window that
    committed transfers in several. ExportError when the window cannot be written so (a
    pacs.008 of a currency it committed nothing in); ValueError for an unknown kind."""
    if kind == "csv":
        return to_csv(report)
    if kind == "transfers-csv":
        return transfers_csv(report)
    if kind == "pacs008":
        return to_pacs008(report, currency)
    if kind == "pacs002":
        return to_pacs002(report)
    raise ValueError(f"unknown report format {kind}")
