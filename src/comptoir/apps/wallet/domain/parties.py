"""Who a payment is for: phone numbers (E.164), aliases, FSP ids and ILP addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.phones import e164_phone

# components.schemas.FspId is 1 to 32 characters; we keep ids readable in URLs and ILP addresses.
INSTITUTION_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
# E.164: a country code and subscriber number, 15 digits at most, never starting with 0.
# An alias is `name@institution`, lower case, as the switch's directory and QR codes carry it.
_ALIAS: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}@[a-z0-9][a-z0-9.-]{0,62}")
_ILP_SEGMENT: Final = re.compile(r"[^A-Za-z0-9_~-]")
MAX_NAME: Final = 128  # components.schemas.PartyName


class PartyType(StrEnum):
    """The FSPIOP PartyIdType values; this wallet registers MSISDN and ALIAS identifiers."""

    MSISDN = "MSISDN"
    ALIAS = "ALIAS"
    EMAIL = "EMAIL"
    BUSINESS = "BUSINESS"
    PERSONAL_ID = "PERSONAL_ID"
    DEVICE = "DEVICE"
    ACCOUNT_ID = "ACCOUNT_ID"
    IBAN = "IBAN"


class CustomerKind(StrEnum):
    PERSON = "person"
    MERCHANT = "merchant"


@dataclass(frozen=True)
class PartyKey:
    """A party as the FSPIOP API names it: `/parties/{party_type}/{party_id}`."""

    party_type: PartyType
    party_id: str

    def path(self) -> str:
        return f"/parties/{self.party_type.value}/{self.party_id}"


def check_institution_id(text: str) -> str:
    if not INSTITUTION_ID.fullmatch(text):
        raise WalletError(
            "bad_institution_id",
            lazy(
                "An institution id is 1 to 32 lower-case letters, digits and dashes, "
                "starting with a letter or digit: {value} is not one.",
                value=text,
            ),
        )
    return text


def normalise_phone(text: str) -> str:
    """A phone number in E.164 with its "+": "+1 (758) 555-0101" becomes "+17585550101".

    A number is read as `kernel.phones` reads it: with "+" or "00" as written, from any
    country; without, as the node's country writes it ("758 555 0101"), or, on a node with no
    country, as international digits ("17585550101").
    """
    if not text.strip():
        raise WalletError(
            "bad_phone",
            lazy("Write the phone number with its country code, for example +1 758 555 0101."),
        )
    e164 = e164_phone(text)
    if e164 is None:
        raise WalletError(
            "bad_phone",
            lazy(
                "{value} is not a phone number in international format; write it with its "
                "country code, for example +1 758 555 0101.",
                value=text.strip(),
            ),
        )
    return e164


def msisdn(phone: str) -> str:
    """The FSPIOP MSISDN of an E.164 phone number: its digits, without the "+"."""
    return normalise_phone(phone)[1:]


def normalise_alias(text: str) -> str:
    alias = text.strip().lower()
    if not _ALIAS.fullmatch(alias):
        raise WalletError(
            "bad_alias",
            lazy(
                "{value} is not an alias; an alias looks like shop@wallet-b (letters, digits, "
                "dots, dashes or underscores, then @ and the institution).",
                value=text.strip(),
            ),
        )
    return alias


def parse_recipient(text: str) -> PartyKey:
    """What a payer typed: an alias when it holds "@", otherwise a phone number."""
    cleaned = text.strip()
    if not cleaned:
        raise WalletError(
            "missing_recipient", lazy("Enter the phone number or alias of the person to pay.")
        )
    if "@" in cleaned:
        return PartyKey(PartyType.ALIAS, normalise_alias(cleaned))
    return PartyKey(PartyType.MSISDN, msisdn(cleaned))


def check_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME:
        raise WalletError(
            "bad_name", lazy("A name is 1 to {limit} characters.", limit=str(MAX_NAME))
        )
    return name


def ilp_address(fsp_id: str, party: PartyKey) -> str:
    """The ILP address of a party, `g.comptoir.<fsp>.<type>.<id>`: segments keep only the
    characters ILP allows, so "shop@wallet-b" becomes "shop_wallet-b"."""
    segments = (fsp_id, party.party_type.value.lower(), party.party_id)
    return "g.comptoir." + ".".join(_ILP_SEGMENT.sub("_", segment) for segment in segments)
