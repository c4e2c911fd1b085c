"""Signing in with a one-time code on a small phone keyboard: a slip of the finger is told
apart from a wrong guess."""

from __future__ import annotations

import pytest

from tests.apps.wallet.conftest import ALICE, Node
from tests.apps.wallet.test_pages import browser, csrf
from tests.support.texts import Texts


@pytest.mark.parametrize("typed", ["", "12", "abcdef", "1234567"])
def test_a_mistyped_code_is_explained_and_costs_no_try(
    typed: str, two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    sent = client.post(
        "/wallets/wallet-a/signin", data={"phone": ALICE, "csrf_token": csrf(form.text)}
    )
    code = texts.codes()[-1]
    token = csrf(sent.text)
    for _ in range(3):
        slip = client.post(
            "/wallets/wallet-a/signin/code",
            data={"phone": ALICE, "code": typed, "csrf_token": token},
        )
        assert slip.status_code == 400
        assert "Enter the 6-figure code we sent you." in slip.text

    spaced = f"{code[:3]} {code[3:]}"
    done = client.post(
        "/wallets/wallet-a/signin/code",
        data={"phone": ALICE, "code": spaced, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
