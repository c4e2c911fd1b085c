"""FSPIOP error codes, ErrorInformation bodies, and validation failures turned into codes."""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from comptoir.kernel.fspiop import (
    ERROR_CODES,
    FspiopError,
    describe_code,
    error_body,
    error_from_body,
    generic_code,
    validation_error,
)
from comptoir.kernel.fspiop.errors import (
    ERROR_CODE_PATTERN,
    MAX_DESCRIPTION,
    MAX_EXTENSION_KEY,
    MAX_EXTENSION_VALUE,
    MAX_EXTENSIONS,
)
from tests.kernel.fspiop import json_schema_for, openapi_schemas

# API Definition section 7.6, tables 127 to 134, as the spec names them.
SPEC_NAMES = {
    "1000": "Communication error",
    "1001": "Destination communication error",
    "2000": "Generic server error",
    "2001": "Internal server error",
    "2002": "Not implemented",
    "2003": "Service currently unavailable",
    "2004": "Server timed out",
    "2005": "Server busy",
    "3000": "Generic client error",
    "3001": "Unacceptable version requested",
    "3002": "Unknown URI",
    "3003": "Add Party information error",
    "3100": "Generic validation error",
    "3101": "Malformed syntax",
    "3102": "Missing mandatory element",
    "3103": "Too many elements",
    "3104": "Too large payload",
    "3105": "Invalid signature",
    "3106": "Modified request",
    "3107": "Missing mandatory extension parameter",
    "3200": "Generic ID not found",
    "3201": "Destination FSP Error",
    "3202": "Payer FSP ID not found",
    "3203": "Payee FSP ID not found",
    "3204": "Party not found",
    "3205": "Quote ID not found",
    "3206": "Transaction request ID not found",
    "3207": "Transaction ID not found",
    "3208": "Transfer ID not found",
    "3209": "Bulk quote ID not found",
    "3210": "Bulk transfer ID not found",
    "3300": "Generic expired error",
    "3301": "Transaction request expired",
    "3302": "Quote expired",
    "3303": "Transfer expired",
    "4000": "Generic Payer error",
    "4001": "Payer FSP insufficient liquidity",
    "4100": "Generic Payer rejection",
    "4101": "Payer rejected transaction request",
    "4102": "Payer FSP unsupported transaction type",
    "4103": "Payer unsupported currency",
    "4200": "Payer limit error",
    "4300": "Payer permission error",
    "4400": "Generic Payer blocked error",
    "5000": "Generic Payee error",
    "5001": "Payee FSP insufficient liquidity",
    "5100": "Generic Payee rejection",
    "5101": "Payee rejected quote",
    "5102": "Payee FSP unsupported transaction type",
    "5103": "Payee FSP rejected quote",
    "5104": "Payee rejected transaction",
    "5105": "Payee FSP rejected transaction",
    "5106": "Payee unsupported currency",
    "5200": "Payee limit error",
    "5300": "Payee permission error",
    "5400": "Generic Payee blocked error",
}

descriptions = st.text(min_size=0, max_size=300)
extension_lists = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=MAX_EXTENSION_KEY),
        st.text(min_size=1, max_size=MAX_EXTENSION_VALUE),
    ),
    max_size=MAX_EXTENSIONS,
)
any_code = st.from_regex(ERROR_CODE_PATTERN, fullmatch=True)


def schema_validator(name: str) -> Any:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema checks bodies against the FSPIOP OpenAPI schemas"
    )
    return jsonschema.Draft202012Validator(json_schema_for(name))


def test_the_table_holds_every_code_of_the_api_definition_with_its_name() -> None:
    assert {code: entry.name for code, entry in ERROR_CODES.items()} == SPEC_NAMES


def test_every_code_in_the_table_has_the_shape_of_the_error_code_schema() -> None:
    assert all(ERROR_CODE_PATTERN.fullmatch(code) for code in ERROR_CODES)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("1001", 503),
        ("2001", 500),
        ("2002", 501),
        ("2003", 503),
        ("2005", 503),
        ("3001", 406),
        ("3002", 404),
        ("3100", 400),
        ("3101", 400),
        ("3102", 400),
        ("3105", 400),
        ("3106", 400),
        ("3208", 400),
        ("3303", 400),
        ("4001", 400),
        ("4200", 400),
        ("5106", 400),
    ],
)
def test_a_code_answers_synchronously_with_the_status_of_its_kind(code: str, status: int) -> None:
    assert FspiopError(code).http_status == status


def test_the_status_can_be_set_where_the_route_knows_better() -> None:
    assert FspiopError("3000", "method not allowed", http_status=405).http_status == 405


def test_a_scheme_specific_code_is_read_as_the_generic_code_of_its_category() -> None:
    assert generic_code("3141") == "3100"
    assert generic_code("4001") == "4001"
    error = FspiopError("3141", "a scheme rule")
    assert (error.code, error.name, error.http_status) == ("3141", "Generic validation error", 400)


