"""The FSPIOP v2.0 bodies the switch reads, as pydantic models, checked as strictly as the spec.

Every body the switch takes in is checked against its schema in the OpenAPI document, relayed
ones too (a Mojaloop hub refuses a body its schema refuses, whoever it is for): the required
elements, the enumerations and patterns, and no element the schema does not have
(`additionalProperties: false` everywhere). A relayed body is then passed on byte for byte, so
the sender's signature still covers it.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from comptoir.kernel.fspiop import CORRELATION_ID_PATTERN, correlation_uuid
from comptoir.payments.switch.currencies import CURRENCIES

# The patterns are those of the FSPIOP v2.0 OpenAPI document's schemas of the same name.
CorrelationId = Annotated[str, StringConstraints(pattern=CORRELATION_ID_PATTERN)]


def _storable(value: str) -> str:
    correlation_uuid(value)  # a ULID past 128 bits (first character 8 to Z) is no id
    return value


# The ids the switch stores its objects under (transferId, quoteId, transactionRequestId):
# a UUID, or a ULID kept under the UUID of its 128 bits and written back as sent.
KeyId = Annotated[CorrelationId, AfterValidator(_storable)]
# Schema DateTime: a real date (no 30 February; 29 February in leap years only) and time, with
# milliseconds and a zone.
_DATE = (
    r"(?:[1-9]\d{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)|(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])"
    r"|(?:[2468][048]|[13579][26])00)-02-29)"
)
DateTime = Annotated[
    str,
    StringConstraints(
        pattern=rf"^{_DATE}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{{3}}(?:Z|[+-][01]\d:[0-5]\d)$"
    ),
]
DateOfBirth = Annotated[str, StringConstraints(pattern=rf"^{_DATE}$")]
FspId = Annotated[str, StringConstraints(min_length=1, max_length=32)]


def _listed_currency(value: str) -> str:
    if value not in CURRENCIES:
        # "enum": the error type of a value outside an enumeration, 3101 like the others.
        raise PydanticCustomError("enum", "{value} is not a currency of the API", {"value": value})
    return value


Currency = Annotated[str, AfterValidator(_listed_currency)]
Amount = Annotated[
    str, StringConstraints(pattern=r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")
]
IlpCondition = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-_]{43}$", max_length=48)]
IlpPacket = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9-_]+[=]{0,2}$", min_length=1, max_length=32768)
]
PartyIdType = Literal[
    "MSISDN", "EMAIL", "PERSONAL_ID", "BUSINESS", "DEVICE", "ACCOUNT_ID", "IBAN", "ALIAS"
]
TransferState = Literal["RECEIVED", "RESERVED", "COMMITTED", "ABORTED"]


Text32 = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Text128 = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Text2048 = Annotated[str, StringConstraints(min_length=1, max_length=2048)]

# Schemas FirstName, MiddleName and LastName: "^(?!\s*$)[\p{L}\p{gc=Mark}\p{digit}
# \p{gc=Connector_Punctuation}\p{Join_Control} .,''-]{1,128}$". Python's re knows no \p{...},
# so the class is read off the Unicode general categories: letters (L*), marks (M*), decimal
# digits (Nd), connector punctuation (Pc), the two join controls, and five characters.
_NAME_CATEGORIES = ("L", "M", "Nd", "Pc")
_NAME_CHARACTERS = frozenset(" .,'-\u200c\u200d")


def _name_part(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("string_pattern_mismatch", "a name cannot be only spaces")
    for character in value:
        if character not in _NAME_CHARACTERS and not unicodedata.category(character).startswith(
            _NAME_CATEGORIES
        ):
            raise PydanticCustomError(
                "string_pattern_mismatch",
                "{character} (U+{code}) is not a character of a name",
                {"character": character, "code": f"{ord(character):04X}"},
            )
    return value


NamePart = Annotated[Text128, AfterValidator(_name_part)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Relayed(Strict):
    """A body the switch passes on, checked as one it keeps: the whole of its schema."""


class Extension(Strict):
    key: Text32
    value: Text128


class ExtensionList(Strict):
    extension: Annotated[list[Extension], Field(min_length=1, max_length=16)]


class Money(Strict):
    currency: Currency
    amount: Amount


class PartyIdInfo(Relayed):
    partyIdType: PartyIdType  # noqa: N815 (the wire name)
    partyIdentifier: Text128  # noqa: N815
    partySubIdOrType: Text128 | None = None  # noqa: N815
    fspId: FspId | None = None  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class PartyComplexName(Relayed):
    firstName: NamePart | None = None  # noqa: N815
    middleName: NamePart | None = None  # noqa: N815
    lastName: NamePart | None = None  # noqa: N815


class PartyPersonalInfo(Relayed):
    complexName: PartyComplexName | None = None  # noqa: N815
    dateOfBirth: DateOfBirth | None = None  # noqa: N815
    kycInformation: Text2048 | None = None  # noqa: N815


class Party(Relayed):
    partyIdInfo: PartyIdInfo  # noqa: N815
    merchantClassificationCode: Annotated[str, StringConstraints(pattern=r"^\d{1,4}$")] | None = (  # noqa: N815
        None
    )
    name: Text128 | None = None
    personalInfo: PartyPersonalInfo | None = None  # noqa: N815
    supportedCurrencies: Annotated[list[Currency], Field(max_length=16)] | None = None  # noqa: N815


class PartiesPut(Relayed):
    party: Party


class RefundInfo(Relayed):
    originalTransactionId: CorrelationId  # noqa: N815
    refundReason: Text128 | None = None  # noqa: N815


class TransactionType(Relayed):
    scenario: Literal["DEPOSIT", "WITHDRAWAL", "TRANSFER", "PAYMENT", "REFUND"]
    subScenario: Annotated[str, StringConstraints(pattern=r"^[A-Z_]{1,32}$")] | None = None  # noqa: N815
    initiator: Literal["PAYER", "PAYEE"]
    # Required in v2.0 as in 1.1 (schema TransactionType).
    initiatorType: Literal["CONSUMER", "AGENT", "BUSINESS", "DEVICE"]  # noqa: N815
    refundInfo: RefundInfo | None = None  # noqa: N815
    balanceOfPayments: Annotated[str, StringConstraints(pattern=r"^[1-9]\d{2}$")] | None = None  # noqa: N815


_LATITUDE = r"^(\+|-)?(?:90(?:(?:\.0{1,6})?)|(?:[0-9]|[1-8][0-9])(?:(?:\.[0-9]{1,6})?))$"
_LONGITUDE = (
    r"^(\+|-)?(?:180(?:(?:\.0{1,6})?)|(?:[0-9]|[1-9][0-9]|1[0-7][0-9])(?:(?:\.[0-9]{1,6})?))$"
)


class GeoCode(Relayed):
    latitude: Annotated[str, StringConstraints(pattern=_LATITUDE)]
    longitude: Annotated[str, StringConstraints(pattern=_LONGITUDE)]


class FxRate(Relayed):
    sourceAmount: Money  # noqa: N815
    targetAmount: Money  # noqa: N815


class ParticipantPost(Strict):
    fspId: FspId  # noqa: N815
    currency: Currency | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class ParticipantsPost(Strict):
    """POST /participants: many parties registered at once (at most 10,000)."""

    requestId: KeyId  # noqa: N815
    partyList: list[PartyIdInfo] = Field(min_length=1, max_length=10_000)  # noqa: N815
    currency: Currency | None = None


class QuotePost(Relayed):
    quoteId: KeyId  # noqa: N815
    transactionId: CorrelationId  # noqa: N815
    transactionRequestId: CorrelationId | None = None  # noqa: N815
    payee: Party
    payer: Party
    amountType: Literal["SEND", "RECEIVE"]  # noqa: N815
    amount: Money
    fees: Money | None = None
    transactionType: TransactionType  # noqa: N815
    converter: Literal["PAYER", "PAYEE"] | None = None
    currencyConversion: FxRate | None = None  # noqa: N815
    geoCode: GeoCode | None = None  # noqa: N815
    note: Text128 | None = None
    expiration: DateTime | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class QuotePut(Relayed):
    transferAmount: Money  # noqa: N815
    payeeReceiveAmount: Money | None = None  # noqa: N815
    payeeFspFee: Money | None = None  # noqa: N815
    payeeFspCommission: Money | None = None  # noqa: N815
    expiration: DateTime
    geoCode: GeoCode | None = None  # noqa: N815
    ilpPacket: IlpPacket  # noqa: N815
    condition: IlpCondition
    extensionList: ExtensionList | None = None  # noqa: N815


class TransferPost(Strict):
    transferId: KeyId  # noqa: N815
    payeeFsp: FspId  # noqa: N815
    payerFsp: FspId  # noqa: N815
    amount: Money
    ilpPacket: IlpPacket  # noqa: N815
    condition: IlpCondition
    expiration: DateTime
    extensionList: ExtensionList | None = None  # noqa: N815


class TransferPut(Strict):
    fulfilment: IlpCondition | None = None
    completedTimestamp: DateTime | None = None  # noqa: N815
    transferState: TransferState  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class TransactionRequestPost(Relayed):
    transactionRequestId: KeyId  # noqa: N815
    payee: Party
    payer: PartyIdInfo
    amount: Money
    transactionType: TransactionType  # noqa: N815
    note: Text128 | None = None
    geoCode: GeoCode | None = None  # noqa: N815
    authenticationType: Literal["OTP", "QRCODE", "U2F"] | None = None  # noqa: N815
    expiration: DateTime | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class TransactionRequestPut(Relayed):
    transactionId: CorrelationId | None = None  # noqa: N815
    transactionRequestState: Literal["RECEIVED", "PENDING", "ACCEPTED", "REJECTED"]  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class ErrorInformation(Strict):
    errorCode: Annotated[str, StringConstraints(pattern=r"^[1-9]\d{3}$")]  # noqa: N815
    errorDescription: Text128  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class ErrorInformationObject(Strict):
    errorInformation: ErrorInformation  # noqa: N815


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)
