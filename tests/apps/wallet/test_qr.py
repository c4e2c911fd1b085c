"""Reading what paying needs from a merchant QR payload."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.qr import parse_payment_qr
from comptoir.kernel.emvco_qr import crc16_ccitt_false
from comptoir.kernel.money import Money

# A payload the switch's QR codec writes (tests/payments/test_qr_cli.py).
DYNAMIC = (
    "00020101021226290012org.comptoir0109shop@dfsp520459995303951540512.505802LC"
    "5910Chez Marie6008Castries62100506INV-426304123F"
)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def account(alias: str, gui: str = "org.comptoir", tag: str = "26") -> str:
    return tlv(tag, tlv("00", gui) + tlv("01", alias))


def payload(*fields: str, currency: str = "951", name: str = "Chez Marie") -> str:
    """A complete payload: FIELDS (tags 26 to 51 and 54) among the mandatory tags, in order."""
    body = (
        tlv("00", "01")
        + "".join(fields)
        + tlv("52", "5999")
        + tlv("53", currency)
        + tlv("58", "LC")
        + tlv("59", name)
        + tlv("60", "Castries")
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def test_it_reads_the_switchs_dynamic_qr() -> None:
    qr = parse_payment_qr(DYNAMIC)
    assert qr.alias == "shop@dfsp"
    assert qr.amount == Money(1250, "XCD")
    assert qr.currency == "XCD"
    assert qr.merchant_name == "Chez Marie"


def test_a_static_qr_has_no_amount() -> None:
    qr = parse_payment_qr(payload(account("shop@wallet-b")))
    assert qr.alias == "shop@wallet-b" and qr.amount is None


def test_comptoirs_account_wins_over_another_schemes() -> None:
    qr = parse_payment_qr(
        payload(account("someone-else", gui="br.gov.bcb.pix"), account("shop@wallet-b", tag="27"))
    )
    assert qr.alias == "shop@wallet-b"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (DYNAMIC[:-1] + "0", "qr_checksum"),
        ("hello", "qr_malformed"),
        ("", "qr_malformed"),
        (DYNAMIC[:20], "qr_malformed"),
        (payload(), "qr_no_alias"),
        (payload(account("someone-else", gui="br.gov.bcb.pix")), "qr_no_alias"),
        (payload(account("a@b"), currency="999"), "qr_currency"),
        (payload(account("a@b"), tlv("54", "1.234")), "qr_amount"),
        (payload(account("a@b"), tlv("54", "0.00")), "qr_amount"),
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
    qr = parse_payment_qr(payload(account(alias), tlv("54", amount.to_fixed()), name=name))
    assert (qr.alias, qr.amount, qr.merchant_name) == (alias, amount, name.strip() or None)
