"""The credentials this issuer offers, and the pure rules that decide who may have one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from comptoir.kernel.i18n import N_

BUSINESS: Final = "registered-business"
AGE_OVER_18: Final = "age-over-18"
# A credential says what was true at issuance; a year keeps it from outliving a closed business
# by much, and the status list revokes it sooner when needed.
VALIDITY: Final = timedelta(days=365)
ADULT_AGE: Final = 18


@dataclass(frozen=True)
class CredentialKind:
    """One credential configuration: its id (also the end of its `vct`) and its claims."""

    id: str
    title: str  # marked with N_, translated when shown
    description: str
    claims: tuple[tuple[str, str], ...]  # (claim name, label marked with N_)
    needs_business: bool

    def vct(self, issuer: str) -> str:
        return f"{issuer}/credentials/{self.id}"


KINDS: Final[dict[str, CredentialKind]] = {
    BUSINESS: CredentialKind(
        BUSINESS,
        N_("Registered business"),
        N_("Proves that the registry verified your business: its name, number, sector, owner."),
        (
            ("business_name", N_("Business name")),
            ("registration_number", N_("Registration number")),
            ("sector", N_("Sector")),
            ("owner_name", N_("Owner's name")),
        ),
        needs_business=True,
    ),
    AGE_OVER_18: CredentialKind(
        AGE_OVER_18,
        N_("Age over 18"),
        N_("Proves that you are 18 or older, without showing your birthdate."),
        (("age_over_18", N_("Age over 18")),),
        needs_business=False,
    ),
}


def age_on(birthdate: date, day: date) -> int:
    """Whole years of age on `day`; someone born on 29 February has their birthday on 1 March
    in other years."""
    had_birthday = (day.month, day.day) >= (birthdate.month, birthdate.day)
    return day.year - birthdate.year - (0 if had_birthday else 1)


def is_adult(birthdate: date, day: date) -> bool:
    return age_on(birthdate, day) >= ADULT_AGE
