"""Settlement exports under what an independent checker would try: reports made at different
times, text at and past the schemas' maximum lengths, XML's special characters and letters
beyond ASCII, minor units of zero to four digits, many transfers, refunds and aborted
transfers, times in other zones. Every message is checked against the official XSDs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from comptoir.kernel.ids import new_id
from comptoir.payments.settlement_exports import (
    SettlementWindowReport,
    to_pacs002,
    to_pacs008,
    transfers_csv,
)
from tests.payments import test_settlement_exports as base
from tests.payments.test_settlement_exports import find, report, texts, transfer

schemas = base.schemas
valid = base.valid


def test_a_pacs002_made_later_names_the_creation_time_the_pacs008_bears() -> None:
    # Each download is a new report, made at its own time, of a window closed once: both
    # messages say they were created at the close, so any two exports agree.
    window = report([transfer(), transfer(state="ABORTED")])
    later = replace(window, generated_at=window.generated_at + timedelta(hours=3))
    (made,) = texts(base.parse(to_pacs008(window)), "//p:GrpHdr/p:CreDtTm")
    assert to_pacs008(later) == to_pacs008(window)
    status = base.parse(to_pacs002(later))
    assert texts(status, "//p:OrgnlCreDtTm") == [made]
    assert texts(status, "//p:GrpHdr/p:CreDtTm") == [made]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("é" * 140, "é" * 140),
        ("ñ" * 141, "ñ" * 139 + "…"),
        ("<&>" * 47, ("<&>" * 47)[:139] + "…"),
        ("😀" * 141, "😀" * 139 + "…"),  # characters, not UTF-8 bytes or UTF-16 units
    ],
)
def test_names_at_and_past_max140text_keep_their_letters_and_fit(
    schemas: dict[str, etree.XMLSchema], name: str, shown: str
) -> None:
    window = report([transfer(payer_name=name, payee_name=name, note=name)])
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:Dbtr/p:Nm") == [shown]
    assert texts(document, "//p:Cdtr/p:Nm") == [shown]
    assert texts(document, "//p:RmtInf/p:Ustrd") == [shown]
    (row,) = csv.DictReader(io.StringIO(transfers_csv(window), newline=""))
    assert row["payer_name"] == name  # the CSV has no maximum: nothing is cut


def test_party_ids_at_the_max35text_and_max34text_limits(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    window = report(
        [
            transfer(payer_party="MSISDN:" + "1" * 34, payee_party="ALIAS:" + "ñ" * 35),
            transfer(payer_party="MSISDN:" + "1" * 35, payee_party="ALIAS:" + "ñ" * 36),
        ]
    )
    document = valid(schemas, to_pacs008(window))
    first, second = find(document, "//p:CdtTrfTxInf")
    assert texts(first, "p:DbtrAcct/p:Id/p:Othr/p:Id") == ["1" * 34]
    assert texts(first, "p:Cdtr/p:Id/p:PrvtId/p:Othr/p:Id") == ["ñ" * 35]
    # One past: the account id is a digest, the whole id stays in the proxy; a party id that
    # Max35Text cannot hold is left out of the identification rather than cut.
    assert texts(second, "p:DbtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry") == ["MSISDN-SHA256"]
    assert texts(second, "p:DbtrAcct/p:Prxy/p:Id") == ["1" * 35]
    assert find(second, "p:Cdtr/p:Id") == []
    assert texts(second, "p:CdtrAcct/p:Prxy/p:Id") == ["ñ" * 36]


@pytest.mark.parametrize(
    ("currency", "amounts", "total"),
    [
        ("XCD", ["0.01", "12.50", "1000000.00"], "1000012.51"),
        ("JPY", ["1", "1200", "99999"], "101200"),
        ("BHD", ["0.001", "1.250"], "1.251"),
        ("CLF", ["0.0001", "2.5000"], "2.5001"),
    ],
)
def test_amounts_carry_exactly_the_currencys_minor_digits(
    schemas: dict[str, etree.XMLSchema], currency: str, amounts: list[str], total: str
) -> None:
    window = report([transfer(amount=a, currency=currency) for a in amounts])
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:CdtTrfTxInf/p:IntrBkSttlmAmt") == amounts
    assert texts(document, "//p:GrpHdr/p:TtlIntrBkSttlmAmt") == [total]
    status = valid(schemas, to_pacs002(window))
    assert texts(status, "//p:OrgnlCtrlSum") == [total]
    assert texts(status, "//p:OrgnlTxRef/p:IntrBkSttlmAmt") == amounts
    rows = csv.DictReader(io.StringIO(transfers_csv(window), newline=""))
    assert [row["amount"] for row in rows] == amounts


def test_a_window_of_many_transfers_counts_and_totals_every_one(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    fsps = ("bank-a", "wallet-b", "union-c")
    transfers = [
        transfer(
            fsps[i % 3],
            fsps[(i + 1) % 3],
            f"{i % 500}.{i % 100:02d}",
            "ABORTED" if i % 7 == 0 else "COMMITTED",
            minutes=i % 600,
            fspiop_error_code="4001" if i % 7 == 0 else None,
            refund_of=new_id() if i % 11 == 0 else None,
        )
        for i in range(3000)
    ]
    window = report(transfers)
    committed = [t for t in transfers if t.committed]
    total = sum(Decimal(t.amount.to_fixed()) for t in committed)
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:GrpHdr/p:NbOfTxs") == [str(len(committed))]
    assert Decimal(texts(document, "//p:GrpHdr/p:TtlIntrBkSttlmAmt")[0]) == total
    assert len(set(texts(document, "//p:UETR"))) == len(committed)
    status = valid(schemas, to_pacs002(window))
    assert len(find(status, "//p:TxInfAndSts[p:TxSts='ACSC']")) == len(committed)
    rejected = find(status, "//p:TxInfAndSts[p:TxSts='RJCT']")
    assert len(rejected) == len(transfers) - len(committed)
    assert {texts(t, "p:StsRsnInf/p:Rsn/p:Cd")[0] for t in rejected} == {"AM04"}
    assert texts(status, "//p:NbOfTxsPerSts/p:DtldNbOfTxs") == [str(len(committed))]


def test_a_refund_and_an_aborted_refund_each_find_their_place(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    original = transfer(minutes=1)
    refund = transfer("wallet-b", "bank-a", "4.00", minutes=2, refund_of=original.transfer_id)
    failed = transfer(
        "wallet-b",
        "bank-a",
        "6.00",
        "ABORTED",
        minutes=3,
        refund_of=original.transfer_id,
        fspiop_error_code="4001",
    )
    window = report([original, refund, failed])
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:RmtInf/p:Ustrd") == [f"Refund of {original.transfer_id}"]
    status = valid(schemas, to_pacs002(window))
    (rejected,) = find(status, "//p:TxInfAndSts[p:TxSts='RJCT']")
    assert texts(rejected, "p:OrgnlTxId") == [failed.transfer_id.hex]
    assert texts(rejected, "p:StsRsnInf/p:Rsn/p:Cd") == ["AM04"]
    rows = list(csv.DictReader(io.StringIO(transfers_csv(window), newline="")))
    assert [row["refund_of"] for row in rows] == ["", *[str(original.transfer_id)] * 2]
    assert [row["state"] for row in rows] == ["COMMITTED", "COMMITTED", "ABORTED"]


def test_times_from_another_zone_are_utc_with_a_z_and_the_utc_settlement_date(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    # 22:30 in Saint Lucia (UTC-4) on 2 March is 02:30 UTC on 3 March.
    castries = timezone(timedelta(hours=-4))
    late = base.START.astimezone(castries).replace(hour=22, minute=30, microsecond=123456)
    window: SettlementWindowReport = report(
        [replace(transfer(), prepared_at=late, completed_at=late + timedelta(seconds=1))],
        closed_at=late + timedelta(minutes=5),
        generated_at=late + timedelta(minutes=6),
    )
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:AccptncDtTm") == ["2026-03-03T02:30:00.123Z"]
    assert texts(document, "//p:GrpHdr/p:CreDtTm") == ["2026-03-03T02:35:00.123Z"]
    assert texts(document, "//p:GrpHdr/p:IntrBkSttlmDt") == ["2026-03-03"]
    status = valid(schemas, to_pacs002(window))
    assert texts(status, "//p:FctvIntrBkSttlmDt/p:DtTm") == ["2026-03-03T02:30:01.123Z"]
