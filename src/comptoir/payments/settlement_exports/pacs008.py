"""The window's committed transfers as pacs.008.001.09 (FIToFICustomerCreditTransferV09).

One message per currency: the group header's TtlIntrBkSttlmAmt is a single
ActiveCurrencyAndAmount (at most one, one Ccy), so a message can only total one currency.
A message also needs at least one CdtTrfTxInf, so a currency without committed transfers has
no message. Aborted transfers moved no money and are never in a pacs.008; pacs.002 reports them.

Settlement: SttlmMtd CLRG ("settled through a clearing system") with ClrSys/Prtry set to the
switch's id. Of the schema's four methods it is the only one that fits: the hub nets
every participant's position and settles the window multilaterally, it does not move money
between the two agents' accounts (INDA, INGA) nor through a cover payment (COVE). The
interbank settlement date is the UTC date the window closed; an open window has none yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from xml.etree import ElementTree as ET

from comptoir.kernel.clock import utc_iso
from comptoir.kernel.money import Money, sum_money
from comptoir.payments.settlement_exports.fields import (
    fit,
    pacs008_message_id,
    parse_party,
    transfer_reference,
    uetr,
)
from comptoir.payments.settlement_exports.iso20022 import (
    MAX_FREE_TEXT,
    Builder,
    account,
    agent,
    amount,
    decimal_text,
    party,
)
from comptoir.payments.settlement_exports.report import (
    ExportError,
    SettlementWindowReport,
    WindowTransfer,
)

NAMESPACE: Final = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09"
MESSAGE_NAME: Final = "pacs.008.001.09"
SETTLEMENT_METHOD: Final = "CLRG"
# Charges follow the scheme's rules: Comptoir shows its fees as explicit amounts in the quote,
# which is what SLEV ("following the service level") says.
CHARGE_BEARER: Final = "SLEV"


def pacs008_messages(report: SettlementWindowReport) -> dict[str, str]:
    """One pacs.008 per currency with committed transfers, keyed by currency (sorted); empty
    when the window committed nothing."""
    return {currency: _message(report, currency) for currency in report.committed_currencies()}


def to_pacs008(report: SettlementWindowReport, currency: str | None = None) -> str:
    """The pacs.008 of the window's committed transfers in `currency`.

    Without `currency` the window must have committed transfers in exactly one currency (the
    usual case: one XCD window); otherwise ExportError names the currencies to choose from,
    and `pacs008_messages` gives them all.
    """
    currencies = report.committed_currencies()
    if currency is None:
        if not currencies:
            # The schema asks for at least one credit transfer (CdtTrfTxInf 1..n).
            raise ExportError(
                "The window has no committed transfer, and a pacs.008 needs at least one."
            )
        if len(currencies) != 1:
            raise ExportError(
                "A pacs.008 totals a single currency; this window has committed transfers in "
                f"{', '.join(currencies)}. Name the currency with --currency."
            )
        currency = currencies[0]
    elif currency not in currencies:
        raise ExportError(
            f"The window has no committed transfer in {currency}, and a pacs.008 needs one."
        )
    return _message(report, currency)


def _message(report: SettlementWindowReport, currency: str) -> str:
    transfers = report.committed_in(currency)
    total = sum_money((transfer.amount for transfer in transfers), currency)
    b = Builder(NAMESPACE)
    document = b.root("Document")
    message = b.sub(document, "FIToFICstmrCdtTrf")
    header = b.sub(message, "GrpHdr")
    b.sub(header, "MsgId", pacs008_message_id(report.window_id, currency))
    b.sub(header, "CreDtTm", utc_iso(report.messages_created_at))
    b.sub(header, "NbOfTxs", str(len(transfers)))
    # The same sum twice: CtrlSum is the control a receiver checks (and the pacs.002 quotes
    # back as OrgnlCtrlSum), TtlIntrBkSttlmAmt the amount to settle, with its currency.
    b.sub(header, "CtrlSum", decimal_text(total))
    amount(b, header, "TtlIntrBkSttlmAmt", total)
    if report.closed_at is not None:
        b.sub(header, "IntrBkSttlmDt", utc_date(report.closed_at))
    settlement = b.sub(header, "SttlmInf")
    b.sub(settlement, "SttlmMtd", SETTLEMENT_METHOD)
    b.sub(b.sub(settlement, "ClrSys"), "Prtry", report.switch_id)
    for transfer in transfers:
        _transaction(b, message, transfer, report)
    return b.serialise(document)


def _transaction(
    b: Builder, message: ET.Element, transfer: WindowTransfer, report: SettlementWindowReport
) -> None:
    element = b.sub(message, "CdtTrfTxInf")
    ids = b.sub(element, "PmtId")
    reference = transfer_reference(transfer.transfer_id, transfer.ulid)
    # The FSPIOP transfer id, as its DFSP wrote it, is the only id every party to the transfer
    # knows, so it serves as the instruction, end-to-end and transaction id alike.
    b.sub(ids, "InstrId", reference)
    b.sub(ids, "EndToEndId", reference)
    b.sub(ids, "TxId", reference)
    b.sub(ids, "UETR", uetr(transfer.transfer_id))
    amount(b, element, "IntrBkSttlmAmt", transfer.amount)
    b.sub(element, "AccptncDtTm", utc_iso(transfer.prepared_at))
    b.sub(element, "ChrgBr", CHARGE_BEARER)
    payer = parse_party(transfer.payer_party)
    payee = parse_party(transfer.payee_party)
    party(b, element, "Dbtr", transfer.payer_name, payer)
    account(b, element, "DbtrAcct", payer)
    agent(b, element, "DbtrAgt", transfer.payer_fsp, report)
    agent(b, element, "CdtrAgt", transfer.payee_fsp, report)
    party(b, element, "Cdtr", transfer.payee_name, payee)
    account(b, element, "CdtrAcct", payee)
    lines = remittance_lines(transfer)
    if lines:
        remittance = b.sub(element, "RmtInf")
        for line in lines:
            b.sub(remittance, "Ustrd", line)


def remittance_lines(transfer: WindowTransfer) -> list[str]:
    """The unstructured remittance lines (Max140Text each): "Refund of <id>" for a refund,
    then the payer's note, shortened to 140 characters."""
    lines = []
    if transfer.refund_of is not None:
        lines.append(f"Refund of {transfer.refund_of_wire_id}")
    note = fit(transfer.note, MAX_FREE_TEXT)
    if note is not None:
        lines.append(note)
    return lines


def utc_date(moment: datetime) -> str:
    """An ISODate: the UTC calendar date of an aware datetime."""
    return moment.astimezone(UTC).date().isoformat()


def committed_total(report: SettlementWindowReport, currency: str) -> Money:
    """What a currency's pacs.008 totals: the sum of its committed transfers."""
    return sum_money((t.amount for t in report.committed_in(currency)), currency)
