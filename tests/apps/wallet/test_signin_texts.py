"""A wallet's sign-in code goes to the phone by text message, through the SMS channel, in the
language of the page it was asked from; it never reaches the server's log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from comptoir.app import create_app
from comptoir.kernel.settings import load_settings
from tests.apps.wallet.conftest import ALICE, Node
from tests.apps.wallet.test_pages import browser, csrf
from tests.support.texts import CODE, Texts


def test_the_code_is_texted_to_the_phone_naming_the_institution_and_never_logged(
    two_banks: Node,
    texts: Texts,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    caplog.set_level(logging.DEBUG)

    client.post("/wallets/wallet-a/signin", data={"phone": ALICE, "csrf_token": csrf(form.text)})

    [(recipient, body)] = texts.new()
    assert recipient == ALICE
    assert body.startswith("Wallet A: your sign-in code is ")
    assert "expires in 5 minutes" in body
    [code] = CODE.findall(body)
    printed = capsys.readouterr()
    assert code not in printed.out + printed.err + caplog.text


def test_a_code_asked_from_a_french_page_is_texted_in_french(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    form = client.get("/wallets/wallet-a/signin", headers={"accept-language": "fr"})
    texts.forget()

    client.post(
        "/wallets/wallet-a/signin",
        data={"phone": ALICE, "csrf_token": csrf(form.text)},
        headers={"accept-language": "fr"},
    )

    [(_, body)] = texts.new()
    assert body.startswith("Wallet A : votre code de connexion est ")


def test_a_node_serving_the_wallet_without_the_sms_channel_warns_that_no_code_goes_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="comptoir.app"):
        create_app(load_settings(data_dir=tmp_path / "a", blocks="home,apps.wallet"))
    assert "apps.wallet send sign-in codes by text message" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="comptoir.app"):
        create_app(load_settings(data_dir=tmp_path / "b", blocks="home,apps.wallet,channels.sms"))
    assert "text message" not in caplog.text
