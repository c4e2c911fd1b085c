"""A form with several fields wrong says every problem at once, each beside its own field, so
that a person on a slow connection corrects them all in one go; nothing starts meanwhile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from comptoir.apps.wallet.domain.errors import FieldChecks, FieldsError, WalletError, each_problem
from comptoir.apps.wallet.models import Payment
from comptoir.kernel.i18n import lazy
from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import csrf, sign_in
from tests.support.texts import Texts

LONG_NOTE = "n" * 200


def _beside(page: str, field: str) -> str | None:
    found = re.search(rf'<p class="errors" id="{field}-error">([^<]+)</p>', page)
    return None if found is None else found.group(1)


def test_a_payment_with_three_fields_wrong_names_all_three_beside_their_fields(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")

    refused = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "", "amount": "12 50", "note": LONG_NOTE, "csrf_token": csrf(form.text)},
    )

    assert refused.status_code == 400
    assert "There are 3 problems" in refused.text
    assert _beside(refused.text, "recipient") == (
        "Enter the phone number or alias of the person to pay."
    )
    assert _beside(refused.text, "amount") == "12 50 is not an amount."
    assert _beside(refused.text, "note") == "A note is at most 128 characters."
    for field in ("recipient", "amount", "note"):
        assert re.search(rf'<input id="{field}"[^>]*aria-invalid="true"', refused.text)
    summary = re.search(
        r'<div class="errors" role="alert" id="form-error">(.*?)</div>', refused.text, re.S
    )
    assert summary is not None and summary.group(1).count("<li>") == 3
    with node.wallet.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_one_field_wrong_is_said_as_before_with_no_list(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")

    refused = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": SHOP, "amount": "", "csrf_token": csrf(form.text)},
    )

    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "problems" not in refused.text
    assert _beside(refused.text, "amount") == "Enter an amount."
    assert _beside(refused.text, "recipient") is None


def test_every_problem_comes_back_in_french_after_a_language_switch(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    refused = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "", "amount": "abc", "csrf_token": csrf(form.text)},
    )
    back_to = re.search(r'name="next" value="([^"]+)"', refused.text)
    assert back_to is not None

    switched = client.post(
        "/language",
        data={
            "lang": "fr",
            "next": back_to.group(1).replace("&amp;", "&"),
            "csrf_token": csrf(refused.text),
        },
    )

    assert switched.status_code == 200
    assert "Il y a 2 problèmes" in switched.text
    assert _beside(switched.text, "amount") == "abc n&#39;est pas un montant."
    recipient = _beside(switched.text, "recipient")
    assert recipient is not None and recipient.startswith("Saisissez")


def test_a_request_to_pay_with_every_field_wrong_names_each_in_the_request_words(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")

    refused = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": "", "amount": "-5", "note": LONG_NOTE, "csrf_token": csrf(page.text)},
    )

    assert refused.status_code == 400
    assert "There are 3 problems" in refused.text
    payer = _beside(refused.text, "payer")
    assert payer is not None and payer.startswith(
        "Enter the phone number or alias of the customer who"
    )
    assert _beside(refused.text, "request-amount") == "The amount must be more than zero."
    assert _beside(refused.text, "request-note") == "A note is at most 128 characters."


def test_field_checks_raise_nothing_when_all_pass_one_error_alone_and_several_together() -> None:
    def refuse(code: str) -> int:
        raise WalletError(code, lazy("No."))

    passing = FieldChecks()
    assert passing.check(lambda: 5) == 5
    passing.raise_any()

    alone = FieldChecks()
    assert alone.check(lambda: refuse("amount_missing")) is None
    with pytest.raises(WalletError) as one:
        alone.raise_any()
    assert not isinstance(one.value, FieldsError) and one.value.code == "amount_missing"

    several = FieldChecks()
    several.check(lambda: refuse("missing_recipient"))
    several.check(lambda: 7)
    several.check(lambda: refuse("note_too_long"))
    with pytest.raises(FieldsError) as both:
        several.raise_any()
    assert [problem.code for problem in each_problem(both.value)] == [
        "missing_recipient",
        "note_too_long",
    ]
    assert both.value.code == "missing_recipient"  # as a WalletError, it is the first
