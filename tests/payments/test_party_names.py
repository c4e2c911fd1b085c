"""The parts of a party's complex name (FirstName, MiddleName, LastName) are checked against the
pattern of the FSPIOP v2.0 OpenAPI document, character class by character class."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from comptoir.kernel.fspiop import validation_error
from comptoir.payments.switch.schemas import PartyComplexName


@pytest.mark.parametrize(
    "name",
    [
        "Henrik",
        "Marie-Claire",
        "O'Neil",
        "St. John, Jr.",
        "Zoë",
        "Nguyễn",  # precomposed
        "Nguye\u0302\u0303n",  # with combining marks (Mn)
        "李小龍",
        "Anne_Marie",  # connector punctuation
        "Louis 14",
        "\u0645\u06cc\u200c\u0631\u0648\u062f",  # a zero-width non-joiner inside a Persian word
    ],
)
def test_a_name_the_pattern_allows_is_accepted_in_every_part(name: str) -> None:
    parsed = PartyComplexName.model_validate(
        {"firstName": name, "middleName": name, "lastName": name}
    )
    assert parsed.lastName == name


@pytest.mark.parametrize(
    "name",
    ["   ", "<script>", "Bob!", "ana@shop", "Tab\there", "Smile 😀", "a/b", "x" * 129, ""],
)
def test_a_name_the_pattern_refuses_is_answered_3101_naming_the_part(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        PartyComplexName.model_validate({"firstName": "Ana", "lastName": name})
    error = validation_error(refused.value)
    assert error.code == "3101"
    assert "lastName" in error.description
