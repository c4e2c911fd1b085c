"""The network block's refusals (registry, operator tools and pages), as problem types."""

from __future__ import annotations

from comptoir.kernel.errors import problem_type
from comptoir.kernel.i18n import N_

SUBSCRIBER_EXISTS = problem_type(
    "network-subscriber-exists",
    409,
    N_("This subscriber is already registered"),
    N_("A participant with this subscriber id is already in the registry."),
)
SUBSCRIBER_UNKNOWN = problem_type(
    "network-subscriber-unknown",
    404,
    N_("No such subscriber"),
    N_("No participant with this subscriber id is in the registry."),
)
SUBSCRIBER_INVALID = problem_type(
    "network-subscriber-invalid",
    422,
    N_("The subscriber's details are not valid"),
    N_("A type, an address, a domain or a key is not acceptable."),
)
SUBSCRIBER_STATE = problem_type(
    "network-subscriber-state",
    409,
    N_("The subscriber cannot change to this status"),
    N_("A revoked subscriber stays revoked; subscribe again under a new subscriber id."),
)
KEY_EXISTS = problem_type(
    "network-key-exists",
    409,
    N_("This key id is already registered"),
    N_("The subscriber already has a key with this unique key id, with other public keys."),
)
KEY_UNKNOWN = problem_type(
    "network-key-unknown",
    404,
    N_("No such key"),
    N_("The subscriber has no key with this unique key id."),
)
