"""Reading the few fields of a merchant QR payload that paying needs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.qr import crc16, parse_payment_qr
from comptoir.kernel.money import Money

# Payloads the switch's QR codec writes (tests/payments/test_qr_cli.py), read here without it.
DYNAMIC = (
    "00020101021226290012org.comptoir0109shop@dfsp520459995303951540512.505802LC"
    "5910Chez Marie6008Castries62100506INV-426304123F"
)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def payload(*fields: str) -> str:
    body = tlv("00", "01") + "".join(fields) + "6304"
    return body + f"{crc16(body.encode()):04X}"


def test_it_reads_the_switchs_dynamic_qr() -> None:
    qr = parse_payment_qr(DYNAMIC)
    assert qr.alias == "shop@dfsp"
    assert qr.amount == Money(1250, "XCD")
    assert qr.currency == "XCD"
    assert qr.merchant_name == "Chez Marie"


def test_a_static_qr_has_no_amount() -> None:
    qr = parse_payment_qr(
        payload(tlv("26", tlv("00", "org.comptoir") + tlv("01", "shop@wallet-b")), tlv("53", "951"))
    )
    assert qr.alias == "shop@wallet-b" and qr.amount is None


def test_comptoirs_account_wins_over_another_schemes() -> None:
    qr = parse_payment_qr(
        payload(
            tlv("26", tlv("00", "br.gov.bcb.pix") + tlv("01", "someone-else")),
            tlv("27", tlv("00", "org.comptoir") + tlv("01", "shop@wallet-b")),
        )
    )
    assert qr.alias == "shop@wallet-b"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (DYNAMIC[:-1] + "0", "qr_checksum"),
        ("hello", "qr_malformed"),
        ("", "qr_malformed"),
        (DYNAMIC[:20], "qr_malformed"),
        (payload(tlv("53", "951")), "qr_no_alias"),
        (payload(tlv("26", tlv("01", "a@b")), tlv("53", "999")), "qr_currency"),
        (payload(tlv("26", tlv("01", "a@b")), tlv("53", "951"), tlv("54", "1.234")), "qr_amount"),
        (payload(tlv("26", tlv("01", "a@b")), tlv("54", "12")), "qr_amount"),
    ],
)
def test_a_bad_payload_is_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(WalletError) as refused:
        parse_payment_qr(text)
    assert refused.value.code == code


@given(
    alias=st.from_regex(r"[a-z0-9]{1,20}@[a-z0-9-]{1,20}", fullmatch=True),
    cents=st.integers(min_value=1, max_value=10**9),
    name=st.from_regex(r"[A-Za-z][A-Za-z ]{0,24}", fullmatch=True),
)
def test_what_a_qr_says_is_what_is_read(alias: str, cents: int, name: str) -> None:
    amount = Money(cents, "XCD")
    qr = parse_payment_qr(
        payload(
            tlv("26", tlv("00", "org.comptoir") + tlv("01", alias)),
            tlv("53", "951"),
            tlv("54", amount.to_fixed()),
            tlv("59", name),
        )
    )
    assert (qr.alias, qr.amount, qr.merchant_name) == (alias, amount, name.strip() or None)
