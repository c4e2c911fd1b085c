"""The FSPIOP v2.0 bodies the switch reads, as pydantic models, checked as strictly as the spec.

Only what the switch acts on is modelled in full (transfers, participants, the ids and parties
it routes by); a body the switch only relays is checked for the fields it reads and otherwise
passed on byte for byte, so the sender's signature still covers it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from comptoir.kernel.fspiop import correlation_uuid

# The patterns are those of the FSPIOP v2.0 OpenAPI document's schemas of the same name.
CorrelationId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
        r"|^[0-9A-HJKMNP-TV-Z]{26}$"
    ),
]


def _storable(value: str) -> str:
    correlation_uuid(value)  # a ULID past 128 bits (first character 8 to Z) is no id
    return value


# The ids the switch stores its objects under (transferId, quoteId, transactionRequestId):
# a UUID, or a ULID kept under the UUID of its 128 bits and written back as sent.
KeyId = Annotated[CorrelationId, AfterValidator(_storable)]
DateTime = Annotated[
    str,
    StringConstraints(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-][01]\d:[0-5]\d)$"
    ),
]
FspId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Relayed(BaseModel):
    """A body the switch passes on: the fields it reads are checked, the rest is the sender's."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Extension(Strict):
    key: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    value: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class ExtensionList(Strict):
    extension: Annotated[list[Extension], Field(min_length=1, max_length=16)]


class Money(Strict):
    currency: Currency
    amount: Amount


class PartyIdInfo(Relayed):
    partyIdType: PartyIdType  # noqa: N815 (the wire name)
    partyIdentifier: Annotated[str, StringConstraints(min_length=1, max_length=128)]  # noqa: N815
    partySubIdOrType: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = (  # noqa: N815
        None
    )
    fspId: FspId | None = None  # noqa: N815


class Party(Relayed):
    partyIdInfo: PartyIdInfo  # noqa: N815


class PartiesPut(Relayed):
    party: Party


class RefundInfo(Relayed):
    originalTransactionId: CorrelationId  # noqa: N815


class TransactionType(Relayed):
    scenario: str
    initiator: str
    initiatorType: str | None = None  # noqa: N815
    refundInfo: RefundInfo | None = None  # noqa: N815


class ParticipantPost(Strict):
    fspId: FspId  # noqa: N815
    currency: Currency | None = None
    extensionList: ExtensionList | None = None  # noqa: N815


class QuotePost(Relayed):
    quoteId: KeyId  # noqa: N815
    transactionId: CorrelationId  # noqa: N815
    payee: Party
    payer: Party
    amountType: Literal["SEND", "RECEIVE"]  # noqa: N815
    amount: Money
    transactionType: TransactionType  # noqa: N815
    expiration: DateTime | None = None


class QuotePut(Relayed):
    transferAmount: Money  # noqa: N815
    expiration: DateTime
    ilpPacket: IlpPacket  # noqa: N815
    condition: IlpCondition


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


class TransactionRequestPut(Relayed):
    transactionRequestState: Literal["RECEIVED", "PENDING", "ACCEPTED", "REJECTED"]  # noqa: N815


class ErrorInformation(Strict):
    errorCode: Annotated[str, StringConstraints(pattern=r"^[1-9]\d{3}$")]  # noqa: N815
    errorDescription: Annotated[str, StringConstraints(min_length=1, max_length=128)]  # noqa: N815
    extensionList: ExtensionList | None = None  # noqa: N815


class ErrorInformationObject(Strict):
    errorInformation: ErrorInformation  # noqa: N815


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)
