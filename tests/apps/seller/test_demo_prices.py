"""The demo's prices make sense to a shopper: a pack of several costs about as many times the
single one, a little less per piece, never less than fewer of them."""

from __future__ import annotations

import re

import pytest

from comptoir.apps.seller.demo_catalogue import PLATFORMS, items_of

_COUNTED = re.compile(
    r"^(?:(?P<lead>\d+) (?:pieces|sticks|pods|pains?|bâtons|people|personnes?|person)"
    r"|(?:bag|family|famille) (?:of|de) (?P<of>\d+)|up to (?P<upto>\d+) people"
    r"|(?P<each>each)|(?P<dozen>dozen))$"
)


def _count(size: str) -> int | None:
    found = _COUNTED.match(size)
    if found is None:
        return None
    if found["each"]:
        return 1
    if found["dozen"]:
        return 12
    return int(found["lead"] or found["of"] or found["upto"])


def _products() -> dict[str, list[tuple[str, int]]]:
    """Each demo product's sizes with their prices, by business and product name."""
    sizes: dict[str, list[tuple[str, int]]] = {}
    for platform in PLATFORMS:
        for business in platform.businesses:
            for item in items_of(business):
                found = re.match(r"^(.*) \(([^()]*)\)$", item.name)
                if found:
                    key = f"{business.name}: {found[1]}"
                    sizes.setdefault(key, []).append((found[2], item.price))
    return sizes


def test_the_demo_has_packs_of_several_to_check() -> None:
    counted = [name for name, sizes in _products().items() if all(_count(s) for s, _ in sizes)]
    assert len(counted) >= 10, counted


@pytest.mark.parametrize("name", sorted(_products()))
def test_a_bigger_pack_costs_more_in_all_and_no_more_a_piece(name: str) -> None:
    sizes = _products()[name]
    counts = [_count(size) for size, _price in sizes]
    if not all(counts):
        return  # sizes that are not counts: S to XL, colours, weights, jars
    for (smaller, small_price), (bigger, big_price), small_count, big_count in zip(
        sizes, sizes[1:], counts, counts[1:], strict=False
    ):
        assert small_count is not None and big_count is not None
        assert big_price > small_price, (name, smaller, bigger)
        per_piece_small = small_price / small_count
        per_piece_big = big_price / big_count
        # A little less a piece for buying more, but not a giveaway.
        assert 0.75 * per_piece_small <= per_piece_big <= per_piece_small, (name, bigger)


def test_clothes_cost_the_same_in_every_size() -> None:
    for name, sizes in _products().items():
        if {size for size, _price in sizes} == {"S", "M", "L", "XL"}:
            assert len({price for _size, price in sizes}) == 1, name
