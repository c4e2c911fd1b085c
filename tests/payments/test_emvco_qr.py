"""EMVCo merchant-presented QR: the CRC, hand-built and published payloads, strict decoding,
round trips, and the SVG rendering."""

from __future__ import annotations

import string
import xml.etree.ElementTree as ET

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.emvco_qr import (
    COMPTOIR_GUI,
    ISO_4217_NUMERIC,
    AdditionalData,
    MerchantAccount,
    MerchantQr,
    PointOfInitiation,
    QrError,
    crc16_ccitt_false,
    decode,
    encode,
    parse_amount,
)
from comptoir.kernel.money import Money, known_currencies, minor_unit_digits
from comptoir.kernel.qr_svg import render_svg


def bitwise_crc(data: bytes) -> int:
    """CRC-16/CCITT-FALSE bit by bit, independent of the codec's table-driven version."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def with_crc(body: str) -> str:
    """`body` + the CRC data object, computed here rather than by the codec."""
    body += "6304"
    return body + f"{bitwise_crc(body.encode('utf-8')):04X}"


def shop(**changes: object) -> MerchantQr:
    fields: dict[str, object] = {
        "account": MerchantAccount(alias="shop@dfsp"),
        "merchant_name": "Chez Marie",
        "merchant_city": "Castries",
        "country": "LC",
    }
    fields.update(changes)
    return MerchantQr(**fields)  # type: ignore[arg-type]


# -- the CRC --------------------------------------------------------------------------------


def test_the_crc_is_crc16_ccitt_false_by_its_check_value() -> None:
    # The catalogue's check value for CRC-16/CCITT-FALSE (alias CRC-16/IBM-3740).
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


@given(st.binary(max_size=300))
def test_the_table_driven_crc_agrees_with_the_bitwise_one(data: bytes) -> None:
    assert crc16_ccitt_false(data) == bitwise_crc(data)


# -- hand-built payloads ----------------------------------------------------------------------

DYNAMIC_TLVS = [
    "000201",  # payload format indicator, always "01"
    "010212",  # point of initiation: dynamic
    "26290012org.comptoir0109shop@dfsp",  # merchant account: GUI, then the alias
    "52045999",  # merchant category code
    "5303951",  # transaction currency: XCD
    "540512.50",  # transaction amount
    "5802LC",  # country
    "5910Chez Marie",  # merchant name
    "6008Castries",  # merchant city
    "62100506INV-42",  # additional data: reference label
    "6304123F",  # CRC over everything before "123F", "6304" included
]


def test_a_dynamic_payload_is_built_tlv_by_tlv() -> None:
    qr = shop(
        amount=Money(1250, "XCD"),
        point_of_initiation=PointOfInitiation.DYNAMIC,
        additional_data=AdditionalData(reference_label="INV-42"),
    )
    payload = encode(qr)
    assert payload == "".join(DYNAMIC_TLVS)
    assert f"{bitwise_crc(payload[:-4].encode()):04X}" == "123F"
    assert decode(payload) == qr


def test_a_static_payload_has_no_amount() -> None:
    payload = encode(shop())
    assert payload == (
        "000201" "010211" "26290012org.comptoir0109shop@dfsp" "52045999" "5303951"
        "5802LC" "5910Chez Marie" "6008Castries" "63040A7D"
    )  # fmt: skip
    decoded = decode(payload)
    assert decoded.amount is None
    assert decoded.point_of_initiation is PointOfInitiation.STATIC
    assert decoded.alias == "shop@dfsp"


def test_every_optional_field_takes_its_tag() -> None:
    qr = shop(
        postal_code="LC04 101",
        merchant_category_code="5812",
        additional_data=AdditionalData(
            bill_number="B-7", reference_label="***", terminal_label="T1", purpose="Lunch"
        ),
    )
    payload = encode(qr)
    assert "52045812" in payload
    assert "6108LC04 101" in payload
    assert "62290103B-70503***0702T10805Lunch" in payload
    assert decode(payload) == qr


# -- published payloads ---------------------------------------------------------------------

# The worked example in the EMVCo MPM specification (v1.1), as reproduced by many codecs: two
# merchant account templates, a tip indicator (55), a language template (64) in Chinese whose
# lengths count characters, not bytes, and an unreserved template (91).
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412"
    "340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)
# The example in Banco Central do Brasil's BR Code manual for Pix (static, no tag 01).
PIX_SAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
# Mastercard's developer documentation (Secure Card on File QR): an account in primitive tag 05.
MASTERCARD_SAMPLE = (
    "000201010211057704736a2f41a3-c54c-fce8-32d2-0324e1c32e22*3440e5bf-81ca-4c5f-a1b2-cf989f09a039"
    "52045024530384054031005802US5913Test Merchant6008New York62080304123463046F6D"
)
# The README of phannaly/emv-qr-code (Cambodia): tags out of order, an account in tag 15.
CAMBODIA_SAMPLE = (
    "00020101021252044131153137210116372101160123456789ABCDE6010Phnom Penh5913Merchant Shop5802KH"
    "540510.005303840622501081234567802090124444446304A0BA"
)


@pytest.mark.parametrize("payload", [EMVCO_SAMPLE, PIX_SAMPLE, MASTERCARD_SAMPLE, CAMBODIA_SAMPLE])
def test_published_payloads_carry_the_crc_this_codec_computes(payload: str) -> None:
    assert f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}" == payload[-4:]


def test_the_emvco_sample_decodes_with_its_other_tags_kept() -> None:
    qr = decode(EMVCO_SAMPLE)
    assert qr.point_of_initiation is PointOfInitiation.DYNAMIC
    assert qr.account == MerchantAccount(
        alias=None, gui="D15600000000", tag="29", other={"05": "A93FO3230Q"}
    )
    assert qr.alias is None  # not a Comptoir account
    assert (qr.merchant_category_code, qr.country) == ("4111", "CN")
    assert (qr.merchant_name, qr.merchant_city) == ("BEST TRANSPORT", "BEIJING")
    assert qr.amount == Money(2372, "CNY")
    assert qr.additional_data == AdditionalData(
        terminal_label="A6008667", other={"03": "1234", "06": "***", "09": "ME"}
    )
    assert qr.unknown_tags == {
        "31": "0012D15600000001030812345678",
        "55": "01",
        "64": "0002ZH0104最佳运输0202北京",
        "91": "0016A011223344998877070812345678",
    }
    assert decode(encode(qr)) == qr


def test_the_pix_sample_decodes_and_reencodes_to_itself() -> None:
    qr = decode(PIX_SAMPLE)
    assert qr.account is not None
    assert qr.account.gui == "br.gov.bcb.pix"
    assert qr.account.alias == "123e4567-e12b-12d1-a456-426655440000"
    assert qr.alias is None
    assert qr.point_of_initiation is None
    assert qr.currency == "BRL"
    assert qr.additional_data.reference_label == "***"
    assert encode(qr) == PIX_SAMPLE


def test_samples_whose_account_is_a_primitive_tag_decode() -> None:
    mastercard = decode(MASTERCARD_SAMPLE)
    assert mastercard.account is None
    assert mastercard.unknown_tags["05"].startswith("04736a2f")
    assert mastercard.amount == Money(10000, "USD")
    cambodia = decode(CAMBODIA_SAMPLE)
    assert cambodia.unknown_tags == {"15": "37210116372101160123456789ABCDE"}
    assert cambodia.amount == Money(1000, "USD")
    assert cambodia.additional_data.bill_number == "12345678"


# -- strict decoding ------------------------------------------------------------------------

VALID = "".join(DYNAMIC_TLVS)
BODY = VALID[:-8]  # everything before the CRC data object
BASE = ["000201", "010211", "26290012org.comptoir0109shop@dfsp", "52045999", "5303951"]
TAIL = ["5802LC", "5910Chez Marie", "6008Castries"]


def build(*tlvs: str) -> str:
    return with_crc("".join(tlvs))


def without(tag: str) -> str:
    return build(*(tlv for tlv in [*BASE, *TAIL] if not tlv.startswith(tag)))


BAD_PAYLOADS = [
    (VALID[:-4] + "123E", "crc_mismatch", "The CRC is 123E but the payload's content gives 123F."),
    (VALID[:-4] + "123f", "invalid_field", "four upper-case hexadecimal digits"),
    ("", "malformed_tlv", "The payload is empty."),
    (BODY[:-3], "malformed_tlv", "claims 10 characters but only 7 remain in the payload."),
    ("00020101", "malformed_tlv", "The payload ends at character 7 with '01', too short"),
    (
        build("000201", "52A45999"),
        "malformed_tlv",
        "length of tag 52 at character 7 in the payload is 'A4'",
    ),
    (build("000201", "5X045999"), "malformed_tlv", "has the ID '5X', not two digits"),
    (build("000201", "5200"), "malformed_tlv", "Tag 52 at character 7 in the payload has an empty"),
    (build("010211", *BASE[:1], *BASE[2:], *TAIL), "misplaced_tag", "must come first"),
    (build(*BASE[1:], *TAIL), "missing_field", "the payload has none"),
    (build("000202", *BASE[1:], *TAIL), "invalid_field", "must be '01', not '02'"),
    (build("000201", "010213", *BASE[2:], *TAIL), "invalid_field", "'11' (static) or '12'"),
    ("".join([*BASE, *TAIL]), "missing_field", "no CRC (tag 63)"),
    (VALID + "8002AB", "misplaced_tag", "but tag 80 follows it."),
    (build(*BASE, *TAIL, "5802LC"), "duplicate_tag", "Tag 58 appears twice in the payload."),
    (without("52"), "missing_field", "no merchant category code (tag 52)"),
    (without("53"), "missing_field", "no transaction currency (tag 53)"),
    (without("58"), "missing_field", "no country code (tag 58)"),
    (without("59"), "missing_field", "no merchant name (tag 59)"),
    (without("60"), "missing_field", "no merchant city (tag 60)"),
    (without("26"), "missing_field", "no merchant account information (tags 02 to 51)"),
    (build(*BASE, "540612.505", *TAIL), "invalid_field", "more decimals than XCD allows (2)"),
    (build(*BASE, "54041,50", *TAIL), "invalid_field", "not a plain amount"),
    (build(*BASE, "5404-1.5", *TAIL), "invalid_field", "not a plain amount"),
    (build(*BASE, "54040.00", *TAIL), "invalid_field", "more than zero"),
    (build(*BASE[:4], "5303392", "5405100.5", *TAIL), "invalid_field", "JPY allows (0)"),
    (build(*BASE[:4], "5303999", *TAIL), "unsupported_currency", "'999'"),
    (build(*BASE, "5802lc", *TAIL[1:]), "invalid_field", "two capital letters"),
    (build(*BASE, "5802ZZ", *TAIL[1:]), "invalid_field", "'ZZ' names no country in ISO 3166-1"),
    (build(*BASE, TAIL[0], "5926" + "M" * 26, TAIL[2]), "invalid_field", "1 to 25 characters"),
    (build(*BASE, *TAIL[:2], "6009Soufri\u00e8re"), "invalid_field", "contains 'è'"),
    (
        build("000201", "26160014org.comptoir", *BASE[3:], *TAIL),
        "malformed_tlv",
        "claims 14 characters but only 12 remain in the merchant account template (tag 26).",
    ),
    (build("000201", "26130109shop@dfsp", *BASE[3:], *TAIL), "missing_field", "no GUI"),
    (
        build(*BASE, "62150506INV-420501X", *TAIL),
        "duplicate_tag",
        "Tag 05 appears twice in the additional data template (tag 62).",
    ),
    (
        build(*BASE, "62090506INV-4", *TAIL),
        "malformed_tlv",
        "claims 6 characters but only 5 remain in the additional data template (tag 62).",
    ),
    ("000201" + "9999" + "X" * 99 + "0" * 410, "payload_too_long", "at most 512"),
    (
        build(*BASE, "31080104abcd", *TAIL),
        "missing_field",
        "The merchant account template (tag 31) has no GUI (sub-tag 00).",
    ),
    (
        build(*BASE, *TAIL, "8006000599"),
        "malformed_tlv",
        "Tag 00 at character 97 claims 5 characters but only 2 remain in the unreserved "
        "template (tag 80).",
    ),
    (
        build(*BASE, *TAIL, "853700" + "33" + "g" * 33),
        "invalid_field",
        "The GUI (sub-tag 00) of the unreserved template (tag 85) must be 1 to 32 characters",
    ),
]


@pytest.mark.parametrize(("payload", "code", "words"), BAD_PAYLOADS)
def test_a_bad_payload_is_refused_with_one_clear_sentence(
    payload: str, code: str, words: str
) -> None:
    with pytest.raises(QrError) as caught:
        decode(payload)
    assert caught.value.code == code, str(caught.value)
    sentence = str(caught.value)
    assert words in sentence
    assert sentence[0].isupper()
    assert sentence.endswith(".")
    assert "\n" not in sentence


def test_the_bad_payloads_other_than_the_crc_cases_have_a_right_crc() -> None:
    # So each one tests the check it names rather than tripping over the CRC first.
    for payload, _code, _words in BAD_PAYLOADS:
        if payload[-8:-4] == "6304" and not payload.startswith(VALID[:-4]):
            assert payload[-4:] == f"{bitwise_crc(payload[:-4].encode()):04X}"


def test_a_dynamic_qr_without_an_amount_decodes_and_leaves_the_amount_to_the_payer() -> None:
    payload = build("000201", "010212", *BASE[2:], *TAIL)
    qr = decode(payload)
    assert qr.point_of_initiation is PointOfInitiation.DYNAMIC
    assert qr.amount is None


def test_the_comptoir_account_is_chosen_over_an_earlier_foreign_one() -> None:
    payload = build(
        "000201",
        "26180014br.gov.bcb.pix",
        "27290012ORG.COMPTOIR0109shop@dfsp",
        *BASE[3:],
        *TAIL,
    )
    qr = decode(payload)
    assert qr.account is not None
    assert qr.account.tag == "27"
    assert qr.alias == "shop@dfsp"
    assert qr.unknown_tags == {"26": "0014br.gov.bcb.pix"}
    assert decode(encode(qr)) == qr


@pytest.mark.parametrize(
    ("template", "code", "words"),
    [
        ("0002FR01", "malformed_tlv", "too short"),
        ("0002FR0109Chez", "malformed_tlv", "claims 9 characters but only 4 remain"),
        ("0002FR0000", "malformed_tlv", "empty value"),
        ("0002F!0104Mari", "invalid_field", "two-letter ISO 639 code, but it is 'F!'"),
        ("0104Mari", "missing_field", "has none"),
        ("0002FR0206Kastri", "missing_field", "no merchant name"),
    ],
)
def test_a_malformed_language_template_is_refused_with_where_it_breaks(
    template: str, code: str, words: str
) -> None:
    payload = build(*BASE, *TAIL, f"64{len(template):02d}{template}")
    with pytest.raises(QrError) as caught:
        decode(payload)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_unknown_tags_survive_a_round_trip() -> None:
    payload = build(*BASE, "550201", *TAIL, "64180002FR0108Chez Mie", "80080004abcd")
    qr = decode(payload)
    assert qr.unknown_tags == {"55": "01", "64": "0002FR0108Chez Mie", "80": "0004abcd"}
    assert encode(qr) == payload


def test_every_single_character_change_is_detected() -> None:
    for index, original in enumerate(VALID):
        for replacement in string.printable[:95]:
            if replacement == original:
                continue
            changed = VALID[:index] + replacement + VALID[index + 1 :]
            with pytest.raises(QrError):
                decode(changed)


# -- encoding refuses what the specification refuses ----------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"merchant_name": "M" * 26}, "invalid_field", "merchant_name", "1 to 25 characters"),
        ({"merchant_name": "Kwéyòl Kitchen"}, "invalid_field", "merchant_name", "'é'"),
        ({"merchant_name": "Tab\there"}, "invalid_field", "merchant_name", "'\\t'"),
        ({"merchant_city": "C" * 16}, "invalid_field", "merchant_city", "1 to 15"),
        ({"merchant_city": ""}, "invalid_field", "merchant_city", "not 0"),
        ({"postal_code": "P" * 11}, "invalid_field", "postal_code", "1 to 10"),
        ({"country": "LCA"}, "invalid_field", "country", "two capital letters"),
        ({"merchant_category_code": "599"}, "invalid_field", "merchant_category_code", "four"),
        ({"currency": "ZZZ"}, "unsupported_currency", "currency", "'ZZZ'"),
        ({"currency": "XAU"}, "unsupported_currency", "currency", "'XAU'"),
        ({"amount": Money(100, "USD")}, "invalid_field", "amount", "in USD but"),
        ({"amount": Money(-100, "XCD")}, "invalid_field", "amount", "more than zero"),
        ({"amount": Money(0, "XCD")}, "invalid_field", "amount", "more than zero"),
        ({"amount": Money(10**15, "XCD")}, "invalid_field", "amount", "longer than 13"),
        ({"account": None}, "missing_field", "account", "no merchant account"),
        ({"unknown_tags": {"59": "X"}}, "invalid_field", "unknown_tags", "Tag 59"),
        ({"unknown_tags": {"26": "X"}}, "invalid_field", "unknown_tags", "Tag 26"),
        ({"unknown_tags": {"7": "X"}}, "invalid_field", "unknown_tags", "'7'"),
        ({"unknown_tags": {"80": ""}}, "invalid_field", "unknown_tags", "1 to 99"),
        ({"unknown_tags": {"64": "0108Chez Mie"}}, "missing_field", "language_template",
         "has none"),
        ({"unknown_tags": {"64": "0003FRA0108Chez Mie"}}, "invalid_field", "language_template",
         "two-letter ISO 639"),
        ({"unknown_tags": {"64": "0002FR"}}, "missing_field", "language_template",
         "no merchant name"),
        ({"unknown_tags": {"64": "0002FR0126" + "N" * 26}}, "invalid_field",
         "language_template", "1 to 25 characters long, not 26"),
        ({"unknown_tags": {"64": "0002FR0101N0216" + "C" * 16}}, "invalid_field",
         "language_template", "1 to 15 characters long, not 16"),
        (
            {"account": MerchantAccount(alias="a", gui="other.scheme", tag="30"),
             "unknown_tags": {"27": "0012org.comptoir0101x"}},
            "invalid_field",
            "account",
            "tag 27 comes first",
        ),
        ({"point_of_initiation": "13"}, "invalid_field", "point_of_initiation", "'13'"),
    ],
)  # fmt: skip
def test_a_field_that_breaks_the_specification_is_refused_by_name(
    changes: dict[str, object], code: str, field: str, words: str
) -> None:
    with pytest.raises(QrError) as caught:
        shop(**changes)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: MerchantAccount(alias="a" * 91), "account.alias", "1 to 90"),
        (lambda: MerchantAccount(alias="a" * 80, other={"02": "b" * 20}), "account", "99"),
        (lambda: MerchantAccount(alias="a", tag="25"), "account.tag", "26 to 51"),
        (lambda: MerchantAccount(alias="a", tag="2x"), "account.tag", "two-digit"),
        (lambda: MerchantAccount(alias="a", gui="g" * 33), "account.gui", "1 to 32"),
        (lambda: MerchantAccount(alias="a", other={"01": "b"}), "account.other", "own fields"),
        (lambda: AdditionalData(purpose="p" * 26), "additional_data.purpose", "sub-tag 08"),
        (lambda: AdditionalData(other={"05": "x"}), "additional_data.other", "own fields"),
        (
            lambda: AdditionalData(**dict.fromkeys(["bill_number", "purpose"], "x" * 25),
                                   other={"50": "y" * 50}),
            "additional_data",
            "would be 112 characters long",
        ),
    ],
)  # fmt: skip
def test_a_template_that_breaks_the_specification_is_refused(
    make: object, field: str, words: str
) -> None:
    assert callable(make)
    with pytest.raises(QrError) as caught:
        make()
    assert caught.value.field == field
    assert words in str(caught.value)


def test_a_payload_longer_than_512_characters_is_refused() -> None:
    big = {f"{tag}": "x" * 99 for tag in (65, 66, 67, 68, 69)}
    with pytest.raises(QrError) as caught:
        encode(shop(unknown_tags=big))
    assert caught.value.code == "payload_too_long"


def test_amounts_are_read_strictly() -> None:
    assert parse_amount("12.5", "XCD") == Money(1250, "XCD")
    assert parse_amount("12", "XCD") == Money(1200, "XCD")
    assert parse_amount("1200", "JPY") == Money(1200, "JPY")
    assert parse_amount("1.250", "BHD") == Money(1250, "BHD")
    for text in ["12.", ".5", "1e3", " 12", "12.500", "99999999999.99"]:
        with pytest.raises(QrError):
            parse_amount(text, "XCD")


def test_the_currency_table_holds_iso_4217_currencies_with_unique_numeric_codes() -> None:
    assert ISO_4217_NUMERIC["XCD"] == "951"
    assert len(set(ISO_4217_NUMERIC.values())) == len(ISO_4217_NUMERIC)
    for alpha, numeric in ISO_4217_NUMERIC.items():
        assert alpha in known_currencies()
        assert len(numeric) == 3
        assert numeric.isdigit()


def test_a_merchant_qr_is_hashable_and_its_mappings_are_read_only() -> None:
    qr = shop(unknown_tags={"70": "x"})
    assert qr in {qr}
    with pytest.raises(TypeError):
        qr.unknown_tags["71"] = "y"  # type: ignore[index]


# -- properties -----------------------------------------------------------------------------

ANS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def ans(longest: int) -> st.SearchStrategy[str]:
    return st.text(ANS, min_size=1, max_size=longest)


def tags(*ranges: tuple[int, int]) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{n:02d}" for low, high in ranges for n in range(low, high + 1)])


@st.composite
def amounts(draw: st.DrawFn, currency: str) -> Money:
    digits = minor_unit_digits(currency)
    largest = 10 ** (13 - (1 if digits else 0)) - 1
    return Money(draw(st.integers(1, largest)), currency)


@st.composite
def merchant_qrs(draw: st.DrawFn, *, ascii_only: bool = False) -> MerchantQr:
    currency = draw(st.sampled_from(sorted(ISO_4217_NUMERIC)))
    printable = st.text(
        st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"))
        | st.just(" "),
        min_size=1,
        max_size=30,
    )
    return MerchantQr(
        account=draw(
            st.builds(
                MerchantAccount,
                alias=st.none() | ans(38),
                gui=st.just(COMPTOIR_GUI) | ans(24),
                tag=tags((26, 51)),
                other=st.dictionaries(tags((2, 99)), ans(12), max_size=2),
            )
        ),
        merchant_name=draw(ans(25)),
        merchant_city=draw(ans(15)),
        country=draw(st.sampled_from(sorted(country.alpha_2 for country in pycountry.countries))),
        currency=currency,
        amount=draw(st.none() | amounts(currency)),
        point_of_initiation=draw(st.sampled_from([None, *PointOfInitiation])),
        merchant_category_code=draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
        postal_code=draw(st.none() | ans(10)),
        additional_data=draw(
            st.builds(
                AdditionalData,
                bill_number=st.none() | ans(12),
                reference_label=st.none() | ans(12),
                terminal_label=st.none() | ans(12),
                purpose=st.none() | ans(12),
                other=st.dictionaries(tags((2, 4), (6, 6), (10, 99)), ans(25), max_size=1)
                # Sub-tag 09 asks the payer's app for some of A, M and E, each once.
                | st.permutations("AME").map(lambda letters: {"09": "".join(letters[:2])}),
            )
        ),
        unknown_tags={
            **draw(
                st.dictionaries(
                    tags((2, 25), (65, 79)), ans(30) if ascii_only else printable, max_size=3
                )
            ),
            # Tags 80 to 99 are templates whose first data object names their scheme.
            **draw(
                st.dictionaries(
                    tags((80, 99)),
                    st.tuples(ans(32), ans(20)).map(
                        lambda parts: f"00{len(parts[0]):02d}{parts[0]}01{len(parts[1]):02d}"
                        f"{parts[1]}"
                    ),
                    max_size=2,
                )
            ),
            # Tag 64 is a template: a language, a name in it, perhaps a city.
            **draw(
                st.sampled_from(
                    [{}, {"64": "0002FR0108Chez Mie"}, {"64": "0002fr0104Mari0206Kastri"}]
                )
            ),
            # Tags 55 to 57 follow their rule: a tip prompt, or one of the two kinds of fee.
            **draw(
                st.sampled_from(
                    [{}, {"55": "01"}, {"55": "02", "56": "1.50"}, {"55": "03", "57": "2.5"}]
                )
            ),
        },
    )  # fmt: skip


@given(merchant_qrs())
def test_decoding_an_encoded_qr_gives_it_back(qr: MerchantQr) -> None:
    payload = encode(qr)
    assert decode(payload) == qr
    assert payload.startswith("000201")
    assert payload[-8:-4] == "6304"
    assert payload[-4:] == f"{bitwise_crc(payload[:-4].encode('utf-8')):04X}"


@given(merchant_qrs(ascii_only=True), st.data())
def test_changing_any_one_character_of_a_payload_is_detected(
    qr: MerchantQr, data: st.DataObject
) -> None:
    payload = encode(qr)
    index = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(ANS.filter(lambda char: char != payload[index]))
    with pytest.raises(QrError):
        decode(payload[:index] + replacement + payload[index + 1 :])


# -- SVG ------------------------------------------------------------------------------------


def test_the_svg_is_small_self_contained_and_titled() -> None:
    svg = render_svg(VALID, title="Pay <Chez Marie> & co")
    root = ET.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{namespace}svg"
    assert root.get("role") == "img"
    title = root.find(f"{namespace}title")
    assert title is not None
    assert title.text == "Pay <Chez Marie> & co"
    assert len(svg.encode()) < 8_000
    lowered = svg.lower()
    for forbidden in ("<script", "<style", "font", "href", "<?xml", "<image"):
        assert forbidden not in lowered


def test_the_svg_size_follows_scale_and_border() -> None:
    import segno

    modules = segno.make(VALID, error="m", boost_error=False, micro=False).symbol_size(
        scale=1, border=0
    )[0]
    root = ET.fromstring(render_svg(VALID, scale=3, border=2))
    assert root.get("width") == str((modules + 4) * 3)
    assert root.get("role") is None
    assert segno.make(VALID, error="m", boost_error=False).error == "M"


@pytest.mark.parametrize(
    "arguments",
    [{"scale": 0}, {"border": -1}, {"scale": True}, {"scale": 2.5}],
)
def test_the_svg_refuses_a_nonsensical_size(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be a whole number"):
        render_svg(VALID, **arguments)  # type: ignore[arg-type]


def test_the_svg_refuses_an_empty_payload() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        render_svg("")
