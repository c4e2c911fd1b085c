"""Contract schemas: Contract, Commitment, Participant, Performance, Settlement, and the objects
of rating, support and tracking (components/schemas of beckn-v2.0.0.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from comptoir.kernel.beckn.models.base import BecknModel, OpenBecknModel, UuidText
from comptoir.kernel.beckn.models.catalog import (
    Attributes,
    Consideration,
    Descriptor,
    Offer,
    Resource,
)


class CommitmentDescriptor(Descriptor):
    code: Literal["DRAFT", "ACTIVE", "CLOSED"] | None = None


class CommitmentStatus(OpenBecknModel):
    descriptor: CommitmentDescriptor | None = None


class CommittedResource(Resource):
    quantity: object = Field(...)


class Commitment(OpenBecknModel):
    id: str | None = None
    status: CommitmentStatus
    resources: list[CommittedResource]
    offer: Offer
    commitment_attributes: Attributes | None = None


class Participant(OpenBecknModel):
    id: str | None = None
    descriptor: Descriptor | None = None
    participant_attributes: Attributes | None = None


class Performance(BecknModel):
    id: str | None = None
    status: Descriptor | None = None
    commitment_ids: list[str] | None = None
    performance_attributes: Attributes | None = None


class Settlement(OpenBecknModel):
    id: str | None = None
    consideration_id: str | None = None
    status: Literal["DRAFT", "COMMITTED", "COMPLETE"] | None = None
    settlement_attributes: Attributes | None = None


ContractState = Literal["DRAFT", "ACTIVE", "CANCELLED", "COMPLETE"]


class ContractStatus(Descriptor):
    code: ContractState | None = None


class Contract(BecknModel):
    commitments: list[Commitment] = Field(min_length=1)
    id: UuidText | None = None
    descriptor: Descriptor | None = None
    consideration: list[Consideration] | None = None
    participants: list[Participant] | None = None
    performance: list[Performance] | None = None
    settlements: list[Settlement] | None = None
    status: ContractStatus | None = None
    contract_attributes: Attributes | None = None


class IdentifiedContract(Contract):
    """A contract that must carry its id (cancel, status, tracking)."""

    id: UuidText


class FormSubmission(BecknModel):
    data: dict[str, str]
    id: str | None = None
    submission_id: UuidText | None = None
    submitted_at: str | None = None


class RatingTarget(OpenBecknModel):
    id: str | None = None
    descriptor: Descriptor | None = None
    target_attributes: Attributes | None = None


class RatingInput(BecknModel):
    target: RatingTarget
    range: dict[str, object]
    feedback_form_submission: FormSubmission | None = None


class Support(BecknModel):
    order_id: str | None = None
    descriptor: Descriptor | None = None
    channels: list[Attributes] | None = Field(default=None, min_length=1)


class Tracking(OpenBecknModel):
    url: str
    status: Literal["ACTIVE", "INACTIVE"]
    contract: IdentifiedContract | None = None
    tracking_attributes: Attributes | None = None
