"""A QR code prints a merchant's name, but pays the account its alias names. When the account
belongs to someone else (a sticker stuck over the shop's own), the payer is warned before
agreeing to pay."""

from __future__ import annotations

import pytest

from comptoir.apps.wallet.domain.qr import names_agree
from tests.apps.wallet.conftest import Node
from tests.apps.wallet.test_pages import QR, csrf, tlv
from tests.apps.wallet.test_qr_fixed_amount import PAY, Payer, _alice, _mark, _read
from tests.support.texts import Texts


@pytest.mark.parametrize(
    ("printed", "holder"),
    [
        ("Chez Marie", "Chez Marie"),
        ("CHEZ MARIE", "Chez Marie"),
        ("Boulangerie Cafe", "Boulangerie Café"),
        ("Chez Marie.", "Chez  Marie"),
        ("Soufriere Spice Company L", "Soufrière Spice Company Ltd"),  # cut at 25 characters
        (None, "Chez Marie"),
        ("Chez Marie", None),
    ],
)
def test_a_qr_name_agrees_with_the_account_s_whatever_its_accents_case_or_cut(
    printed: str | None, holder: str | None
) -> None:
    assert names_agree(printed, holder)


@pytest.mark.parametrize(
    ("printed", "holder"),
    [
        ("Marigot Bay Threads", "Castries Market Produce"),
        ("Chez", "Chez Marie"),  # a short name is the whole name, not the start of another
        ("Chez Marie", "Chez Mario"),
    ],
)
def test_a_qr_name_that_is_another_s_does_not_agree(printed: str, holder: str) -> None:
    assert not names_agree(printed, holder)


def _offer(node: Node, alice: Payer, code: str) -> tuple[str, str]:
    """The address and the page of the payment of the code read and sent, once the payee's
    bank has answered."""
    page = _read(alice, code)
    sent = alice.browser.post(
        PAY,
        data={
            "qr": _mark(page),
            "recipient": "shop@wallet-b",
            "amount": "12.50",
            "csrf_token": csrf(page),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    node.pump()
    address = sent.headers["location"]
    offer = alice.browser.get(address).text
    assert "Pay XCD" in offer, offer
    return address, offer


def test_a_qr_code_naming_another_than_the_account_it_pays_is_warned_of(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)
    swapped = QR.replace(tlv("59", "Chez Marie"), tlv("59", "Marigot Bay Threads"))

    address, offer = _offer(node, alice, swapped)

    assert "The QR code says “Marigot Bay Threads”, but the account it pays belongs to" in offer
    assert "pay only if Chez Marie is who you mean to pay" in offer
    french = alice.browser.get(address, headers={"accept-language": "fr"}).text
    assert "Le code QR indique « Marigot Bay Threads »" in french


def test_a_qr_code_naming_the_account_it_pays_raises_no_warning(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)

    _, offer = _offer(node, alice, QR)

    assert "The QR code says" not in offer


def test_a_qr_name_with_markup_is_shown_as_text(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    alice = _alice(node, texts)
    swapped = QR.replace(tlv("59", "Chez Marie"), tlv("59", "<b>Chez Mari</b>"))

    _, offer = _offer(node, alice, swapped)

    assert "“&lt;b&gt;Chez Mari&lt;/b&gt;”" in offer and "<b>Chez" not in offer