def test_a_code_in_a_category_the_api_does_not_define_still_has_a_name_and_status() -> None:
    assert describe_code("7001").name == "Error"
    assert describe_code("7001").http_status == 400


@pytest.mark.parametrize("code", ["0123", "123", "12345", "31a1", "-310", ""])
def test_a_malformed_code_is_a_programming_error(code: str) -> None:
    with pytest.raises(ValueError, match="not an FSPIOP error code"):
        FspiopError(code)


def test_the_description_is_the_name_then_what_went_wrong() -> None:
    error = FspiopError(3101, "amount.amount: the amount '5.ABC' is not a number")
    assert error.code == "3101"
    assert (
        error.description == "Malformed syntax - amount.amount: the amount '5.ABC' is not a number"
    )
    assert FspiopError("3303").description == "Transfer expired"


@given(detail=descriptions)
def test_the_description_never_passes_128_characters(detail: str) -> None:
    description = FspiopError("3100", detail).description
    assert 1 <= len(description) <= MAX_DESCRIPTION
    assert description.startswith("Generic validation error")


def test_the_error_body_has_the_shape_of_error_information_object() -> None:
    error = FspiopError("3001", "only 2.0", extensions=[("2", "0")])
    assert error_body(error) == {
        "errorInformation": {
            "errorCode": "3001",
            "errorDescription": "Unacceptable version requested - only 2.0",
            "extensionList": {"extension": [{"key": "2", "value": "0"}]},
        }
    }
    assert error_body(FspiopError("3100")) == {
        "errorInformation": {"errorCode": "3100", "errorDescription": "Generic validation error"}
    }


@given(code=any_code, detail=descriptions, extensions=extension_lists)
def test_every_error_body_validates_against_the_openapi_schemas(
    code: str, detail: str, extensions: list[tuple[str, str]]
) -> None:
    body = error_body(FspiopError(code, detail, extensions=extensions))
    for schema in ("ErrorInformationObject", "ErrorInformationResponse"):
        assert list(schema_validator(schema).iter_errors(body)) == []


def test_the_limits_used_here_are_the_limits_of_the_openapi_document() -> None:
    schemas: dict[str, Any] = openapi_schemas()
    assert schemas["ErrorCode"]["pattern"] == f"^{ERROR_CODE_PATTERN.pattern}$"
    assert schemas["ErrorDescription"]["maxLength"] == MAX_DESCRIPTION
    assert schemas["ExtensionKey"]["maxLength"] == MAX_EXTENSION_KEY
    assert schemas["ExtensionValue"]["maxLength"] == MAX_EXTENSION_VALUE
    extension = schemas["ExtensionList"]["properties"]["extension"]
    assert (extension["minItems"], extension["maxItems"]) == (1, MAX_EXTENSIONS)
    assert schemas["ErrorInformationObject"]["required"] == ["errorInformation"]
    assert schemas["ErrorInformation"]["required"] == ["errorCode", "errorDescription"]


def test_the_schema_check_itself_refuses_a_body_that_breaks_the_rules() -> None:
    bad = {"errorInformation": {"errorCode": "0100", "errorDescription": "", "other": 1}}
    assert len(list(schema_validator("ErrorInformationObject").iter_errors(bad))) == 3


@pytest.mark.parametrize(
    "extensions",
    [
        [("", "v")],
        [("k" * (MAX_EXTENSION_KEY + 1), "v")],
        [("k", "")],
        [("k", "v" * (MAX_EXTENSION_VALUE + 1))],
        [(str(n), "v") for n in range(MAX_EXTENSIONS + 1)],
    ],
)
def test_extensions_outside_the_schema_are_refused(extensions: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="extension"):
        FspiopError("3100", extensions=extensions)


