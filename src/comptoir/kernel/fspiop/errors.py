"""FSPIOP error codes and the ErrorInformation bodies that carry them.

The codes and their names are those of the FSPIOP API Definition, section 7.6 "Error Codes"
(tables 127 to 134). A code is four digits: the first is the high-level category (1
communication, 2 server, 3 client, 4 payer, 5 payee), the second the low-level category, the
last two the specific error. Codes xx00 to xx39 are reserved for the API; xx40 and above are
scheme-specific, and a receiver that does not know one reads it as the generic xx00 of its
category (`generic_code`).

Where an error goes (API Definition sections 3.2.4, 9.1 and 9.2):

- An erroneous request that can be refused at once (bad headers, a bad signature, a body that
  fails the schema, an unknown URI, an unsupported version) gets an HTTP 4xx response whose
  body is an ErrorInformationResponse. `FspiopError.http_status` is the status for that case.
- Anything found while processing an accepted request (HTTP 202) goes back asynchronously, as
  the callback `PUT /{resource}/{ID}/error` whose body is an ErrorInformationObject: 3106
  "Modified request", 3303 "Transfer expired", 4001 "Payer FSP insufficient liquidity", ...

`error_body` serves both, since an ErrorInformationObject is also a valid
ErrorInformationResponse.

The spec does not tie codes to HTTP statuses; `http_status` follows the category rule of
Mojaloop's reference error handling (communication 503, server 500, client, payer and payee
400) with the specific statuses of the API Definition's table 4: 406 for 3001 (section
3.3.4.3), 404 for 3002, 501 for 2002 and 503 for 2003 and 2005 ("try again later"). A callback
(PUT) whose URI names a quote, transaction request or transfer that does not exist is refused
at once with 404 ("the resource specified in the URI was not found"), by `not_found_in_uri`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from pydantic import ValidationError

ERROR_CODE_PATTERN: Final = re.compile(r"[1-9]\d{3}")  # components.schemas.ErrorCode
MAX_DESCRIPTION: Final = 128  # ErrorDescription maxLength
MAX_EXTENSION_KEY: Final = 32  # ExtensionKey maxLength
MAX_EXTENSION_VALUE: Final = 128  # ExtensionValue maxLength
MAX_EXTENSIONS: Final = 16  # ExtensionList.extension maxItems


@dataclass(frozen=True)
class ErrorCode:
    code: str
    name: str
    http_status: int


def _codes(http_status: int, *entries: tuple[str, str]) -> dict[str, ErrorCode]:
    return {code: ErrorCode(code, name, http_status) for code, name in entries}


# API Definition section 7.6, tables 127 (1xxx) to 134 (5xxx); names as the spec spells them.
ERROR_CODES: Final[Mapping[str, ErrorCode]] = {
    **_codes(503, ("1000", "Communication error"), ("1001", "Destination communication error")),
    **_codes(
        500,
        ("2000", "Generic server error"),
        ("2001", "Internal server error"),
        ("2004", "Server timed out"),
    ),
    **_codes(501, ("2002", "Not implemented")),
    **_codes(503, ("2003", "Service currently unavailable"), ("2005", "Server busy")),
    **_codes(400, ("3000", "Generic client error")),
    **_codes(406, ("3001", "Unacceptable version requested")),
    **_codes(404, ("3002", "Unknown URI")),
    **_codes(
        400,
        ("3003", "Add Party information error"),
        ("3100", "Generic validation error"),
        ("3101", "Malformed syntax"),
        ("3102", "Missing mandatory element"),
        ("3103", "Too many elements"),
        ("3104", "Too large payload"),
        ("3105", "Invalid signature"),
        ("3106", "Modified request"),
        ("3107", "Missing mandatory extension parameter"),
        ("3200", "Generic ID not found"),
        ("3201", "Destination FSP Error"),
        ("3202", "Payer FSP ID not found"),
        ("3203", "Payee FSP ID not found"),
        ("3204", "Party not found"),
        ("3205", "Quote ID not found"),
        ("3206", "Transaction request ID not found"),
        ("3207", "Transaction ID not found"),
        ("3208", "Transfer ID not found"),
        ("3209", "Bulk quote ID not found"),
        ("3210", "Bulk transfer ID not found"),
        ("3300", "Generic expired error"),
        ("3301", "Transaction request expired"),
        ("3302", "Quote expired"),
        ("3303", "Transfer expired"),
        ("4000", "Generic Payer error"),
        ("4001", "Payer FSP insufficient liquidity"),
        ("4100", "Generic Payer rejection"),
        ("4101", "Payer rejected transaction request"),
        ("4102", "Payer FSP unsupported transaction type"),
        ("4103", "Payer unsupported currency"),
        ("4200", "Payer limit error"),
        ("4300", "Payer permission error"),
        ("4400", "Generic Payer blocked error"),
        ("5000", "Generic Payee error"),
        ("5001", "Payee FSP insufficient liquidity"),
        ("5100", "Generic Payee rejection"),
        ("5101", "Payee rejected quote"),
        ("5102", "Payee FSP unsupported transaction type"),
        ("5103", "Payee FSP rejected quote"),
        ("5104", "Payee rejected transaction"),
        ("5105", "Payee FSP rejected transaction"),
        ("5106", "Payee unsupported currency"),
        ("5200", "Payee limit error"),
        ("5300", "Payee permission error"),
        ("5400", "Generic Payee blocked error"),
    ),
}
_CATEGORY_STATUS: Final = {"1": 503, "2": 500, "3": 400, "4": 400, "5": 400}


def generic_code(code: str) -> str:
    """The code a receiver should act on: itself when the API defines it, else the generic
    xx00 of its category (API Definition section 7.6)."""
    return code if code in ERROR_CODES else code[:2] + "00"


def describe_code(code: str) -> ErrorCode:
    """The name and status of any well-formed code, scheme-specific ones included."""
    if not ERROR_CODE_PATTERN.fullmatch(code):
        raise ValueError(f"{code!r} is not an FSPIOP error code (four digits, no leading zero)")
    known = ERROR_CODES.get(code) or ERROR_CODES.get(generic_code(code))
    if known is not None:
        return ErrorCode(code, known.name, known.http_status)
    return ErrorCode(code, "Error", _CATEGORY_STATUS.get(code[0], 400))


class FspiopError(Exception):
    """An FSPIOP error: a code, its description (at most 128 characters) and extensions.

    `detail` says what went wrong, naming the offending element as section 7.6 asks for 3101;
    the description sent is "<name> - <detail>", cut to fit.
    """

    def __init__(
        self,
        code: str | int,
        detail: str | None = None,
        *,
        extensions: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        http_status: int | None = None,
    ) -> None:
        described = describe_code(str(code))
        self.code = described.code
        self.name = described.name
        self.detail = detail
        self.http_status = http_status if http_status is not None else described.http_status
        self.description = _fit(f"{self.name} - {detail}" if detail else self.name)
        self.extensions = _checked_extensions(extensions)
        super().__init__(f"{self.code} {self.description}")

    @classmethod
    def from_error_information(
        cls,
        code: str,
        description: str,
        extensions: Iterable[tuple[str, str]] = (),
    ) -> FspiopError:
        """An error as a peer reported it, its description kept word for word."""
        error = cls(code, extensions=extensions)
        error.description = _fit(description)
        error.detail = description
        return error

    def __repr__(self) -> str:
        return f"FspiopError({self.code!r}, {self.description!r})"


def not_found_in_uri(code: str, detail: str) -> FspiopError:
    """A callback about an id that names nothing here (3205, 3206, 3208 ...): refused at once
    with 404, as table 4 of the API Definition answers a URI whose resource was not found."""
    return FspiopError(code, detail, http_status=404)


def error_body(error: FspiopError) -> dict[str, object]:
    """The ErrorInformationObject for `error`, for an error callback or a 4xx response."""
    information: dict[str, object] = {
        "errorCode": error.code,
        "errorDescription": error.description,
    }
    if error.extensions:
        information["extensionList"] = {
            "extension": [{"key": key, "value": value} for key, value in error.extensions]
        }
    return {"errorInformation": information}


def error_from_body(document: object) -> FspiopError:
    """Read an ErrorInformationObject (the body of `PUT .../error`); a body that is not one
    is refused with 3101 or 3102, like any other malformed request."""
    if not isinstance(document, Mapping):
        raise FspiopError("3101", "the body must be a JSON object")
    _no_other_members(document, {"errorInformation"}, "body")
    information = document.get("errorInformation")
    if information is None:
        raise FspiopError("3102", "errorInformation is missing")
    if not isinstance(information, Mapping):
        raise FspiopError("3101", "errorInformation must be an object")
    _no_other_members(
        information, {"errorCode", "errorDescription", "extensionList"}, "errorInformation"
    )
    code = _required_string(information, "errorCode")
    if not ERROR_CODE_PATTERN.fullmatch(code):
        raise FspiopError("3101", "errorInformation.errorCode must be four digits")
    description = _required_string(information, "errorDescription")
    if not 1 <= len(description) <= MAX_DESCRIPTION:
        raise FspiopError("3101", "errorInformation.errorDescription must be 1 to 128 characters")
    try:
        extensions = _read_extension_list(information.get("extensionList"))
        return FspiopError.from_error_information(code, description, extensions)
    except ValueError as error:
        raise FspiopError("3101", f"errorInformation.extensionList: {error}") from None


class SchemaViolation(Protocol):
    """What a JSON Schema validator reports (the shape of `jsonschema.ValidationError`)."""

    validator: object
    validator_value: object
    instance: object
    absolute_path: Sequence[str | int]
    message: str


# How a failed check maps onto the API's validation errors, as Mojaloop's reference
# error handling maps its validator's: a missing element is 3102, a value in the wrong format
# or type 3101, an array over its limit 3103, anything else the generic 3100.
_MISSING_TYPES: Final = frozenset({"missing", "missing_argument", "missing_keyword_only_argument"})
_MALFORMED_SUFFIXES: Final = ("_type", "_parsing", "_pattern_mismatch")
_MALFORMED_TYPES: Final = frozenset(
    {
        "enum",
        "literal_error",
        "json_invalid",
        "string_too_short",
        "string_too_long",
        "too_short",
        "uuid_version",
        "date_from_datetime_inexact",
        "decimal_max_digits",
        "decimal_max_places",
    }
)
_SCHEMA_MALFORMED: Final = frozenset(
    {
        "type",
        "pattern",
        "format",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "minItems",
    }
)


def validation_error(failure: ValidationError | SchemaViolation) -> FspiopError:
    """3102, 3101, 3103 or 3100 for a body that failed its pydantic model or JSON schema,
    the description naming the first offending element (and how many more there are)."""
    if isinstance(failure, ValidationError):
        problems = failure.errors(include_url=False, include_context=False, include_input=False)
        first = problems[0]
        path = _path(first["loc"])
        code = _code_for_pydantic(first["type"])
        detail = f"{path}: {first['msg']}"
        if len(problems) > 1:
            detail += f" (and {len(problems) - 1} more)"
        return FspiopError(code, detail)
    keyword = str(failure.validator)
    path = _path(tuple(failure.absolute_path))
    if keyword == "required":
        missing = _missing_properties(failure.validator_value, failure.instance) or "an element"
        element = f"{path}.{missing}" if failure.absolute_path else missing
        return FspiopError("3102", f"{element} is missing")
    if keyword == "maxItems":
        return FspiopError("3103", f"{path}: {failure.message}")
    code = "3101" if keyword in _SCHEMA_MALFORMED else "3100"
    return FspiopError(code, f"{path}: {failure.message}")


def _code_for_pydantic(error_type: str) -> str:
    if error_type in _MISSING_TYPES:
        return "3102"
    if error_type == "too_long":
        return "3103"
    if error_type in _MALFORMED_TYPES or error_type.endswith(_MALFORMED_SUFFIXES):
        return "3101"
    return "3100"


def _path(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def _missing_properties(required: object, instance: object) -> str:
    if not isinstance(required, list) or not isinstance(instance, Mapping):
        return ""
    return ", ".join(str(name) for name in required if name not in instance)


def _fit(description: str) -> str:
    description = description.strip() or "Error"
    if len(description) <= MAX_DESCRIPTION:
        return description
    return description[: MAX_DESCRIPTION - 1] + "…"


def _checked_extensions(
    extensions: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    if extensions is None:
        return ()
    pairs = tuple(extensions.items() if isinstance(extensions, Mapping) else extensions)
    if len(pairs) > MAX_EXTENSIONS:
        raise ValueError(f"an extension list holds at most {MAX_EXTENSIONS} extensions")
    for key, value in pairs:
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_EXTENSION_KEY:
            raise ValueError(f"an extension key must be 1 to {MAX_EXTENSION_KEY} characters")
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_EXTENSION_VALUE:
            raise ValueError(f"an extension value must be 1 to {MAX_EXTENSION_VALUE} characters")
    return pairs


def _read_extension_list(extension_list: object) -> tuple[tuple[str, str], ...]:
    if extension_list is None:
        return ()
    if not isinstance(extension_list, Mapping) or set(extension_list) != {"extension"}:
        raise ValueError('it must be an object with one member, "extension"')
    items = extension_list["extension"]
    if not isinstance(items, list) or not items:
        raise ValueError("extension must be a non-empty array")
    pairs: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, Mapping) or set(item) != {"key", "value"}:
            raise ValueError('each extension must be an object with "key" and "value"')
        pairs.append((item["key"], item["value"]))
    return _checked_extensions(pairs)


def _required_string(members: Mapping[str, object], name: str) -> str:
    value = members.get(name)
    if value is None:
        raise FspiopError("3102", f"errorInformation.{name} is missing")
    if not isinstance(value, str):
        raise FspiopError("3101", f"errorInformation.{name} must be a string")
    return value


def _no_other_members(members: Mapping[object, object], allowed: set[str], where: str) -> None:
    # The schemas say additionalProperties: false.
    extra = sorted(str(name) for name in members if name not in allowed)
    if extra:
        raise FspiopError("3101", f"{where} has members the API does not define: {extra}")
