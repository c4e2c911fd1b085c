"""`comptoir qr encode` and `comptoir qr decode` as scripts use them: stdout, stderr, exit code."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from comptoir.kernel.emvco_qr import (
    AdditionalData,
    MerchantAccount,
    MerchantQr,
    PointOfInitiation,
    crc16_ccitt_false,
    decode,
    encode,
)
from comptoir.kernel.money import Money
from comptoir.payments.cli import qr_cli

SHOP = ["--alias", "shop@dfsp", "--name", "Chez Marie", "--city", "Castries"]
DYNAMIC = (
    "00020101021226290012org.comptoir0109shop@dfsp520459995303951540512.505802LC"
    "5910Chez Marie6008Castries62100506INV-426304123F"
)
PIX_SAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)

# EMV QRCPS merchant-presented mode, the specification's own example (tags 31, 55, 64 and 91).
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412"
    "340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


def with_crc(body: str) -> str:
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(qr_cli, list(args), input=stdin)


def assert_one_sentence(result: Result, exit_code: int, prefix: str) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    assert lines[0].endswith(".")
    return lines[0]


# -- encode ---------------------------------------------------------------------------------


def test_encode_prints_a_static_payload_alone_without_an_amount() -> None:
    result = run("encode", *SHOP)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    payload = result.stdout.removesuffix("\n")
    assert "\n" not in payload
    assert payload == encode(
        MerchantQr(
            account=MerchantAccount(alias="shop@dfsp"),
            merchant_name="Chez Marie",
            merchant_city="Castries",
            country="LC",
        )
    )
    assert "010211" in payload
    assert decode(payload).amount is None


def test_encode_with_an_amount_prints_a_dynamic_payload() -> None:
    result = run("encode", *SHOP, "--amount", "12.50", "--reference", "INV-42")
    assert result.exit_code == 0, result.output
    assert result.stdout == DYNAMIC + "\n"


def test_encode_takes_every_flag() -> None:
    result = run(
        "encode",
        *SHOP,
        "--country", "vc",
        "--mcc", "5812",
        "--currency", "usd",
        "--amount", "7",
        "--reference", "R1",
        "--bill", "B2",
        "--terminal", "T3",
        "--purpose", "Lunch",
        "--postal-code", "VC0100",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert decode(result.stdout.strip()) == MerchantQr(
        account=MerchantAccount(alias="shop@dfsp"),
        merchant_name="Chez Marie",
        merchant_city="Castries",
        country="VC",
        currency="USD",
        amount=Money(700, "USD"),
        point_of_initiation=PointOfInitiation.DYNAMIC,
        merchant_category_code="5812",
        postal_code="VC0100",
        additional_data=AdditionalData(
            bill_number="B2", reference_label="R1", terminal_label="T3", purpose="Lunch"
        ),
    )


def test_encode_writes_the_svg_too(tmp_path: Path) -> None:
    target = tmp_path / "shop.svg"
    result = run(
        "encode", *SHOP, "--amount", "12.50", "--reference", "INV-42", "--svg", str(target)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == DYNAMIC + "\n"
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == "QR code to pay Chez Marie"
    assert target.stat().st_size < 8_000


@pytest.mark.parametrize(
    ("extra", "prefix", "words"),
    [
        (["--amount", "12.505"], "invalid_field", "more decimals than XCD allows (2)"),
        (["--amount", "-5"], "invalid_field", "not a plain amount"),
        (["--amount", "0"], "invalid_field", "more than zero"),
        (["--currency", "ZZZ"], "unsupported_currency", "'ZZZ' is not a currency"),
        (["--name", "A name far longer than 25 characters"], "invalid_field", "1 to 25"),
        (["--city", "Soufrière"], "invalid_field", "contains 'è'"),
        (["--mcc", "59"], "invalid_field", "four digits"),
        (["--country", "LCA"], "invalid_field", "two capital letters"),
        (["--reference", "R" * 26], "invalid_field", "sub-tag 05"),
        (["--alias", ""], "invalid_field", "payee alias"),
    ],
)
def test_encode_refuses_bad_input_with_exit_2_and_one_sentence(
    extra: list[str], prefix: str, words: str
) -> None:
    result = run("encode", *SHOP, *extra)
    line = assert_one_sentence(result, 2, f"comptoir qr encode: {prefix}: ")
    assert words in line


def test_encode_says_so_when_the_svg_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "shop.svg"
    result = run("encode", *SHOP, "--svg", str(target))
    line = assert_one_sentence(result, 1, "comptoir qr encode: cannot_write: Cannot write ")
    assert str(target) in line


def test_encode_without_a_required_flag_is_a_usage_error() -> None:
    result = run("encode", "--name", "Chez Marie", "--city", "Castries")
    assert result.exit_code == 2
    assert "--alias" in result.stderr
    assert result.stdout == ""


# -- decode ---------------------------------------------------------------------------------


def test_decode_prints_the_fields_as_json() -> None:
    result = run("decode", DYNAMIC)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "payload_format_indicator": "01",
        "point_of_initiation": "dynamic",
        "payee_alias": "shop@dfsp",
        "merchant_account": {
            "tag": "26",
            "gui": "org.comptoir",
            "alias": "shop@dfsp",
            "other": {},
        },
        "merchant_accounts": [
            {"tag": "26", "gui": "org.comptoir", "sub_tags": {"01": "shop@dfsp"}},
        ],
        "merchant_category_code": "5999",
        "currency": "XCD",
        "currency_numeric": "951",
        "amount": "12.50",
        "country": "LC",
        "merchant_name": "Chez Marie",
        "merchant_city": "Castries",
        "postal_code": None,
        "tip_or_convenience_fee": None,
        "additional_data": {
            "bill_number": None,
            "reference_label": "INV-42",
            "terminal_label": None,
            "purpose": None,
            "mobile_number": None,
            "store_label": None,
            "loyalty_number": None,
            "customer_label": None,
            "consumer_data_request": None,
            "other": {},
        },
        "language_template": None,
        "unreserved_templates": [],
        "unknown_tags": {},
        "crc": "123F",
    }


def test_decode_reads_a_foreign_scheme_and_names_no_comptoir_payee() -> None:
    result = run("decode", PIX_SAMPLE)
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert fields["payee_alias"] is None
    assert fields["merchant_account"]["gui"] == "br.gov.bcb.pix"
    assert fields["point_of_initiation"] is None
    assert (fields["currency"], fields["currency_numeric"]) == ("BRL", "986")
    assert fields["amount"] is None
    assert fields["crc"] == "1D3D"


def test_decode_names_every_tag_of_the_emvco_sample_and_prints_its_script_as_written() -> None:
    result = run("decode", EMVCO_SAMPLE)
    assert result.exit_code == 0, result.output
    assert "最佳运输" in result.stdout  # not "\\u6700..."
    fields = json.loads(result.stdout)
    assert fields["merchant_accounts"] == [
        {"tag": "29", "gui": "D15600000000", "sub_tags": {"05": "A93FO3230Q"}},
        {"tag": "31", "gui": "D15600000001", "sub_tags": {"03": "12345678"}},
    ]
    assert fields["tip_or_convenience_fee"] == {
        "kind": "tip_prompt",
        "fixed_fee": None,
        "percentage": None,
    }
    additional = fields["additional_data"]
    assert (additional["store_label"], additional["customer_label"]) == ("1234", "***")
    assert additional["consumer_data_request"] == ["mobile", "email"]
    assert fields["language_template"] == {
        "language": "ZH",
        "merchant_name": "最佳运输",
        "merchant_city": "北京",
    }
    assert fields["unreserved_templates"] == [
        {"tag": "91", "gui": "A011223344998877", "sub_tags": {"07": "12345678"}}
    ]
    # Still listed raw, as before they were named, for the scripts that read them there.
    assert set(fields["unknown_tags"]) == {"31", "55", "64", "91"}
    assert additional["other"] == {"03": "1234", "06": "***", "09": "ME"}


def test_decode_names_a_fixed_fee_and_the_primitive_account_of_a_card_network() -> None:
    # Tag 04 is Mastercard's: a primitive account, not a template.
    payload = with_crc(
        "000201041554133300890104352045999530395155020256041.505802LC5910Chez Marie6008Castries6304"
    )
    fields = json.loads(run("decode", payload).stdout)
    assert fields["merchant_accounts"] == [{"tag": "04", "value": "541333008901043"}]
    assert fields["merchant_account"] is None
    assert fields["tip_or_convenience_fee"] == {
        "kind": "fixed_fee",
        "fixed_fee": "1.50",
        "percentage": None,
    }


def test_decode_keeps_tags_without_a_meaning_yet_raw() -> None:
    payload = with_crc(
        "00020126290012org.comptoir0109shop@dfsp520459995303951"
        "5802LC5910Chez Marie6008Castries62160506INV-421102ab7003xyz6304"
    )
    fields = json.loads(run("decode", payload).stdout)
    assert fields["unknown_tags"] == {"70": "xyz"}
    assert fields["additional_data"]["other"] == {"11": "ab"}
    assert fields["merchant_accounts"] == [
        {"tag": "26", "gui": "org.comptoir", "sub_tags": {"01": "shop@dfsp"}}
    ]


def test_decode_reads_the_payload_from_stdin_given_a_dash() -> None:
    result = run("decode", "-", stdin=DYNAMIC + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["amount"] == "12.50"


def test_decode_names_a_wrong_crc_and_exits_1() -> None:
    result = run("decode", DYNAMIC[:-4] + "A1B2")
    line = assert_one_sentence(result, 1, "comptoir qr decode: crc_mismatch: ")
    assert line.endswith("The CRC is A1B2 but the payload's content gives 123F.")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (DYNAMIC[:40], "malformed_tlv"),
        ("not a payload", "malformed_tlv"),
        ("", "malformed_tlv"),
        (DYNAMIC.replace("5802LC", "5802LC5802LC")[:-4] + "0000", "crc_mismatch"),
    ],
)
def test_decode_refuses_a_malformed_payload_with_exit_1(payload: str, code: str) -> None:
    result = run("decode", payload)
    assert_one_sentence(result, 1, f"comptoir qr decode: {code}: ")


def test_importing_the_commands_loads_neither_the_codec_nor_segno() -> None:
    probe = (
        "import sys, comptoir.payments.cli; "
        "print(sorted(m for m in ('segno', 'comptoir.kernel.emvco_qr', "
        "'comptoir.kernel.money') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
