"""The services a node offers to each kind of visitor; blocks add theirs when they register.

The landing page and the role pages are built from this, so a node serving only some blocks
(`serve --blocks ...`) shows exactly what it offers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    SHOPPER = "shopper"
    SELLER = "seller"
    BANK = "bank"
    OPERATOR = "operator"


@dataclass(frozen=True)
class ServiceLink:
    label: str  # an N_() message id
    href: str
    description: str  # an N_() message id


@dataclass
class ServiceDirectory:
    services: dict[Role, list[ServiceLink]] = field(
        default_factory=lambda: {role: [] for role in Role}
    )

    def add(self, role: Role, link: ServiceLink) -> None:
        self.services[role].append(link)

    def for_role(self, role: Role) -> list[ServiceLink]:
        return list(self.services[role])