@given(code=any_code, detail=descriptions, extensions=extension_lists)
def test_an_error_body_reads_back_as_the_same_error(
    code: str, detail: str, extensions: list[tuple[str, str]]
) -> None:
    sent = FspiopError(code, detail, extensions=extensions)
    received = error_from_body(error_body(sent))
    assert (received.code, received.description, received.extensions) == (
        sent.code,
        sent.description,
        sent.extensions,
    )
    assert error_body(received) == error_body(sent)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "3101"),
        ({}, "3102"),
        ({"errorInformation": "3100"}, "3101"),
        ({"errorInformation": {"errorDescription": "x"}}, "3102"),
        ({"errorInformation": {"errorCode": "3100"}}, "3102"),
        ({"errorInformation": {"errorCode": 3100, "errorDescription": "x"}}, "3101"),
        ({"errorInformation": {"errorCode": "31000", "errorDescription": "x"}}, "3101"),
        ({"errorInformation": {"errorCode": "3100", "errorDescription": ""}}, "3101"),
        ({"errorInformation": {"errorCode": "3100", "errorDescription": "x", "more": 1}}, "3101"),
        ({"errorInformation": {"errorCode": "3100", "errorDescription": "x"}, "x": 1}, "3101"),
        (
            {
                "errorInformation": {
                    "errorCode": "3100",
                    "errorDescription": "x",
                    "extensionList": {"extension": []},
                }
            },
            "3101",
        ),
        (
            {
                "errorInformation": {
                    "errorCode": "3100",
                    "errorDescription": "x",
                    "extensionList": [{"key": "a", "value": "b"}],
                }
            },
            "3101",
        ),
    ],
)
def test_a_body_that_is_not_error_information_is_refused(body: object, code: str) -> None:
    with pytest.raises(FspiopError) as refused:
        error_from_body(body)
    assert refused.value.code == code


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    amount: Annotated[str, Field(pattern=r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")]


class Extension(BaseModel):
    key: str
    value: str


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transferId: str  # noqa: N815 (the API's own member names)
    amount: Money
    extension: Annotated[list[Extension], Field(max_length=2)] = []


def failure(document: object) -> PydanticValidationError:
    with pytest.raises(PydanticValidationError) as failed:
        Transfer.model_validate(document)
    return failed.value


GOOD = {"transferId": "t-1", "amount": {"currency": "XCD", "amount": "10.5"}}


def test_a_missing_element_is_3102_naming_it() -> None:
    error = validation_error(failure({"transferId": "t-1", "amount": {"amount": "10"}}))
    assert error.code == "3102"
    assert error.description.startswith("Missing mandatory element - amount.currency")


@pytest.mark.parametrize(
    "amount", [{"currency": "XCD", "amount": "5.ABC"}, {"currency": "XCD", "amount": "-1"}]
)
def test_a_malformed_value_is_3101_naming_it(amount: dict[str, str]) -> None:
    error = validation_error(failure({**GOOD, "amount": amount}))
    assert error.code == "3101"
    assert error.description.startswith("Malformed syntax - amount.amount")


def test_a_value_of_the_wrong_type_is_3101() -> None:
    error = validation_error(failure({**GOOD, "transferId": 7}))
    assert (error.code, error.detail is not None and error.detail.startswith("transferId")) == (
        "3101",
        True,
    )


def test_too_many_elements_is_3103() -> None:
    items = [{"key": "a", "value": "b"}] * 3
    assert validation_error(failure({**GOOD, "extension": items})).code == "3103"


def test_an_unknown_member_is_the_generic_3100() -> None:
    error = validation_error(failure({**GOOD, "surprise": True}))
    assert error.code == "3100"
    assert "surprise" in error.description


def test_the_description_counts_the_other_failures() -> None:
    error = validation_error(failure({"amount": {"currency": "x", "amount": "y"}}))
    assert error.detail is not None
    assert error.detail.endswith("(and 2 more)")


def json_schema_failure(document: object) -> Any:
    validator = schema_validator("TransfersPostRequest")
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert errors, "the document was expected to fail"
    return errors[0]


TRANSFER: dict[str, Any] = {
    "transferId": "b51ec534-ee48-4575-b6a9-ead2955b8069",
    "payerFsp": "wallet-a",
    "payeeFsp": "wallet-b",
    "amount": {"currency": "XCD", "amount": "10.5"},
    "ilpPacket": base64.urlsafe_b64encode(b"an ILP packet").decode(),
    "condition": base64.urlsafe_b64encode(hashlib.sha256(b"fulfilment").digest())
    .decode()
    .rstrip("="),
    "expiration": "2026-05-24T08:38:08.699-04:00",
}


def test_the_transfer_example_passes_the_schema_these_tests_use() -> None:
    assert list(schema_validator("TransfersPostRequest").iter_errors(TRANSFER)) == []


def test_a_json_schema_required_failure_is_3102_naming_the_missing_property() -> None:
    document = {**TRANSFER, "amount": {"amount": "10"}}
    error = validation_error(json_schema_failure(document))
    assert error.code == "3102"
    assert error.detail == "amount.currency is missing"


def test_a_json_schema_pattern_failure_is_3101_naming_the_element() -> None:
    trailing_zero = {**TRANSFER, "amount": {"currency": "XCD", "amount": "1.50"}}
    error = validation_error(json_schema_failure(trailing_zero))
    assert error.code == "3101"
    assert error.detail is not None
    assert error.detail.startswith("amount.amount:")


def test_a_json_schema_failure_on_an_unknown_member_is_3100() -> None:
    error = validation_error(json_schema_failure({**TRANSFER, "surprise": 1}))
    assert error.code == "3100"


def test_a_json_schema_failure_on_a_long_list_is_3103() -> None:
    extensions = [{"key": "k", "value": "v"}] * (MAX_EXTENSIONS + 1)
    document = {**TRANSFER, "extensionList": {"extension": extensions}}
    assert validation_error(json_schema_failure(document)).code == "3103"
