"""`comptoir qr encode` and `comptoir qr decode` judged against the EMV QR Code Specification for
Payment Systems, Merchant-Presented Mode, by a checker with its own TLV reader and CRC: the real
command in a subprocess, exit codes, stdout and stderr only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.servers import COMPTOIR

ACCOUNT = "26290012org.comptoir0109shop@dfsp"
TAIL = "5204599953039515802LC5910Chez Marie6008Castries"
SHOP = ["--alias", "shop@dfsp", "--name", "Chez Marie", "--city", "Castries"]
# The specification's own example (section 7 of EMV QRCPS-MPM): two accounts, a tip indicator,
# a template in the merchant's language (64) and an unreserved template (91).
SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412"
    "340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


def crc(text: str) -> str:
    """CRC-16/CCITT-FALSE: polynomial 1021, initial FFFF, no reflection, no final XOR."""
    value = 0xFFFF
    for byte in text.encode("utf-8"):
        value ^= byte << 8
        for _ in range(8):
            value = ((value << 1) ^ 0x1021) if value & 0x8000 else value << 1
            value &= 0xFFFF
    return f"{value:04X}"


def signed(body: str) -> str:
    return body + "6304" + crc(body + "6304")


def objects(text: str) -> list[tuple[str, str]]:
    found, index = [], 0
    while index < len(text):
        tag, size = text[index : index + 2], text[index + 2 : index + 4]
        assert re.fullmatch(r"\d\d", tag) and re.fullmatch(r"\d\d", size), text[index:]
        value = text[index + 4 : index + 4 + int(size)]
        assert len(value) == int(size) > 0
        found.append((tag, value))
        index += 4 + int(size)
    return found


def qr(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    return subprocess.run(
        [COMPTOIR, "qr", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**clean, "COMPTOIR_DATA_DIR": "/nonexistent/unused", "COLUMNS": "200"},
        timeout=60,
        check=False,
    )


def encoded(*args: str) -> str:
    result = qr("encode", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    return result.stdout.strip()


def decoded(payload: str) -> dict[str, object]:
    result = qr("decode", payload)
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)
    assert isinstance(fields, dict)
    return fields


def refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("comptoir qr "), lines[0]
    assert lines[0].endswith("."), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- encoding -------------------------------------------------------------------------------


def assert_conforms(payload: str) -> dict[str, str]:
    """Tag 00 first with "01", tag 63 last with length 04 and the upper-case CRC of everything
    before its value, two-digit lengths throughout, each tag once, the mandatory tags present."""
    found = objects(payload)
    tags = [tag for tag, _ in found]
    assert found[0] == ("00", "01")
    assert tags[-1] == "63" and payload[-8:-4] == "6304"
    assert payload[-4:] == crc(payload[:-4])
    assert len(tags) == len(set(tags))
    fields = dict(found)
    assert {"52", "53", "58", "59", "60"} <= fields.keys()
    assert re.fullmatch(r"\d{4}", fields["52"]) and re.fullmatch(r"\d{3}", fields["53"])
    assert len(fields["58"]) == 2 and len(fields["59"]) <= 25 and len(fields["60"]) <= 15
    accounts = [tag for tag in tags if "26" <= tag <= "51"]
    assert accounts, "no merchant account template"
    template = dict(objects(fields[accounts[0]]))
    assert template["00"] == "org.comptoir" and template["01"] == "shop@dfsp"
    return fields


def test_a_static_code_conforms_and_carries_no_amount() -> None:
    fields = assert_conforms(encoded(*SHOP))
    assert fields["01"] == "11"
    assert "54" not in fields
    assert (fields["53"], fields["58"], fields["59"], fields["60"]) == (
        "951",
        "LC",
        "Chez Marie",
        "Castries",
    )


def test_a_dynamic_code_conforms_and_carries_its_amount() -> None:
    fields = assert_conforms(encoded(*SHOP, "--amount", "12.50", "--reference", "INV-42"))
    assert (fields["01"], fields["54"]) == ("12", "12.50")
    assert dict(objects(fields["62"]))["05"] == "INV-42"


def test_decoding_gives_back_what_encoding_made() -> None:
    payload = encoded(*SHOP, "--amount", "7", "--bill", "B-1", "--postal-code", "LC04 101")
    fields = decoded(payload)
    assert fields["payload_format_indicator"] == "01"
    assert fields["point_of_initiation"] == "dynamic"
    assert fields["payee_alias"] == "shop@dfsp"
    assert (fields["amount"], fields["currency"], fields["currency_numeric"]) == (
        "7.00",
        "XCD",
        "951",
    )
    assert (fields["merchant_name"], fields["merchant_city"]) == ("Chez Marie", "Castries")
    assert fields["postal_code"] == "LC04 101"
    assert fields["additional_data"]["bill_number"] == "B-1"  # type: ignore[index]
    assert fields["crc"] == payload[-4:]
    assert decoded(encoded(*SHOP))["point_of_initiation"] == "static"
    assert qr("decode", "-", stdin=payload + "\n").stdout == qr("decode", payload).stdout


def test_the_svg_is_an_svg_document(tmp_path: Path) -> None:
    path = tmp_path / "shop.svg"
    payload = encoded(*SHOP, "--svg", str(path))
    assert_conforms(payload)
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--name", "A" * 26], ["59", "25"]),
        (["--city", "C" * 16], ["60", "15"]),
        (["--name", "Café Marie"], ["59"]),
        (["--country", "LCA"], ["58"]),
        (["--currency", "ZZZ"], ["ZZZ"]),
        (["--mcc", "59A9"], ["52"]),
        (["--amount", "0"], ["54"]),
        (["--amount", "0.00"], ["54"]),
        (["--amount", "-5"], ["54"]),
        (["--amount", "12.345"], ["54", "decimals"]),
        (["--amount", "1,50"], ["54"]),
        (["--amount", "1234567890123.00"], ["54", "13"]),
        (["--alias", ""], ["alias"]),
    ],
)
def test_encoding_refuses_a_field_the_specification_does_not_allow(
    flags: list[str], words: list[str]
) -> None:
    refused(qr("encode", *SHOP, *flags), 2, *words)


# -- decoding -------------------------------------------------------------------------------

STATIC = signed("000201010211" + ACCOUNT + TAIL)


def test_the_specifications_sample_decodes_and_keeps_what_it_does_not_interpret() -> None:
    fields = decoded(SAMPLE)
    assert (fields["currency"], fields["amount"], fields["country"]) == ("CNY", "23.72", "CN")
    assert fields["merchant_name"] == "BEST TRANSPORT"
    assert fields["payee_alias"] is None
    unknown = fields["unknown_tags"]
    assert isinstance(unknown, dict)
    assert unknown["55"] == "01"
    assert unknown["64"] == "0002ZH0104最佳运输0202北京"
    assert unknown["91"].startswith("0016A011223344998877")


def test_tags_reserved_for_future_use_and_unreserved_templates_are_kept() -> None:
    payload = signed("000201010211" + ACCOUNT + TAIL + "6503abc" + "80120002ab0102xy")
    assert decoded(payload)["unknown_tags"] == {"65": "abc", "80": "0002ab0102xy"}


def test_a_static_code_may_carry_an_amount() -> None:
    fields = decoded(signed("000201010211" + ACCOUNT + "52045999530395154045.00" + TAIL[15:]))
    assert (fields["point_of_initiation"], fields["amount"]) == ("static", "5.00")


def test_an_amount_may_end_with_its_decimal_mark() -> None:
    """EMV QRCPS-MPM, Transaction Amount (54): the "." may be present even if there are no
    decimals; "98.73", "98" and "98." are its examples of valid amounts."""
    payload = signed("000201010212" + ACCOUNT + "5204599953039515403" + "98." + TAIL[15:])
    assert decoded(payload)["amount"] == "98.00"


def test_an_amount_of_up_to_thirteen_characters_decodes_and_encodes_within_them() -> None:
    # Tag 54 allows 13 characters; the currency's decimals, added when shown, do not count.
    for text, shown in [
        ("12345678901", "12345678901.00"),
        ("9999999999999", "9999999999999.00"),
        ("1234567890.12", "1234567890.12"),
    ]:
        amount = f"54{len(text):02d}{text}"
        payload = signed("000201010212" + ACCOUNT + "520459995303951" + amount + TAIL[15:])
        assert decoded(payload)["amount"] == shown
    assert assert_conforms(encoded(*SHOP, "--amount", "12345678901"))["54"] == "12345678901"
    assert assert_conforms(encoded(*SHOP, "--amount", "1234567890.5"))["54"] == "1234567890.50"


@pytest.mark.parametrize(
    ("numeric", "currency", "amount", "shown"),
    [
        ("360", "IDR", "15000", "15000.00"),
        ("458", "MYR", "12.5", "12.50"),
        ("392", "JPY", "500", "500"),
    ],
)
def test_a_payload_in_any_current_iso_4217_currency_decodes_in_it(
    numeric: str, currency: str, amount: str, shown: str
) -> None:
    tags = "52045999" + f"5303{numeric}" + f"54{len(amount):02d}{amount}"
    fields = decoded(signed("000201010212" + ACCOUNT + tags + TAIL[15:]))
    assert (fields["currency"], fields["currency_numeric"], fields["amount"]) == (
        currency,
        numeric,
        shown,
    )
    again = assert_conforms(encoded(*SHOP, "--currency", currency, "--amount", amount))
    assert (again["53"], again["54"]) == (numeric, shown)


def test_a_request_for_the_payers_address_mobile_and_email_is_kept() -> None:
    # Tag 62, sub-tag 09: any of A (address), M (mobile number) and E (email), once each.
    payload = signed("000201010211" + ACCOUNT + TAIL + "62070903EMA")
    assert decoded(payload)["additional_data"]["other"] == {"09": "EMA"}


def replace(payload: str, old: str, new: str) -> str:
    assert old in payload
    return signed(payload[:-8].replace(old, new, 1))


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        (STATIC[:-4] + "0000", "crc_mismatch", ["0000"]),
        (STATIC[:-4] + STATIC[-4:].lower(), "invalid_field", ["63"]),
        (STATIC[:-8] + "6303" + STATIC[-3:], "invalid_field", ["63"]),
        (STATIC[:-8], "missing_field", ["63"]),
        (replace(STATIC, "6008Castries", "6009Castries"), "malformed_tlv", []),
        (STATIC[:30], "malformed_tlv", []),
        (signed("000201010211" + ACCOUNT + TAIL + "61"), "malformed_tlv", []),
        (replace(STATIC, "5910Chez", "59A0Chez"), "malformed_tlv", ["59"]),
        (replace(STATIC, "5802LC", "5802LC5802LC"), "duplicate_tag", ["58"]),
        (replace(STATIC, "000201010211", "010211000201"), "misplaced_tag", ["00"]),
        (replace(STATIC, "000201", "000202"), "invalid_field", ["00"]),
        (replace(STATIC, "010211", "010213"), "invalid_field", ["01"]),
        (replace(STATIC, "5303951", "5303XCD"), "unsupported_currency", ["53"]),
        (replace(STATIC, "5802LC", "5803LCA"), "invalid_field", ["58"]),
        (replace(STATIC, "5910Chez Marie", "5926" + "A" * 26), "invalid_field", ["59", "25"]),
        (replace(STATIC, "6008Castries", "6016" + "C" * 16), "invalid_field", ["60", "15"]),
        (replace(STATIC, "52045999", "5204ABCD"), "invalid_field", ["52"]),
        (replace(STATIC, "5802LC", ""), "missing_field", ["58"]),
        (replace(STATIC, "52045999", ""), "missing_field", ["52"]),
        (replace(STATIC, "5303951", ""), "missing_field", ["53"]),
        (replace(STATIC, "5910Chez Marie", ""), "missing_field", ["59"]),
        (replace(STATIC, "6008Castries", ""), "missing_field", ["60"]),
        (replace(STATIC, ACCOUNT, ""), "missing_field", ["account"]),
        (replace(STATIC, "5303951", "53039515404" + "0.00"), "invalid_field", ["54"]),
        (replace(STATIC, "5303951", "53039515414" + "123456789012.5"), "invalid_field", ["54"]),
        (replace(STATIC, "5303951", "53039515405" + "1,000"), "invalid_field", ["54"]),
        (STATIC + "6304" + crc(STATIC + "6304"), "duplicate_tag", ["63"]),
        (STATIC + "6503abc", "misplaced_tag", ["63"]),
        (replace(STATIC, "6008Castries", "6008Castries62070903AMX"), "invalid_field", ["09"]),
        (replace(STATIC, "6008Castries", "6008Castries62060902AA"), "invalid_field", ["09"]),
        ("", "malformed_tlv", []),
        ("hello", "malformed_tlv", []),
    ],
)
def test_decoding_refuses_what_breaks_the_specification(
    payload: str, code: str, words: list[str]
) -> None:
    refused(qr("decode", payload), 1, f"decode: {code}:", *words)


@pytest.mark.parametrize(
    "extra",
    [
        "5502" + "04",
        "5502" + "02",
        "5604" + "1.00",
        "5703" + "5.0",
        "5502" + "03" + "5604" + "1.00",
        "5502" + "03" + "5703" + "100",
        "5502" + "02" + "5602" + "1x",
    ],
)
def test_a_tip_or_convenience_fee_breaking_its_rules_is_refused(extra: str) -> None:
    """EMV QRCPS-MPM, tags 55 to 57: 55 is "01", "02" or "03"; the fixed fee (56) is present
    exactly when 55 is "02", the percentage (57) exactly when it is "03"."""
    refused(qr("decode", signed("000201010211" + ACCOUNT + TAIL + extra)), 1, "(tag 5")


@pytest.mark.parametrize("sub", ["02", "03", "04", "06"])
def test_an_additional_data_field_longer_than_25_characters_is_refused(sub: str) -> None:
    """EMV QRCPS-MPM, tag 62: the mobile number (02), store label (03), loyalty number (04) and
    customer label (06) are "ans", up to 25 characters, like the bill number and reference."""
    fine = signed("000201010211" + ACCOUNT + TAIL + "6229" + sub + "25" + "9" * 25)
    assert decoded(fine)["additional_data"]["other"] == {sub: "9" * 25}  # type: ignore[index]
    long = signed("000201010211" + ACCOUNT + TAIL + "6230" + sub + "26" + "9" * 26)
    refused(qr("decode", long), 1, "decode: invalid_field:", f"sub-tag {sub}", "25")
