"""What other blocks may use of the identity block: records and read-only look-ups.

Another block (grievance, insights, network...) imports only this module. Functions take the
caller's SQLAlchemy session, so they run inside the caller's transaction.
"""

from __future__ import annotations

from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.records import METHODS, BusinessRecord, PersonRecord
from comptoir.identity.registry.service import (
    businesses_of,
    find_person_by_phone,
    get_business,
    get_person,
    list_businesses,
    person_claims,
)
from comptoir.kernel.code_sign_in import SMS_TOPIC

__all__ = [
    "METHODS",
    "SMS_TOPIC",
    "BusinessRecord",
    "PersonRecord",
    "RegistryError",
    "businesses_of",
    "find_person_by_phone",
    "get_business",
    "get_person",
    "list_businesses",
    "person_claims",
]
