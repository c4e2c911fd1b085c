"""Settlement window exports: CSV, and ISO 20022 pacs.008.001.09 and pacs.002.001.11 that
validate against the official XSDs.

The XSDs live beside the repository, in ../shared/specs/iso20022 (they are ISO's, not ours, so
they are not copied in); without them the schema tests are skipped and say so.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.payments.settlement_exports import (
    POSITION_COLUMNS,
    TRANSFER_COLUMNS,
    ExportError,
    NetPosition,
    SettlementWindowReport,
    WindowTransfer,
    net_positions,
    pacs002_message_id,
    pacs008_message_id,
    pacs008_messages,
    status_reason,
    to_csv,
    to_pacs002,
    to_pacs008,
    transfers_csv,
    uetr,
)

REPOSITORY = Path(__file__).resolve().parents[2]
SCHEMA_DIRECTORY = REPOSITORY.parent / "shared" / "specs" / "iso20022"
PACS008 = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09"
PACS002 = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.11"
UUID4_PATTERN = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}")

START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
SWITCH = "comptoir-switch"
ODD = "<&>\"' Kwéyòl"


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    paths = {
        PACS008: SCHEMA_DIRECTORY / "pacs.008.001.09.xsd",
        PACS002: SCHEMA_DIRECTORY / "pacs.002.001.11.xsd",
    }
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        pytest.skip(f"the official ISO 20022 XSDs are not beside the repository: {missing}")
    return {ns: etree.XMLSchema(etree.parse(str(path))) for ns, path in paths.items()}


def parse(text: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(text.encode("utf-8"), parser)


def valid(schemas: dict[str, etree.XMLSchema], text: str) -> etree._Element:
    """The parsed document, after checking it against the XSD its namespace names."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    document = parse(text)
    namespace = etree.QName(document).namespace
    schema = schemas[namespace]
    assert schema.validate(document), schema.error_log
    return document


def find(element: etree._Element, path: str) -> list[Any]:
    namespace = etree.QName(element.getroottree().getroot()).namespace
    return list(element.xpath(path, namespaces={"p": namespace}))


def texts(element: etree._Element, path: str) -> list[str]:
    return [node.text for node in find(element, path)]


def transfer(
    payer: str = "bank-a",
    payee: str = "wallet-b",
    amount: str = "10.00",
    state: str = "COMMITTED",
    *,
    currency: str = "XCD",
    minutes: int = 0,
    **extra: Any,
) -> WindowTransfer:
    prepared = START + timedelta(minutes=minutes)
    completed = prepared + timedelta(seconds=2)
    return WindowTransfer(
        transfer_id=extra.pop("transfer_id", new_id()),
        payer_fsp=payer,
        payee_fsp=payee,
        amount=Money.parse(amount, currency),
        state=state,  # type: ignore[arg-type]
        prepared_at=prepared,
        completed_at=extra.pop("completed_at", completed),
        **extra,
    )


def report(transfers: list[WindowTransfer], **extra: Any) -> SettlementWindowReport:
    fields: dict[str, Any] = {
        "window_id": new_id(),
        "state": "CLOSED",
        "opened_at": START - timedelta(hours=1),
        "closed_at": START + timedelta(hours=4),
        "transfers": transfers,
        "positions": net_positions(transfers),
        "switch_id": SWITCH,
        "generated_at": START + timedelta(hours=5),
        "participant_names": {
            "bank-a": 'Banque <A> & Fils "Kwéyòl"',
            "wallet-b": "Wallet B's",
            "union-c": "Credit Union C",
        },
    }
    fields.update(extra)
    return SettlementWindowReport(**fields)


