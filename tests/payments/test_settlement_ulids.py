"""Settlement exports name a transfer sent with a ULID by that ULID (FSPIOP v2.0's
CorrelationId allows a ULID or a UUID), in every format, and stay valid against the XSDs.

Where a ULID goes in ISO 20022: InstrId, EndToEndId and TxId are Max35Text (minLength 1,
maxLength 35), which holds a ULID's 26 characters as the DFSP wrote them. UETR is a
UUIDv4Identifier, whose pattern ([a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-
[a-f0-9]{12}) no ULID matches, so it stays a UUIDv4-shaped form of the same 128 bits.
"""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from lxml import etree

from comptoir.kernel.fspiop import correlation_uuid, ulid_text
from comptoir.kernel.ids import new_id
from comptoir.payments.settlement_exports import (
    ExportError,
    SettlementWindowReport,
    to_pacs002,
    to_pacs008,
    transfers_csv,
    uetr,
    with_ulids,
)
from tests.payments import test_settlement_exports as base
from tests.payments.test_settlement_exports import UUID4_PATTERN, find, report, texts, transfer

schemas = base.schemas


def _ulid() -> str:
    return ulid_text(new_id())


@pytest.fixture
def mixed() -> SettlementWindowReport:
    """A ULID transfer, a UUID one, a refund of the ULID one sent with a ULID, and an
    aborted ULID transfer."""
    first = _ulid()
    refund = _ulid()
    aborted = _ulid()
    return report(
        [
            transfer(transfer_id=correlation_uuid(first), ulid=first, minutes=1),
            transfer(minutes=2),
            transfer(
                "wallet-b",
                "bank-a",
                "2.50",
                minutes=3,
                transfer_id=correlation_uuid(refund),
                ulid=refund,
                refund_of=correlation_uuid(first),
                refund_of_ulid=first,
            ),
            transfer(
                state="ABORTED",
                minutes=4,
                transfer_id=correlation_uuid(aborted),
                ulid=aborted,
                fspiop_error_code="3303",
            ),
        ]
    )


def test_the_pacs008_names_a_ulid_transfer_by_its_ulid_and_stays_valid(
    schemas: dict[str, etree.XMLSchema], mixed: SettlementWindowReport
) -> None:
    document = base.valid(schemas, to_pacs008(mixed))
    first, plain, refund = find(document, "//p:CdtTrfTxInf")
    for element, sent in ((first, mixed.transfers[0]), (refund, mixed.transfers[2])):
        assert sent.ulid is not None
        for tag in ("InstrId", "EndToEndId", "TxId"):
            assert texts(element, f"p:PmtId/p:{tag}") == [sent.ulid]
        (tracking,) = texts(element, "p:PmtId/p:UETR")
        assert UUID4_PATTERN.fullmatch(tracking)
        assert tracking == uetr(sent.transfer_id)
    assert texts(plain, "p:PmtId/p:EndToEndId") == [mixed.transfers[1].transfer_id.hex]
    assert texts(refund, "p:RmtInf/p:Ustrd") == [f"Refund of {mixed.transfers[0].ulid}"]


def test_the_pacs002_echoes_the_ulids_of_committed_and_aborted_transfers(
    schemas: dict[str, etree.XMLSchema], mixed: SettlementWindowReport
) -> None:
    status = base.valid(schemas, to_pacs002(mixed))
    expected = [t.ulid or t.transfer_id.hex for t in mixed.transfers]
    for tag in ("OrgnlInstrId", "OrgnlEndToEndId", "OrgnlTxId"):
        assert texts(status, f"//p:TxInfAndSts/p:{tag}") == expected
    (rejected,) = find(status, "//p:TxInfAndSts[p:TxSts='RJCT']")
    assert texts(rejected, "p:OrgnlTxId") == [mixed.transfers[3].ulid]
    assert texts(rejected, "p:StsRsnInf/p:Rsn/p:Cd") == ["AB05"]


def test_the_transfers_csv_names_transfers_and_refunded_ones_as_sent(
    mixed: SettlementWindowReport,
) -> None:
    rows = list(csv.DictReader(io.StringIO(transfers_csv(mixed), newline="")))
    assert [row["transfer_id"] for row in rows] == [
        t.ulid or str(t.transfer_id) for t in mixed.transfers
    ]
    assert rows[2]["refund_of"] == mixed.transfers[0].ulid


def test_a_refund_of_a_uuid_transfer_names_it_by_its_uuid() -> None:
    original = new_id()
    window = report([transfer(refund_of=original, ulid=None)])
    (row,) = csv.DictReader(io.StringIO(transfers_csv(window), newline=""))
    assert row["refund_of"] == str(original)


def test_the_ulids_a_report_is_given_name_its_transfers_and_refunded_ones() -> None:
    first, second = _ulid(), _ulid()
    bare = report(
        [
            transfer(transfer_id=correlation_uuid(first)),
            transfer(transfer_id=correlation_uuid(second), refund_of=correlation_uuid(first)),
            transfer(),
        ]
    )
    named = with_ulids(bare, {correlation_uuid(first): first, correlation_uuid(second): second})
    assert [t.wire_id for t in named.transfers] == [
        first,
        second,
        str(bare.transfers[2].transfer_id),
    ]
    assert named.transfers[1].refund_of_wire_id == first
    assert named.transfers[2].refund_of_wire_id is None
    assert with_ulids(bare, {}) == bare


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(lambda ulid: _ulid(), id="another ULID's bits"),
        pytest.param(lambda ulid: ulid.lower(), id="lowercase, which the schema refuses"),
        pytest.param(lambda ulid: ulid + "0", id="27 characters"),
        pytest.param(lambda ulid: str(correlation_uuid(ulid)), id="the UUID text"),
    ],
)
def test_a_ulid_that_does_not_name_the_transfer_is_refused(wrong: object) -> None:
    ulid = _ulid()
    key = correlation_uuid(ulid)
    with pytest.raises(ExportError, match="is not the ULID of"):
        transfer(transfer_id=key, ulid=wrong(ulid))  # type: ignore[operator]
    with pytest.raises(ExportError, match="is not the ULID of"):
        transfer(refund_of=key, refund_of_ulid=wrong(ulid))  # type: ignore[operator]
    with pytest.raises(ExportError, match="no refund_of"):
        transfer(refund_of_ulid=ulid)


def test_the_uetrs_of_distinct_ulids_are_distinct_and_fit_the_pattern() -> None:
    ids = [correlation_uuid(_ulid()) for _ in range(1000)]
    tracking = {uetr(key) for key in ids}
    assert len(tracking) == 1000
    assert all(UUID4_PATTERN.fullmatch(value) for value in tracking)


def test_a_uuid4_transfer_keeps_its_own_id_as_its_uetr() -> None:
    key = uuid.uuid4()
    assert uetr(key) == str(key)
