"""The status of every transfer in the window as pacs.002.001.11 (FIToFIPaymentStatusReportV11).

One message for the whole window, whatever its currencies: the report's original-group
blocks repeat, one per pacs.008 (per currency), each naming that pacs.008's MsgId, count and
control sum, with group status ACSC and the count per status.

Every message of a window is created, as far as its CreDtTm says, when the window closed
and its content was fixed: an export made again is the same message, so the pacs.002 names
the pacs.008's creation time (OrgnlCreDtTm) as the receiver's copy bears it.

Each transfer gets a TxInfAndSts with its original ids (the pacs.008's InstrId, EndToEndId,
TxId and UETR), its status and, in OrgnlTxRef, its amount and the two agents, so an aborted
transfer, which no pacs.008 carries, is still identified in full.

- COMMITTED -> ACSC ("settlement completed"; the external code list's usage note names
  exactly this case, a market infrastructure reporting to its participants). A commit is
  final: the window's later net settlement does not change a transfer's status. Its
  FctvIntrBkSttlmDt is the commit time, when the transfer was completed and cleared.
- ABORTED -> RJCT with a StsRsnInf. The schema does not require a reason, but a rejection
  without one helps nobody; `status_reason` maps the FSPIOP error to the external code list
  ExternalStatusReason1Code, and AddtlInf keeps the FSPIOP code itself.
"""

from __future__ import annotations

from typing import Final
from xml.etree import ElementTree as ET

from comptoir.kernel.clock import utc_iso
from comptoir.payments.settlement_exports.fields import (
    pacs002_message_id,
    pacs008_message_id,
    transfer_reference,
    uetr,
)
from comptoir.payments.settlement_exports.iso20022 import Builder, agent, amount, decimal_text
from comptoir.payments.settlement_exports.pacs008 import MESSAGE_NAME as PACS008_NAME
from comptoir.payments.settlement_exports.pacs008 import committed_total
from comptoir.payments.settlement_exports.report import SettlementWindowReport, WindowTransfer

NAMESPACE: Final = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.11"
MESSAGE_NAME: Final = "pacs.002.001.11"
ACCEPTED: Final = "ACSC"
REJECTED: Final = "RJCT"

# FSPIOP error code (API Definition section 7.6) -> ExternalStatusReason1Code. Exact codes
# first, then the code's two-digit category, then its first digit; see `status_reason`.
_REASON_BY_CODE: Final = {
    "1001": "AB08",  # destination communication error: creditor agent not online
    "2004": "AB01",  # server timed out: clearing process aborted due to timeout
    "3202": "RC09",  # payer FSP not found: debtor clearing system member id invalid
    "3203": "RC10",  # payee FSP not found: creditor clearing system member id invalid
    "3204": "BE23",  # party not found: account proxy unknown
    "4001": "AM04",  # payer FSP insufficient liquidity (its net debit cap): insufficient funds
    "4200": "AM14",  # payer limit: amount exceeds limits agreed between bank and client
}
_REASON_BY_CATEGORY: Final = {
    "33": "AB05",  # expired (3303 transfer expired): stopped by timeout at the creditor agent
}
_REASON_BY_CLASS: Final = {
    "1": "AB07",  # communication error: agent not online
    "2": "AB02",  # switch error: clearing process aborted due to a fatal error
    "4": "AG07",  # payer error: debtor account cannot be debited for a generic reason
    "5": "AB09",  # payee error: transaction stopped due to error at the creditor agent
}
UNSPECIFIED_REASON: Final = "MS03"  # no FSPIOP code known: reason not specified by agent
NARRATIVE_REASON: Final = "NARR"  # any other code: the reason is in AddtlInf


