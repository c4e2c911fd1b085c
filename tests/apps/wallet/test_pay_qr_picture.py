"""Paying by a picture of a merchant's QR code: a photo or screenshot uploaded on the QR page
is read as the code's pasted text is, and a picture that holds no readable code, or not one
code, is refused in words, with nothing kept."""

from __future__ import annotations

import io

import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.qr import merchant_qr
from comptoir.apps.wallet.domain.qr_image import read_qr_image
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, Node
from tests.apps.wallet.test_pages import csrf, sign_in
from tests.support.texts import Texts

PAY_QR = "/wallets/wallet-a/pay/qr"


def _payload(amount: Money | None = None) -> str:
    return merchant_qr(
        alias="shop@wallet-b",
        name="Chez Marie",
        city="Castries",
        country="LC",
        currency="XCD",
        amount=amount,
        category=None,
    )


def _picture(*payloads: str, kind: str = "png", quarter_turns: int = 0) -> bytes:
    """A photo-like picture: the codes side by side on a grey page, turned as asked."""
    codes = [segno.make(payload, error="m") for payload in payloads]
    tiles = []
    for code in codes:
        out = io.BytesIO()
        code.save(out, kind="png", scale=5, border=4)
        tiles.append(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))
    width = sum(tile.width for tile in tiles) + 40 * (len(tiles) + 1) if tiles else 400
    height = max((tile.height for tile in tiles), default=300) + 80
    page = Image.new("RGB", (width, height), (210, 210, 205))
    left = 40
    for tile in tiles:
        page.paste(tile, (left, 40))
        left += tile.width + 40
    page = page.rotate(90 * quarter_turns, expand=True)
    out = io.BytesIO()
    page.save(out, format=kind.upper())
    return out.getvalue()


def test_the_text_of_a_code_is_read_from_a_png_and_from_a_turned_jpeg() -> None:
    payload = _payload(Money(1250, "XCD"))
    assert read_qr_image(_picture(payload)) == payload
    assert read_qr_image(_picture(payload, kind="jpeg", quarter_turns=1)) == payload


@pytest.mark.parametrize(
    ("picture", "code"),
    [
        (_picture, "qr_image_none"),
        (lambda: _picture(_payload(), _payload(Money(100, "XCD"))), "qr_image_several"),
        (lambda: b"not a picture at all", "qr_image_unreadable"),
        (
            lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "qr_image_unreadable",
        ),
        (lambda: b"\x89PNG" + b"0" * 8_000_000, "qr_image_size"),
    ],
    ids=["no code", "two codes", "not a picture", "an SVG drawing", "too large"],
)
def test_a_picture_without_exactly_one_readable_code_is_refused_with_its_reason(
    picture: object, code: str
) -> None:
    assert callable(picture)
    with pytest.raises(WalletError) as refused:
        read_qr_image(picture())
    assert refused.value.code == code


def _payer(node: Node, texts: Texts) -> TestClient:
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    return sign_in(node, "wallet-a", ALICE, texts)


def test_an_uploaded_picture_of_a_code_for_one_sale_fills_the_payment_with_its_fixed_amount(
    two_banks: Node, texts: Texts
) -> None:
    alice = _payer(two_banks, texts)
    form = alice.get(PAY_QR)
    assert 'enctype="multipart/form-data"' in form.text and 'type="file"' in form.text

    read = alice.post(
        PAY_QR,
        data={"csrf_token": csrf(form.text), "payload": ""},
        files={"image": ("code.jpg", _picture(_payload(Money(1250, "XCD")), kind="jpeg"))},
    )

    assert read.status_code == 200, read.text
    assert "The QR code is from Chez Marie, with the amount to pay." in read.text
    assert '<input type="hidden" name="amount" value="12.50">' in read.text


def test_a_picture_with_no_code_is_refused_on_the_page_in_french_and_nothing_is_kept(
    two_banks: Node, texts: Texts
) -> None:
    alice = _payer(two_banks, texts)
    alice.cookies.set("comptoir_lang", "fr")
    form = alice.get(PAY_QR)

    refused = alice.post(
        PAY_QR,
        data={"csrf_token": csrf(form.text), "payload": ""},
        files={"image": ("photo.png", _picture())},
    )

    assert refused.status_code == 400
    assert "Aucun code QR" in refused.text
    # Said beside the picture's field, not the text's.
    assert 'id="image-error"' in refused.text and 'id="payload-error"' not in refused.text
    assert 'aria-describedby="image-hint image-error" aria-invalid="true"' in refused.text
    assert 'name="amount"' not in refused.text
