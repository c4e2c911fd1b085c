"""The Beckn v2.0 protocol layer, shared by the network block and the participant apps.

- `models`: typed pydantic models of the v2.0 messages (Context, the action envelopes, Ack,
  Error), written from the spec's schemas; `ACTIONS` maps each action to its envelope.
- `validate_message(action, body)`: validate exact bytes; `BecknValidationError.pointer` names
  the failing member (JSON pointer).
- `BecknIdentity`: who signs (BECKN-006); `BecknSender`: sign the exact bytes and post them.
- `BecknReceiver`: verify → validate → handler → ACK with counter-signature, or NACK 401/400,
  as Starlette/FastAPI endpoints.
- `KeySource`, `StaticKeySource`, `RegistryKeySource` (cached lookups) and `RegistryClient`
  (the Beckn registry API: lookup, subscribe), with the on_subscribe challenge helpers.
"""

from comptoir.kernel.beckn.acks import (
    ACK_NO_CALLBACK,
    ACK_STATUS,
    NACK_BAD_REQUEST,
    NACK_UNAUTHORIZED,
    CheckedAck,
    parse_ack,
    signed_ack_body,
    unsigned_part,
    verify_ack,
)
from comptoir.kernel.beckn.challenge import (
    ChallengeError,
    new_challenge,
    open_challenge,
    seal_challenge,
)
from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.keys import (
    SUBSCRIBER_STATUSES,
    SUBSCRIBER_TYPES,
    KeySource,
    StaticKeySource,
    SubscriberKey,
    SubscriberStatus,
    SubscriberType,
)
from comptoir.kernel.beckn.receiver import (
    AfterAck,
    Answer,
    BecknReceiver,
    Handler,
    Inbound,
    NoCallback,
    Refusal,
)
from comptoir.kernel.beckn.registry_client import (
    LookupRequest,
    OnSubscribeRequest,
    OnSubscribeResponse,
    RegistryClient,
    RegistryError,
    RegistryKeySource,
    SubscribeRequest,
    SubscribeResponse,
    Subscription,
)
from comptoir.kernel.beckn.sender import BecknSender, Delivery, action_url, serialise
from comptoir.kernel.beckn.subscriber import on_subscribe_endpoint
from comptoir.kernel.beckn.validation import BecknValidationError, validate_message

__all__ = [
    "ACK_NO_CALLBACK",
    "ACK_STATUS",
    "NACK_BAD_REQUEST",
    "NACK_UNAUTHORIZED",
    "SUBSCRIBER_STATUSES",
    "SUBSCRIBER_TYPES",
    "AfterAck",
    "Answer",
    "BecknIdentity",
    "BecknReceiver",
    "BecknSender",
    "BecknValidationError",
    "ChallengeError",
    "CheckedAck",
    "Delivery",
    "Handler",
    "Inbound",
    "KeySource",
    "LookupRequest",
    "NoCallback",
    "OnSubscribeRequest",
    "OnSubscribeResponse",
    "Refusal",
    "RegistryClient",
    "RegistryError",
    "RegistryKeySource",
    "StaticKeySource",
    "SubscribeRequest",
    "SubscribeResponse",
    "SubscriberKey",
    "SubscriberStatus",
    "SubscriberType",
    "Subscription",
    "action_url",
    "new_challenge",
    "on_subscribe_endpoint",
    "open_challenge",
    "parse_ack",
    "seal_challenge",
    "serialise",
    "signed_ack_body",
    "unsigned_part",
    "validate_message",
    "verify_ack",
]
