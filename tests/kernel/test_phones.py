"""Phone numbers as people type them: international ones from anywhere, and, on a node that
serves a country, that country's numbers as its people write them."""

from __future__ import annotations

import pytest

from comptoir.kernel.phones import (
    current_phone_region,
    e164_phone,
    set_current_phone_region,
    shown_phone,
)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+1 758 555 0101", "+17585550101"),
        ("+1 (758) 555-0101", "+17585550101"),
        ("001 758 555 0101", "+17585550101"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_an_international_number_is_read_as_written_whatever_the_country(
    typed: str, e164: str
) -> None:
    assert e164_phone(typed, region="LC") == e164
    assert e164_phone(typed) == e164


@pytest.mark.parametrize(
    "typed", ["758 555 0201", "(758) 555-0201", "758-555-0201", "1 758 555 0201", "555 0201"]
)
def test_a_saint_lucian_writes_a_local_number_as_they_dial_it(typed: str) -> None:
    assert e164_phone(typed, region="LC") == "+17585550201"


def test_a_number_in_french_national_form_is_read_in_france() -> None:
    assert e164_phone("06 12 34 56 78", region="FR") == "+33612345678"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "0101",
        "+1 555 0101",  # seven digits: dialled only locally, no area code
        "+999 1234 5678",  # no such country code
        "call me",
        "+1 758 555 0101 0101 0101",
        "7" * 300,
    ],
)
def test_what_cannot_be_a_number_anyone_could_call_is_none(typed: str) -> None:
    assert e164_phone(typed, region="LC") is None
    assert e164_phone(typed) is None


def test_without_a_country_digits_alone_are_read_as_international() -> None:
    assert e164_phone("17585550101") == "+17585550101"
    assert e164_phone("758 555 0101") is None  # not +7 (Russia): the wrong length for it


def test_the_country_of_the_request_is_the_default_and_an_explicit_one_wins() -> None:
    before = current_phone_region()
    try:
        set_current_phone_region("LC")
        assert e164_phone("758 555 0201") == "+17585550201"
        assert e164_phone("06 12 34 56 78", region="FR") == "+33612345678"
    finally:
        set_current_phone_region(before)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+17585550101", "+1 758 555 0101"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("+442079460958", "+44 20 7946 0958"),
        ("758 555 0101", "758 555 0101"),  # as typed: shown as it is
        ("+", "+"),
    ],
)
def test_a_stored_number_is_shown_grouped_as_its_country_writes_it(stored: str, shown: str) -> None:
    assert shown_phone(stored) == shown
