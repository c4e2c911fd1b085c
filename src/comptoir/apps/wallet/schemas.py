"""The FSPIOP v2.0 bodies the wallet receives, as the OpenAPI document defines them.

Members outside the schema are refused (`additionalProperties: false`), as are values outside
their patterns; `read` turns a failure into the FSPIOP validation error (3100, 3101, 3102 or
3103) naming the first offending element.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from comptoir.apps.wallet.domain.amounts import from_wire
from comptoir.kernel.fspiop import FspiopError, validation_error
from comptoir.kernel.money import MoneyError

CorrelationId = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
        r"|^[0-9A-HJKMNP-TV-Z]{26}$"
    ),
]
AmountText = Annotated[str, Field(pattern=r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
FspId = Annotated[str, Field(min_length=1, max_length=32)]
DateTimeText = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$"),
]
IlpCondition = Annotated[str, Field(pattern=r"^[A-Za-z0-9-_]{43}$", max_length=48)]
IlpPacketText = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9-_]+[=]{0,2}$", min_length=1, max_length=32768)
]
Text128 = Annotated[str, Field(min_length=1, max_length=128)]
PartyIdTypeName = Literal[
    "MSISDN", "EMAIL", "PERSONAL_ID", "BUSINESS", "DEVICE", "ACCOUNT_ID", "IBAN", "ALIAS"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Extension(Strict):
    key: Annotated[str, Field(min_length=1, max_length=32)]
    value: Annotated[str, Field(min_length=1, max_length=128)]


class ExtensionList(Strict):
    extension: Annotated[list[Extension], Field(min_length=1, max_length=16)]


class MoneyBody(Strict):
    currency: CurrencyCode
    amount: AmountText


class PartyIdInfo(Strict):
    partyIdType: PartyIdTypeName  # noqa: N815 (the wire's member names)
    partyIdentifier: Text128  # noqa: N815
    partySubIdOrType: Text128 | None = None  # noqa: N815
    fspId: FspId | None = None  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class Party(Strict):
    partyIdInfo: PartyIdInfo  # noqa: N815
    merchantClassificationCode: Annotated[str, Field(pattern=r"^[\d]{1,4}$")] | None = None  # noqa: N815
    name: Text128 | None = None
    personalInfo: dict[str, Any] | None = None  # noqa: N815
    supportedCurrencies: Annotated[list[CurrencyCode], Field(max_length=16)] | None = None  # noqa: N815


class Refund(Strict):
    originalTransactionId: CorrelationId  # noqa: N815
    refundReason: Text128 | None = None  # noqa: N815


class TransactionType(Strict):
    scenario: Literal["DEPOSIT", "WITHDRAWAL", "TRANSFER", "PAYMENT", "REFUND"]
    subScenario: Annotated[str, Field(pattern=r"^[A-Z_]{1,32}$")] | None = None  # noqa: N815
    initiator: Literal["PAYER", "PAYEE"]
    initiatorType: Literal["CONSUMER", "AGENT", "BUSINESS", "DEVICE"]  # noqa: N815
    refundInfo: Refund | None = None  # noqa: N815
    balanceOfPayments: Annotated[str, Field(pattern=r"^[1-9]\d{2}$")] | None = None  # noqa: N815


class PartiesPut(Strict):
    party: Party


class ParticipantsPut(Strict):
    fspId: FspId | None = None  # noqa: N815


class QuotesPost(Strict):
    quoteId: CorrelationId  # noqa: N815
    transactionId: CorrelationId  # noqa: N815
    transactionRequestId: CorrelationId | None = None  # noqa: N815
    payee: Party
    payer: Party
    amountType: Literal["SEND", "RECEIVE"]  # noqa: N815
    amount: MoneyBody
    fees: MoneyBody | None = None
    transactionType: TransactionType  # noqa: N815
    converter: Literal["PAYER", "PAYEE"] | None = None
    currencyConversion: dict[str, Any] | None = None  # noqa: N815
    geoCode: dict[str, Any] | None = None  # noqa: N815
    note: Text128 | None = None
    expiration: DateTimeText | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class QuotesPut(Strict):
    transferAmount: MoneyBody  # noqa: N815
    payeeReceiveAmount: MoneyBody | None = None  # noqa: N815
    payeeFspFee: MoneyBody | None = None  # noqa: N815
    payeeFspCommission: MoneyBody | None = None  # noqa: N815
    expiration: DateTimeText
    geoCode: dict[str, Any] | None = None  # noqa: N815
    ilpPacket: IlpPacketText  # noqa: N815
    condition: IlpCondition
    extensionList: ExtensionList | None = None  # noqa: N815


class TransfersPost(Strict):
    transferId: CorrelationId  # noqa: N815
    payeeFsp: FspId  # noqa: N815
    payerFsp: FspId  # noqa: N815
    amount: MoneyBody
    ilpPacket: IlpPacketText  # noqa: N815
    condition: IlpCondition
    expiration: DateTimeText
    extensionList: ExtensionList | None = None  # noqa: N815


TransferStateName = Literal["RECEIVED", "RESERVED", "COMMITTED", "ABORTED"]


class TransfersPut(Strict):
    fulfilment: IlpCondition | None = None
    completedTimestamp: DateTimeText | None = None  # noqa: N815
    transferState: TransferStateName  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class TransfersPatch(Strict):
    completedTimestamp: DateTimeText  # noqa: N815
    transferState: TransferStateName  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class TransactionRequestsPost(Strict):
    transactionRequestId: CorrelationId  # noqa: N815
    payee: Party
    payer: PartyIdInfo
    amount: MoneyBody
    transactionType: TransactionType  # noqa: N815
    note: Text128 | None = None
    geoCode: dict[str, Any] | None = None  # noqa: N815
    authenticationType: Literal["OTP", "QRCODE", "U2F"] | None = None  # noqa: N815
    expiration: DateTimeText | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class TransactionRequestsPut(Strict):
    transactionId: CorrelationId | None = None  # noqa: N815
    transactionRequestState: Literal["RECEIVED", "PENDING", "ACCEPTED", "REJECTED"]  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


Body = TypeVar("Body", bound=Strict)


def read(model: type[Body], document: object) -> Body:
    """`document` as `model`, or the FSPIOP validation error for the first thing wrong."""
    if not isinstance(document, dict):
        raise FspiopError("3101", "the body must be a JSON object")
    try:
        return model.model_validate(document)
    except ValidationError as failure:
        raise validation_error(failure) from None


def minor_units(money: MoneyBody, where: str) -> int:
    """An FSPIOP Money in minor units; 3100 when the currency cannot hold it exactly."""
    try:
        return from_wire(money.amount, money.currency)
    except (MoneyError, ValueError):
        raise FspiopError(
            "3100", f"{where}: {money.amount} {money.currency} is not an exact amount"
        ) from None


def moment(text: str, where: str) -> datetime:
    """An FSPIOP DateTime (the schema checked its form) as an aware datetime."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FspiopError("3101", f"{where}: {text} is not a date and time") from None
