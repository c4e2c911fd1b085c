"""The registry's use cases. Each takes the caller's SQLAlchemy session (one transaction) and
keyword arguments; rules that say no raise `RegistryError`."""

from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.records import (
    METHODS,
    OTP,
    PASSKEY,
    BusinessRecord,
    PersonRecord,
)
from comptoir.identity.registry.service.businesses import (
    businesses_of,
    check_business,
    get_business,
    list_businesses,
    register_business,
    verify_business,
)
from comptoir.identity.registry.service.people import (
    SELF,
    enrol_person,
    find_person_by_phone,
    get_person,
    is_agent,
    locked_methods,
    make_agent,
    method_locked,
    person_claims,
    set_method_lock,
)

__all__ = [
    "METHODS",
    "OTP",
    "PASSKEY",
    "SELF",
    "BusinessRecord",
    "PersonRecord",
    "RegistryError",
    "businesses_of",
    "check_business",
    "enrol_person",
    "find_person_by_phone",
    "get_business",
    "get_person",
    "is_agent",
    "list_businesses",
    "locked_methods",
    "make_agent",
    "method_locked",
    "person_claims",
    "register_business",
    "set_method_lock",
    "verify_business",
]