@pytest.fixture
def window() -> SettlementWindowReport:
    """Three DFSPs, committed and aborted transfers, a refund, odd characters everywhere."""
    first = transfer(
        "bank-a",
        "wallet-b",
        "12.50",
        minutes=1,
        payer_party="MSISDN:+17585550101",
        payee_party="ALIAS:cafe@wallet-b",
        payer_name=f"Marie {ODD}",
        payee_name="Café Kwéyòl",
        note=f"Dinner {ODD} & <b>dessert</b>",
    )
    return report(
        [
            first,
            transfer("wallet-b", "union-c", "3.05", minutes=2, payer_party="EMAIL:a@b.lc"),
            transfer(
                "union-c",
                "bank-a",
                "100.00",
                "ABORTED",
                minutes=3,
                fspiop_error_code="4001",
                note="too much",
            ),
            transfer("wallet-b", "bank-a", "2.50", minutes=4, refund_of=first.transfer_id),
            transfer("bank-a", "union-c", "7.00", "ABORTED", minutes=5, completed_at=None),
        ]
    )


# -- pacs.008 -------------------------------------------------------------------------------


def test_the_pacs008_validates_against_the_official_schema(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    valid(schemas, to_pacs008(window))


def test_the_pacs008_totals_and_counts_the_committed_transfers_only(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    document = valid(schemas, to_pacs008(window))
    header = find(document, "//p:GrpHdr")[0]
    assert texts(header, "p:NbOfTxs") == ["3"]
    total = find(header, "p:TtlIntrBkSttlmAmt")[0]
    assert (total.text, total.get("Ccy")) == ("18.05", "XCD")  # 12.50 + 3.05 + 2.50
    # The control sum the pacs.002 quotes back as OrgnlCtrlSum is in the pacs.008 itself.
    assert texts(header, "p:CtrlSum") == ["18.05"]
    amounts = texts(document, "//p:CdtTrfTxInf/p:IntrBkSttlmAmt")
    assert amounts == ["12.50", "3.05", "2.50"]
    committed = {t.transfer_id.hex for t in window.transfers if t.state == "COMMITTED"}
    assert set(texts(document, "//p:CdtTrfTxInf/p:PmtId/p:EndToEndId")) == committed


def test_the_pacs008_settles_through_the_switch_as_a_clearing_system(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:SttlmInf/p:SttlmMtd") == ["CLRG"]
    assert texts(document, "//p:SttlmInf/p:ClrSys/p:Prtry") == [SWITCH]
    assert texts(document, "//p:GrpHdr/p:MsgId") == [pacs008_message_id(window.window_id, "XCD")]
    assert texts(document, "//p:GrpHdr/p:IntrBkSttlmDt") == ["2026-03-02"]
    assert texts(document, "//p:GrpHdr/p:CreDtTm") == ["2026-03-02T17:00:00.000Z"]  # the close
    first = find(document, "//p:CdtTrfTxInf")[0]
    assert texts(first, "p:DbtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId") == ["bank-a"]
    assert texts(first, "p:DbtrAgt//p:ClrSysId/p:Prtry") == [SWITCH]
    assert texts(first, "p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId") == ["wallet-b"]
    assert texts(first, "p:ChrgBr") == ["SLEV"]
    assert texts(first, "p:AccptncDtTm") == ["2026-03-02T13:01:00.000Z"]


def test_ids_fit_max35text_and_the_uetr_matches_the_uuid4_pattern(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    document = valid(schemas, to_pacs008(window))
    for transaction in find(document, "//p:CdtTrfTxInf"):
        (reference,) = texts(transaction, "p:PmtId/p:TxId")
        assert re.fullmatch(r"[0-9a-f]{32}", reference)
        assert texts(transaction, "p:PmtId/p:InstrId") == [reference]
        assert texts(transaction, "p:PmtId/p:EndToEndId") == [reference]
        (tracking,) = texts(transaction, "p:PmtId/p:UETR")
        assert UUID4_PATTERN.fullmatch(tracking)
        transfer_id = uuid.UUID(reference)
        assert transfer_id.version == 7
        assert uuid.UUID(tracking) == uuid.UUID(int=transfer_id.int, version=4)
        # One-to-one: putting the version nibble (bits 76 to 79) back to 7 gives the id.
        restored = uuid.UUID(tracking).int & ~(0xF << 76) | (7 << 76)
        assert restored == transfer_id.int


def test_the_uetr_of_distinct_uuid7_ids_are_distinct() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len({uetr(i) for i in ids}) == 1000


def test_odd_characters_are_escaped_and_come_back_intact(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    text = to_pacs008(window)
    assert "<b>" not in text
    document = valid(schemas, text)
    first = find(document, "//p:CdtTrfTxInf")[0]
    assert texts(first, "p:Dbtr/p:Nm") == [f"Marie {ODD}"]
    assert texts(first, "p:Cdtr/p:Nm") == ["Café Kwéyòl"]
    assert texts(first, "p:RmtInf/p:Ustrd") == [f"Dinner {ODD} & <b>dessert</b>"]
    assert texts(first, "p:DbtrAgt/p:FinInstnId/p:Nm") == ['Banque <A> & Fils "Kwéyòl"']


def test_parties_become_identifications_accounts_and_proxies(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    document = valid(schemas, to_pacs008(window))
    first = find(document, "//p:CdtTrfTxInf")[0]
    assert texts(first, "p:Dbtr/p:Id/p:PrvtId/p:Othr/p:Id") == ["+17585550101"]
    assert texts(first, "p:Dbtr/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry") == ["MSISDN"]
    assert texts(first, "p:DbtrAcct/p:Id/p:Othr/p:Id") == ["+17585550101"]
    assert texts(first, "p:DbtrAcct/p:Prxy/p:Tp/p:Cd") == ["MBNO"]
    assert texts(first, "p:CdtrAcct/p:Prxy/p:Tp/p:Cd") == ["SHID"]
    assert texts(first, "p:CdtrAcct/p:Prxy/p:Id") == ["cafe@wallet-b"]
    third = find(document, "//p:CdtTrfTxInf")[2]  # the refund: no parties known
    assert find(third, "p:DbtrAcct") == []
    assert len(find(third, "p:Dbtr")) == 1


def test_kinds_of_party_ids_each_find_their_iso_place(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    long_email = "someone.with.a.long.name@" + "example." * 4 + "lc"
    window = report(
        [
            transfer(payer_party="IBAN:LC55ABCD1234567890", payee_party="BUSINESS:shop:till-2"),
            transfer(payer_party=f"EMAIL:{long_email}", payee_party="ACCOUNT_ID:000123"),
            transfer(payer_party="no type here", payee_party="DEVICE:" + "d" * 40),
        ]
    )
    document = valid(schemas, to_pacs008(window))
    first, second, third = find(document, "//p:CdtTrfTxInf")
    assert texts(first, "p:DbtrAcct/p:Id/p:IBAN") == ["LC55ABCD1234567890"]
    assert find(first, "p:DbtrAcct/p:Prxy") == []
    assert find(first, "p:Dbtr/p:Id") == []
    assert texts(first, "p:Cdtr/p:Id/p:OrgId/p:Othr/p:Id") == ["shop:till-2"]
    assert texts(first, "p:CdtrAcct/p:Prxy/p:Tp/p:Prtry") == ["BUSINESS"]
    # Too long for Max34Text: a digest in the account id, the whole address in the proxy.
    (digest,) = texts(second, "p:DbtrAcct/p:Id/p:Othr/p:Id")
    assert re.fullmatch(r"[0-9a-f]{32}", digest)
    assert texts(second, "p:DbtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry") == ["EMAIL-SHA256"]
    assert texts(second, "p:DbtrAcct/p:Prxy/p:Id") == [long_email]
    assert texts(second, "p:DbtrAcct/p:Prxy/p:Tp/p:Cd") == ["EMAL"]
    assert texts(second, "p:CdtrAcct/p:Id/p:Othr/p:Id") == ["000123"]
    assert find(second, "p:CdtrAcct/p:Prxy") == []
    assert texts(third, "p:DbtrAcct/p:Id/p:Othr/p:Id") == ["no type here"]
    assert find(third, "p:DbtrAcct/p:Id/p:Othr/p:SchmeNm") == []
    assert find(third, "p:Cdtr/p:Id") == []  # 40 characters do not fit Max35Text
    assert texts(third, "p:CdtrAcct/p:Prxy/p:Tp/p:Prtry") == ["DEVICE"]


def test_long_text_is_shortened_to_the_schema_maximum(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    note = "Pou manjé " + "é" * 300
    name = "N" * 139 + "e\u0301" + "x" * 10  # a combining accent right at the limit
    window = report(
        [transfer(note=note, payer_name=name)],
        participant_names={"bank-a": "B" * 200},
    )
    document = valid(schemas, to_pacs008(window))
    (kept,) = texts(document, "//p:RmtInf/p:Ustrd")
    assert len(kept) == 140
    assert kept.endswith("…")
    assert note.startswith(kept[:-1])
    (shown,) = texts(document, "//p:Dbtr/p:Nm")
    assert shown == "N" * 139 + "…"  # the accent is not split from its letter
    (bank,) = texts(document, "//p:DbtrAgt/p:FinInstnId/p:Nm")
    assert len(bank) == 140


def test_characters_xml_cannot_carry_are_replaced_and_blank_text_is_left_out(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    window = report(
        [
            transfer(note="a\x00b\x1bc\ud800d\uffffe\n\tf", payer_name="   \n "),
            transfer(note="", payee_name="\x07"),
        ]
    )
    document = valid(schemas, to_pacs008(window))
    assert texts(document, "//p:RmtInf/p:Ustrd") == ["a\ufffdb\ufffdc\ufffdd\ufffde f"]
    assert texts(document, "//p:Dbtr/p:Nm") == []
    assert texts(document, "//p:Cdtr/p:Nm") == ["\ufffd"]


def test_a_refund_names_the_transfer_it_refunds(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    refund = next(t for t in window.transfers if t.refund_of is not None)
    document = valid(schemas, to_pacs008(window))
    (transaction,) = find(document, f"//p:CdtTrfTxInf[p:PmtId/p:TxId='{refund.transfer_id.hex}']")
    assert texts(transaction, "p:RmtInf/p:Ustrd") == [f"Refund of {refund.refund_of}"]


def test_a_window_in_two_currencies_has_one_pacs008_per_currency(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    window = report(
        [
            transfer(amount="5.00"),
            transfer(amount="1200", currency="JPY"),
            transfer(amount="1.250", currency="BHD"),
            transfer(amount="300", currency="JPY", payer="wallet-b", payee="bank-a"),
            transfer(amount="9.99", currency="USD", state="ABORTED"),
        ]
    )
    messages = pacs008_messages(window)
    assert list(messages) == ["BHD", "JPY", "XCD"]  # USD only aborted: no message
    for currency, text in messages.items():
        document = valid(schemas, text)
        total = find(document, "//p:GrpHdr/p:TtlIntrBkSttlmAmt")[0]
        assert total.get("Ccy") == currency
        assert set(find(document, "//p:IntrBkSttlmAmt/@Ccy")) == {currency}
    assert texts(parse(messages["JPY"]), "//p:GrpHdr/p:TtlIntrBkSttlmAmt") == ["1500"]
    assert texts(parse(messages["BHD"]), "//p:GrpHdr/p:TtlIntrBkSttlmAmt") == ["1.250"]
    assert to_pacs008(window, "JPY") == messages["JPY"]
    with pytest.raises(ExportError, match="BHD, JPY, XCD"):
        to_pacs008(window)
    with pytest.raises(ExportError, match="no committed transfer in USD"):
        to_pacs008(window, "USD")
    status = valid(schemas, to_pacs002(window))
    assert texts(status, "//p:OrgnlGrpInfAndSts/p:OrgnlMsgId") == [
        pacs008_message_id(window.window_id, currency) for currency in ("BHD", "JPY", "XCD")
    ]


def test_a_window_without_committed_transfers_has_no_pacs008_but_a_pacs002(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    aborted = report([transfer(state="ABORTED", fspiop_error_code="3303")])
    assert pacs008_messages(aborted) == {}
    with pytest.raises(ExportError, match="no committed transfer"):
        to_pacs008(aborted)
    document = valid(schemas, to_pacs002(aborted))
    assert find(document, "//p:OrgnlGrpInfAndSts") == []
    assert texts(document, "//p:TxSts") == ["RJCT"]
    empty = report([])
    assert pacs008_messages(empty) == {}
    assert find(valid(schemas, to_pacs002(empty)), "//p:TxInfAndSts") == []


def test_an_open_window_has_no_settlement_date_yet(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    document = valid(schemas, to_pacs008(report([transfer()], state="OPEN", closed_at=None)))
    assert find(document, "//p:IntrBkSttlmDt") == []


def test_an_amount_longer_than_iso_20022_allows_is_refused() -> None:
    fits = report([transfer(amount="9999999999999999.99")])
    assert "9999999999999999.99" in to_pacs008(fits)
    too_long = report([transfer(amount="99999999999999999.99")])
    with pytest.raises(ExportError, match="18 digits"):
        to_pacs008(too_long)
    # Each amount fits, their total does not.
    summed = report([transfer(amount="9999999999999999.99") for _ in range(10)])
    with pytest.raises(ExportError, match="18 digits"):
        to_pacs008(summed)


def test_the_same_window_always_exports_to_the_same_text(
    window: SettlementWindowReport,
) -> None:
    shuffled = SettlementWindowReport(
        window_id=window.window_id,
        state=window.state,
        opened_at=window.opened_at,
        closed_at=window.closed_at,
        transfers=list(reversed(window.transfers)),
        positions=list(reversed(window.positions)),
        switch_id=window.switch_id,
        generated_at=window.generated_at,
        participant_names=window.participant_names,
    )
    for export in (to_pacs008, to_pacs002, to_csv, transfers_csv):
        assert export(shuffled) == export(window)


# -- pacs.002 -------------------------------------------------------------------------------


def test_the_pacs002_validates_against_the_official_schema(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    valid(schemas, to_pacs002(window))


def test_the_pacs002_refers_to_the_pacs008_by_its_message_id(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    transfers = valid(schemas, to_pacs008(window))
    status = valid(schemas, to_pacs002(window))
    (original_id,) = texts(transfers, "//p:GrpHdr/p:MsgId")
    assert texts(status, "//p:GrpHdr/p:MsgId") == [pacs002_message_id(window.window_id)]
    assert texts(status, "//p:GrpHdr/p:MsgId") != [original_id]
    (group,) = find(status, "//p:OrgnlGrpInfAndSts")
    assert texts(group, "p:OrgnlMsgId") == [original_id]
    assert texts(group, "p:OrgnlMsgNmId") == ["pacs.008.001.09"]
    assert texts(group, "p:OrgnlCreDtTm") == texts(transfers, "//p:GrpHdr/p:CreDtTm")
    assert texts(group, "p:OrgnlNbOfTxs") == ["3"]
    assert texts(group, "p:OrgnlCtrlSum") == ["18.05"]
    assert texts(group, "p:GrpSts") == ["ACSC"]
    accepted = find(status, "//p:TxInfAndSts[p:TxSts='ACSC']")
    assert {texts(t, "p:OrgnlGrpInf/p:OrgnlMsgId")[0] for t in accepted} == {original_id}
    assert [texts(t, "p:OrgnlUETR")[0] for t in accepted] == texts(transfers, "//p:UETR")


def test_aborted_transfers_are_not_in_the_pacs008_but_rejected_in_the_pacs002(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    aborted = {t.transfer_id.hex: t for t in window.transfers if t.state == "ABORTED"}
    transfers = valid(schemas, to_pacs008(window))
    assert not set(texts(transfers, "//p:TxId")) & set(aborted)
    status = valid(schemas, to_pacs002(window))
    assert len(find(status, "//p:TxInfAndSts")) == len(window.transfers)
    rejected = find(status, "//p:TxInfAndSts[p:TxSts='RJCT']")
    assert {texts(t, "p:OrgnlTxId")[0] for t in rejected} == set(aborted)
    by_id = {texts(t, "p:OrgnlEndToEndId")[0]: t for t in rejected}
    liquidity = next(key for key, t in aborted.items() if t.fspiop_error_code == "4001")
    assert texts(by_id[liquidity], "p:StsRsnInf/p:Rsn/p:Cd") == ["AM04"]
    assert texts(by_id[liquidity], "p:StsRsnInf/p:AddtlInf") == ["FSPIOP error 4001"]
    assert texts(by_id[liquidity], "p:OrgnlTxRef/p:IntrBkSttlmAmt") == ["100.00"]
    assert texts(by_id[liquidity], "p:OrgnlTxRef/p:DbtrAgt//p:MmbId") == ["union-c"]
    assert find(by_id[liquidity], "p:OrgnlGrpInf") == []  # in no pacs.008
    unknown = next(key for key, t in aborted.items() if t.fspiop_error_code is None)
    assert texts(by_id[unknown], "p:StsRsnInf/p:Rsn/p:Cd") == ["MS03"]
    assert find(by_id[unknown], "p:StsRsnInf/p:AddtlInf") == []


def test_a_committed_transfer_is_settled_at_its_commit_time(
    schemas: dict[str, etree.XMLSchema], window: SettlementWindowReport
) -> None:
    status = valid(schemas, to_pacs002(window))
    first = find(status, "//p:TxInfAndSts")[0]
    assert texts(first, "p:TxSts") == ["ACSC"]
    assert texts(first, "p:FctvIntrBkSttlmDt/p:DtTm") == ["2026-03-02T13:01:02.000Z"]
    assert find(first, "p:StsRsnInf") == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (None, "MS03"),
        ("4001", "AM04"),
        ("4200", "AM14"),
        ("3303", "AB05"),
        ("3302", "AB05"),
        ("3204", "BE23"),
        ("3202", "RC09"),
        ("3203", "RC10"),
        ("1001", "AB08"),
        ("1000", "AB07"),
        ("2004", "AB01"),
        ("2001", "AB02"),
        ("4100", "AG07"),
        ("5104", "AB09"),
        ("3100", "NARR"),
        ("3940", "NARR"),
    ],
)
def test_a_rejection_reason_follows_the_fspiop_error(code: str | None, reason: str) -> None:
    assert status_reason(code) == reason


# -- CSV ------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_positions_csv_nets_to_zero_per_currency_in_fixed_decimals(
    window: SettlementWindowReport,
) -> None:
    text = to_csv(window)
    assert text.splitlines()[0] == ",".join(POSITION_COLUMNS)
    rows = read_csv(text)
    assert [(row["fsp_id"], row["net"]) for row in rows] == [
        ("bank-a", "-10.00"),  # sent 12.50, got the 2.50 refund back
        ("union-c", "3.05"),
        ("wallet-b", "6.95"),
    ]
    for row in rows:
        assert row["window_id"] == str(window.window_id)
        assert row["currency"] == "XCD"
        for column in ("sent", "received", "net"):
            assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", row[column])
        sent, received, net = (Money.parse(row[c], "XCD") for c in ("sent", "received", "net"))
        assert net == received - sent
    assert sum(Money.parse(row["net"], "XCD").minor for row in rows) == 0
    assert rows[0]["fsp_name"] == 'Banque <A> & Fils "Kwéyòl"'


def test_the_transfers_csv_lists_every_transfer_with_utc_times(
    window: SettlementWindowReport,
) -> None:
    text = transfers_csv(window)
    assert text.splitlines()[0] == ",".join(TRANSFER_COLUMNS)
    rows = read_csv(text)
    assert [row["state"] for row in rows] == [
        "COMMITTED",
        "COMMITTED",
        "ABORTED",
        "COMMITTED",
        "ABORTED",
    ]
    first = rows[0]
    assert first["amount"] == "12.50"
    assert first["currency"] == "XCD"
    assert first["prepared_at"] == "2026-03-02T13:01:00.000Z"
    assert first["completed_at"] == "2026-03-02T13:01:02.000Z"
    assert first["note"] == f"Dinner {ODD} & <b>dessert</b>"
    assert first["payer_name"] == f"Marie {ODD}"
    assert first["payer_party"] == "MSISDN:+17585550101"
    assert rows[2]["fspiop_error_code"] == "4001"
    assert rows[3]["refund_of"] == first["transfer_id"]
    assert rows[4]["completed_at"] == ""


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    window = report(
        [transfer(note='=HYPERLINK("http://evil")', payer_name="@SUM(A1)", payee_name="+1")],
        participant_names={"bank-a": "-2+3"},
    )
    row = read_csv(transfers_csv(window))[0]
    assert row["note"] == '\'=HYPERLINK("http://evil")'
    assert row["payer_name"] == "'@SUM(A1)"
    assert row["payee_name"] == "'+1"
    positions = read_csv(to_csv(window))
    assert positions[0]["fsp_name"] == "'-2+3"
    assert positions[0]["net"] == "-10.00"  # numbers stay numbers


def test_times_in_other_zones_are_written_in_utc() -> None:
    castries = datetime(2026, 3, 2, 17, 30, tzinfo=timezone(timedelta(hours=-4)))
    window = report([transfer()], closed_at=castries, generated_at=castries)
    assert "<IntrBkSttlmDt>2026-03-02</IntrBkSttlmDt>" in to_pacs008(window)
    assert "<CreDtTm>2026-03-02T21:30:00.000Z</CreDtTm>" in to_pacs008(window)


# -- the report refuses what it cannot stand behind -----------------------------------------


def test_positions_that_do_not_net_to_zero_are_refused() -> None:
    xcd = Money.parse
    lopsided = [
        NetPosition("bank-a", "XCD", xcd("5.00", "XCD"), xcd("0.00", "XCD"), xcd("-5.00", "XCD")),
        NetPosition("wallet-b", "XCD", xcd("0.00", "XCD"), xcd("4.00", "XCD"), xcd("4.00", "XCD")),
    ]
    with pytest.raises(ExportError, match=r"sum to -1\.00"):
        report([], positions=lopsided)


def test_a_position_whose_net_is_not_received_minus_sent_is_refused() -> None:
    with pytest.raises(ExportError, match="not received minus sent"):
        NetPosition(
            "bank-a",
            "XCD",
            Money.parse("5.00", "XCD"),
            Money.parse("1.00", "XCD"),
            Money.parse("4.00", "XCD"),
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"prepared_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"payer_fsp": "x" * 36}, "Max35Text"),
        ({"payee_fsp": ""}, "Max35Text"),
        ({"amount": Money(-1, "XCD")}, "negative"),
        ({"state": "RESERVED"}, "COMMITTED or ABORTED"),
        ({"fspiop_error_code": "3303"}, "has an error code"),
        ({"payer_party": "MSISDN:+1\n758"}, "printable"),
        ({"payer_party": ""}, "printable"),
    ],
)
def test_a_transfer_the_exports_cannot_stand_behind_is_refused(
    change: dict[str, Any], message: str
) -> None:
    fields: dict[str, Any] = {
        "transfer_id": new_id(),
        "payer_fsp": "bank-a",
        "payee_fsp": "wallet-b",
        "amount": Money(100, "XCD"),
        "state": "COMMITTED",
        "prepared_at": START,
    }
    fields.update(change)
    with pytest.raises(ExportError, match=message):
        WindowTransfer(**fields)


def test_a_transfer_listed_twice_is_refused() -> None:
    once = transfer()
    with pytest.raises(ExportError, match="appears twice"):
        report([once, once], positions=[])


def test_the_report_keeps_its_own_copy_of_what_it_was_given() -> None:
    transfers = [transfer()]
    names = {"bank-a": "A"}
    window = report(transfers, participant_names=names)
    transfers.append(transfer())
    names["bank-a"] = "changed"
    assert len(window.transfers) == 1
    assert window.participant_names["bank-a"] == "A"


# -- any window -----------------------------------------------------------------------------

FSPS = ["bank-a", "wallet-b", "union-c", "dfsp-with-a-32-character-long-id"]
CURRENCIES = ["XCD", "USD", "JPY", "BHD"]
free_text = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(list("<&>\"'éòÉ\x00\x1b\ud800\n ")), max_size=20),
)


@st.composite
def window_transfers(draw: st.DrawFn) -> WindowTransfer:
    currency = draw(st.sampled_from(CURRENCIES))
    payer, payee = draw(st.permutations(FSPS))[:2]
    state = draw(st.sampled_from(["COMMITTED", "ABORTED"]))
    code = None
    if state == "ABORTED":
        code = draw(st.none() | st.from_regex(r"[1-5][0-9]{3}", fullmatch=True))
    party = st.none() | st.builds(
        lambda kind, ident: f"{kind}:{ident}" if kind else ident,
        st.sampled_from(["", "MSISDN", "EMAIL", "ALIAS", "BUSINESS", "IBAN", "ACCOUNT_ID"]),
        st.text(
            alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]),
            min_size=1,
            max_size=60,
        ),
    )
    return WindowTransfer(
        transfer_id=draw(st.uuids()),
        payer_fsp=payer,
        payee_fsp=payee,
        amount=Money(draw(st.integers(0, 10**12)), currency),
        state=state,
        prepared_at=START + timedelta(seconds=draw(st.integers(0, 86_400))),
        completed_at=draw(st.none() | st.just(START + timedelta(days=1))),
        payer_party=draw(party),
        payee_party=draw(party),
        payer_name=draw(free_text),
        payee_name=draw(free_text),
        note=draw(free_text),
        refund_of=draw(st.none() | st.uuids()),
        fspiop_error_code=code,
    )


@settings(max_examples=100, deadline=None)
@given(
    transfers=st.lists(window_transfers(), max_size=25, unique_by=lambda t: t.transfer_id),
    names=st.dictionaries(st.sampled_from(FSPS), st.text(max_size=160)),
)
def test_any_window_exports_valid_messages_whose_totals_match(
    schemas: dict[str, etree.XMLSchema],
    transfers: list[WindowTransfer],
    names: dict[str, str],
) -> None:
    window = report(transfers, participant_names=names)
    committed: dict[str, list[WindowTransfer]] = defaultdict(list)
    for item in transfers:
        if item.state == "COMMITTED":
            committed[item.amount.currency].append(item)

    messages = pacs008_messages(window)
    assert sorted(messages) == sorted(committed)
    for currency, text in messages.items():
        document = valid(schemas, text)
        expected = sum(item.amount.minor for item in committed[currency])
        (total,) = find(document, "//p:GrpHdr/p:TtlIntrBkSttlmAmt")
        assert Money.parse(total.text, currency) == Money(expected, currency)
        assert texts(document, "//p:GrpHdr/p:NbOfTxs") == [str(len(committed[currency]))]
        listed = sum(
            Money.parse(amount, currency).minor
            for amount in texts(document, "//p:CdtTrfTxInf/p:IntrBkSttlmAmt")
        )
        assert listed == expected

    status = valid(schemas, to_pacs002(window))
    statuses = dict(zip(texts(status, "//p:OrgnlTxId"), texts(status, "//p:TxSts"), strict=True))
    assert statuses == {
        item.transfer_id.hex: ("ACSC" if item.state == "COMMITTED" else "RJCT")
        for item in transfers
    }

    nets: dict[str, int] = defaultdict(int)
    for row in read_csv(to_csv(window)):
        nets[row["currency"]] += Money.parse(row["net"], row["currency"]).minor
    assert set(nets) == set(committed)
    assert all(total == 0 for total in nets.values())
    assert len(read_csv(transfers_csv(window))) == len(transfers)
