"""Ranking merged results, and carts whose quantities add up and stay in range."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.apps.buyer.domain import Candidate, CartLine, add_line, rank, set_quantity


def test_a_match_in_the_name_ranks_before_a_match_in_the_description_then_cheapest_first() -> None:
    candidates = [
        Candidate("Cocoa tea", "with nutmeg", "Shop A", 500, False),
        Candidate("Nutmeg (1 kg)", "whole", "Shop B", 2000, False),
        Candidate("Nutmeg (250 g)", "whole", "Shop C", 800, False),
        Candidate("Basket", "woven", "Shop D", 100, False),
    ]

    assert rank(candidates, ["nutmeg"]) == [2, 1, 0, 3]


def test_a_verified_business_wins_a_tie() -> None:
    candidates = [
        Candidate("Nutmeg", "", "Shop A", 800, False),
        Candidate("Nutmeg", "", "Shop B", 800, True),
    ]

    assert rank(candidates, ["nutmeg"]) == [1, 0]


def test_adding_the_same_item_adds_up_its_quantity() -> None:
    line = CartLine("a", "Nutmeg", 2, 800, "XCD")

    cart = add_line(add_line([], line), CartLine("a", "Nutmeg", 3, 800, "XCD"))

    assert [(each.resource_id, each.quantity) for each in cart] == [("a", 5)]


def test_setting_a_quantity_to_zero_removes_the_line() -> None:
    cart = [CartLine("a", "Nutmeg", 2, 800, "XCD"), CartLine("b", "Basket", 1, 4500, "XCD")]

    assert [line.resource_id for line in set_quantity(cart, "a", 0)] == ["b"]
    with pytest.raises(ValueError, match="quantity"):
        set_quantity(cart, "a", 100)


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 99)), max_size=30))
def test_a_cart_never_holds_an_item_twice_nor_more_than_99(adds: list[tuple[str, int]]) -> None:
    cart: list[CartLine] = []
    for resource, quantity in adds:
        cart = add_line(cart, CartLine(resource, resource, quantity, 100, "XCD"))

    assert len({line.resource_id for line in cart}) == len(cart)
    assert all(1 <= line.quantity <= 99 for line in cart)
