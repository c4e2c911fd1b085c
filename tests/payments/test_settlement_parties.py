"""A closed window's exports name who paid whom: the parties, their names and the payer's note,
as the FSPIOP transaction in each transfer's ILP packet gives them, through a real switch."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from comptoir.kernel.ids import new_id
from tests.payments import test_settlement_exports as exports
from tests.payments import test_switch_e2e as e2e
from tests.payments.fspiop_peer import Peer
from tests.payments.test_switch_e2e import Node

pytestmark = pytest.mark.slow
node = e2e.node
payer = e2e.payer
payee = e2e.payee
schemas = exports.schemas
__all__ = ["node", "payee", "payer", "schemas"]  # the fixtures this module uses

PACS008 = "{urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09}"


def _paid(payer: Peer, payee: Peer, transaction: dict[str, object]) -> str:
    document, fulfilment = payer.prepare(payee, "4.25", transaction=transaction)
    assert payer.send("POST", "/transfers", resource="transfers", document=document).is_success
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    payee.send(
        "PUT",
        path,
        resource="transfers",
        destination=payer.fsp_id,
        document={"fulfilment": fulfilment, "transferState": "COMMITTED"},
    )
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"
    return str(document["transferId"])


def test_the_exports_of_a_window_name_the_payer_the_payee_and_the_note(
    node: Node, payer: Peer, payee: Peer, schemas: dict[str, etree.XMLSchema]
) -> None:
    transaction = {
        "transactionId": str(new_id()),
        "quoteId": str(new_id()),
        "payer": {
            "partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550101"},
            "personalInfo": {"complexName": {"firstName": "Kwame", "lastName": "Charles"}},
        },
        "payee": {
            "partyIdInfo": {
                "partyIdType": "BUSINESS",
                "partyIdentifier": "spices",
                "partySubIdOrType": "till-2",
            },
            "name": "Soufrière Spice Co",
        },
        "amount": {"currency": "XCD", "amount": "4.25"},
        "transactionType": {
            "scenario": "TRANSFER",
            "initiator": "PAYER",
            "initiatorType": "CONSUMER",
        },
        "note": "Nutmeg & mace",
    }
    transfer_id = _paid(payer, payee, transaction)
    window = node.comptoir("switch", "window", "close").stdout.split()[-1]

    listed = node.comptoir("switch", "report", window, "--format", "transfers-csv")
    rows = {row["transfer_id"]: row for row in csv.DictReader(io.StringIO(listed.stdout))}
    row = rows[transfer_id]
    assert (row["payer_party"], row["payer_name"]) == ("MSISDN:17585550101", "Kwame Charles")
    assert (row["payee_party"], row["payee_name"]) == (
        "BUSINESS:spices:till-2",
        "Soufrière Spice Co",
    )
    assert row["note"] == "Nutmeg & mace"

    xml = node.comptoir("switch", "report", window, "--format", "pacs008")
    exports.valid(schemas, xml.stdout)
    document = ET.fromstring(xml.stdout)
    (sent,) = [
        element
        for element in document.iter(f"{PACS008}CdtTrfTxInf")
        # Max35Text holds the UUID's 32 hex digits, not its 36-character form.
        if element.findtext(f"{PACS008}PmtId/{PACS008}TxId") == transfer_id.replace("-", "")
    ]
    assert sent.findtext(f"{PACS008}Dbtr/{PACS008}Nm") == "Kwame Charles"
    assert sent.findtext(f"{PACS008}Cdtr/{PACS008}Nm") == "Soufrière Spice Co"
    everything = ET.tostring(sent, encoding="unicode")
    assert "17585550101" in everything and "spices" in everything
    assert "Nutmeg &amp; mace" in everything


def test_a_transfer_whose_packet_names_nobody_is_exported_without_parties(
    node: Node, payer: Peer, payee: Peer, schemas: dict[str, etree.XMLSchema]
) -> None:
    transfer_id = _paid(payer, payee, {"transactionId": str(new_id()), "payer": "not an object"})
    window = node.comptoir("switch", "window", "close").stdout.split()[-1]
    listed = node.comptoir("switch", "report", window, "--format", "transfers-csv")
    row = {row["transfer_id"]: row for row in csv.DictReader(io.StringIO(listed.stdout))}[
        transfer_id
    ]
    assert (row["payer_party"], row["payer_name"], row["payee_party"], row["note"]) == (
        "",
        "",
        "",
        "",
    )
    xml = node.comptoir("switch", "report", window, "--format", "pacs008")
    exports.valid(schemas, xml.stdout)


PACS002 = "{urn:iso:std:iso:20022:tech:xsd:pacs.002.001.11}"


def test_a_closed_windows_messages_are_the_same_bytes_at_every_export_settled_or_not(
    node: Node, payer: Peer, payee: Peer, schemas: dict[str, etree.XMLSchema]
) -> None:
    _paid(payer, payee, {"transactionId": str(new_id())})
    window = node.comptoir("switch", "window", "close").stdout.split()[-1]

    def exported() -> tuple[str, str]:
        return tuple(  # type: ignore[return-value]
            node.comptoir("switch", "report", window, "--format", kind).stdout
            for kind in ("pacs008", "pacs002")
        )

    first = exported()
    assert exported() == first
    node.comptoir("switch", "window", "settle", window)
    assert exported() == first
    pacs008, pacs002 = (ET.fromstring(xml) for xml in first)
    created = pacs008.findtext(f"{PACS008}FIToFICstmrCdtTrf/{PACS008}GrpHdr/{PACS008}CreDtTm")
    assert created
    group = f"{PACS002}FIToFIPmtStsRpt/{PACS002}OrgnlGrpInfAndSts"
    assert pacs002.findtext(f"{group}/{PACS002}OrgnlCreDtTm") == created
    assert pacs002.findtext(f"{PACS002}FIToFIPmtStsRpt/{PACS002}GrpHdr/{PACS002}CreDtTm") == created
    for xml in first:
        exports.valid(schemas, xml)
