"""The tests' check that nothing typed travels in an address ignores ids, and only ids: an
order id holding "555" once failed a checkout test now and then."""

from __future__ import annotations

from tests.support.addresses import without_ids


def test_an_id_holding_a_phones_digits_is_not_taken_for_the_phone() -> None:
    order = "/shop/orders/01a2c555-0199-7abc-8def-0123456789ab/init"
    payment = "/wallets/island-wallet/payments/01a2c55501997abc8def0123456789ab"

    assert "555" not in without_ids(order) and "0199" not in without_ids(order)
    assert "555" not in without_ids(payment)


def test_a_phone_in_an_address_is_still_seen() -> None:
    for address in ("/pay?to=%2B17585550199", "/pay?to=758+555+0199", "/x/17585550199"):
        assert "555" in without_ids(address)
