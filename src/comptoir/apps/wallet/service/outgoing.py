"""Building and queueing the FSPIOP messages an institution sends to the switch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import fspiop_client
from comptoir.apps.wallet.domain.parties import CustomerKind, PartyType
from comptoir.apps.wallet.domain.states import Registration
from comptoir.apps.wallet.models import Customer, Identifier, Institution
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.fspiop import FspiopError, error_body


def send(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    *,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    destination: str | None,
    subject: fspiop_client.Subject | None = None,
) -> None:
    fspiop_client.queue(
        session,
        institution_id=institution.id,
        switch_url=institution.switch_url,
        method=method,
        path=path,
        body=body,
        destination=destination,
        subject=subject,
        clock=wallet.clock,
    )


def send_error(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    *,
    path: str,
    error: FspiopError,
    destination: str | None,
) -> None:
    """`PUT {path}/error` with the ErrorInformationObject for `error`."""
    send(
        session,
        wallet,
        institution,
        method="PUT",
        path=f"{path}/error",
        body=error_body(error),
        destination=destination,
    )


def primary_identifier(session: Session, customer: Customer) -> tuple[str, str]:
    """How others name this customer: a merchant's alias if it has one, else the phone."""
    identifiers = session.scalars(
        select(Identifier).where(
            Identifier.customer_id == customer.id,
            Identifier.registration != Registration.REMOVED.value,
        )
    ).all()
    if customer.kind == CustomerKind.MERCHANT.value:
        for identifier in identifiers:
            if identifier.party_type == PartyType.ALIAS.value:
                return identifier.party_type, identifier.party_id
    return PartyType.MSISDN.value, customer.phone.removeprefix("+")


def customer_party(
    session: Session,
    institution: Institution,
    customer: Customer,
    identifier: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Our customer as an FSPIOP Party, named by `identifier` (or its primary one)."""
    party_type, party_id = identifier or primary_identifier(session, customer)
    party: dict[str, Any] = {
        "partyIdInfo": {
            "partyIdType": party_type,
            "partyIdentifier": party_id,
            "fspId": institution.id,
        },
        "name": customer.name,
    }
    if customer.kind == CustomerKind.MERCHANT.value:
        party["merchantClassificationCode"] = customer.merchant_category or "5999"
    party["supportedCurrencies"] = [institution.currency]
    return party


def initiator_type(customer: Customer) -> str:
    return "BUSINESS" if customer.kind == CustomerKind.MERCHANT.value else "CONSUMER"