def status_reason(fspiop_error_code: str | None) -> str:
    """The ISO 20022 status reason for a transfer the FSPIOP error aborted.

    4001 (payer FSP over its net debit cap) is AM04, 4200 is AM14, 3303 and every other
    expiry (33xx) is AB05, 3202/3203/3204 (unknown payer FSP, payee FSP, party) are RC09,
    RC10, BE23, 1001 is AB08, 2004 is AB01; otherwise communication (1xxx) AB07, server
    (2xxx) AB02, payer (4xxx) AG07, payee (5xxx) AB09; other client errors (3xxx) NARR, with
    the FSPIOP code as the narrative; no code at all MS03.
    """
    if fspiop_error_code is None:
        return UNSPECIFIED_REASON
    return (
        _REASON_BY_CODE.get(fspiop_error_code)
        or _REASON_BY_CATEGORY.get(fspiop_error_code[:2])
        or _REASON_BY_CLASS.get(fspiop_error_code[:1])
        or NARRATIVE_REASON
    )


def to_pacs002(report: SettlementWindowReport) -> str:
    """The pacs.002 status report of every transfer in the window, committed or aborted."""
    b = Builder(NAMESPACE)
    document = b.root("Document")
    message = b.sub(document, "FIToFIPmtStsRpt")
    header = b.sub(message, "GrpHdr")
    b.sub(header, "MsgId", pacs002_message_id(report.window_id))
    b.sub(header, "CreDtTm", utc_iso(report.messages_created_at))
    for currency in report.committed_currencies():
        _original_group(b, message, report, currency)
    for transfer in report.transfers:
        _transaction(b, message, transfer, report)
    return b.serialise(document)


def _original_group(
    b: Builder, message: ET.Element, report: SettlementWindowReport, currency: str
) -> None:
    count = str(len(report.committed_in(currency)))
    total = decimal_text(committed_total(report, currency))
    group = b.sub(message, "OrgnlGrpInfAndSts")
    b.sub(group, "OrgnlMsgId", pacs008_message_id(report.window_id, currency))
    b.sub(group, "OrgnlMsgNmId", PACS008_NAME)
    b.sub(group, "OrgnlCreDtTm", utc_iso(report.messages_created_at))
    b.sub(group, "OrgnlNbOfTxs", count)
    b.sub(group, "OrgnlCtrlSum", total)
    b.sub(group, "GrpSts", ACCEPTED)
    per_status = b.sub(group, "NbOfTxsPerSts")
    b.sub(per_status, "DtldNbOfTxs", count)
    b.sub(per_status, "DtldSts", ACCEPTED)
    b.sub(per_status, "DtldCtrlSum", total)


def _transaction(
    b: Builder,
    message: ET.Element,
    transfer: WindowTransfer,
    report: SettlementWindowReport,
) -> None:
    element = b.sub(message, "TxInfAndSts")
    if transfer.committed:
        # Only committed transfers are in a pacs.008 to refer to.
        original = b.sub(element, "OrgnlGrpInf")
        currency = transfer.amount.currency
        b.sub(original, "OrgnlMsgId", pacs008_message_id(report.window_id, currency))
        b.sub(original, "OrgnlMsgNmId", PACS008_NAME)
    reference = transfer_reference(transfer.transfer_id, transfer.ulid)
    b.sub(element, "OrgnlInstrId", reference)
    b.sub(element, "OrgnlEndToEndId", reference)
    b.sub(element, "OrgnlTxId", reference)
    b.sub(element, "OrgnlUETR", uetr(transfer.transfer_id))
    if transfer.committed:
        b.sub(element, "TxSts", ACCEPTED)
        if transfer.completed_at is not None:
            b.sub(b.sub(element, "FctvIntrBkSttlmDt"), "DtTm", utc_iso(transfer.completed_at))
    else:
        b.sub(element, "TxSts", REJECTED)
        reason = b.sub(element, "StsRsnInf")
        b.sub(b.sub(reason, "Rsn"), "Cd", status_reason(transfer.fspiop_error_code))
        if transfer.fspiop_error_code is not None:
            b.sub(reason, "AddtlInf", f"FSPIOP error {transfer.fspiop_error_code}")
    original_transaction = b.sub(element, "OrgnlTxRef")
    amount(b, original_transaction, "IntrBkSttlmAmt", transfer.amount)
    agent(b, original_transaction, "DbtrAgt", transfer.payer_fsp, report)
    agent(b, original_transaction, "CdtrAgt", transfer.payee_fsp, report)
