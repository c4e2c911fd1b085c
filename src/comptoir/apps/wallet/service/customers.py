"""Customers: opening accounts, their identifiers in the switch's directory, their balances."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import fspiop_client
from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.parties import (
    CustomerKind,
    PartyType,
    check_name,
    normalise_alias,
    normalise_phone,
)
from comptoir.apps.wallet.domain.states import Registration
from comptoir.apps.wallet.models import Customer, Identifier, Institution
from comptoir.apps.wallet.service import ledger, outgoing
from comptoir.apps.wallet.service.context import Wallet, get_customer, get_institution
from comptoir.apps.wallet.service.views import CustomerView, IdentifierView
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money

MERCHANT_CATEGORY = "5999"  # ISO 18245 "miscellaneous and specialty retail"


def customer_view(session: Session, customer: Customer, currency: str) -> CustomerView:
    identifiers = session.scalars(
        select(Identifier).where(Identifier.customer_id == customer.id).order_by(Identifier.id)
    ).all()
    amount = ledger.balance(
        session,
        institution_id=customer.institution_id,
        code=books.customer_account(customer.id),
    )
    return CustomerView(
        id=customer.id,
        institution_id=customer.institution_id,
        phone=customer.phone,
        name=customer.name,
        kind=customer.kind,
        merchant_category=customer.merchant_category,
        balance=Money(amount, currency),
        identifiers=tuple(
            IdentifierView(row.party_type, row.party_id, row.registration, row.error)
            for row in identifiers
        ),
    )


def add_customer(
    wallet: Wallet,
    *,
    institution_id: str,
    phone: str,
    name: str,
    merchant: bool = False,
    alias: str | None = None,
    opening_balance: int = 0,
) -> CustomerView:
    """Open an account; register its phone (and alias) in the switch's directory."""
    phone = normalise_phone(phone)
    name = check_name(name)
    if opening_balance < 0:
        raise WalletError("amount_not_positive", lazy("An opening balance cannot be negative."))
    identifiers = [(PartyType.MSISDN.value, phone.removeprefix("+"))]
    if alias is not None:
        alias = normalise_alias(alias)
        if not alias.endswith("@" + institution_id):
            raise WalletError(
                "alias_elsewhere",
                lazy(
                    "An alias here ends with @{institution}, as in shop@{institution}.",
                    institution=institution_id,
                ),
            )
        identifiers.append((PartyType.ALIAS.value, alias))
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        if session.scalar(
            select(Customer.id).where(
                Customer.institution_id == institution_id, Customer.phone == phone
            )
        ):
            raise WalletError(
                "phone_taken",
                lazy("{phone} already has an account here.", phone=phone),
            )
        for party_type, party_id in identifiers[1:]:
            if _identifier(session, institution_id, party_type, party_id) is not None:
                raise WalletError(
                    "alias_taken", lazy("The alias {alias} is taken.", alias=party_id)
                )
        customer = Customer(
            id=new_id(),
            institution_id=institution_id,
            phone=phone,
            name=name,
            kind=(CustomerKind.MERCHANT if merchant else CustomerKind.PERSON).value,
            merchant_category=MERCHANT_CATEGORY if merchant else None,
            created_at=now,
        )
        session.add(customer)
        session.flush()
        ledger.account(
            session,
            institution_id=institution_id,
            code=books.customer_account(customer.id),
            currency=institution.currency,
            customer_id=customer.id,
            now=now,
        )
        if opening_balance:
            ledger.post(
                session,
                institution_id=institution_id,
                currency=institution.currency,
                draft=books.deposit(books.customer_account(customer.id), opening_balance),
                now=now,
                memo=books.OPENING_BALANCE,
            )
        for party_type, party_id in identifiers:
            _register(
                session, wallet, institution, customer, party_type=party_type, party_id=party_id
            )
        return customer_view(session, customer, institution.currency)


def _identifier(
    session: Session, institution_id: str, party_type: str, party_id: str
) -> Identifier | None:
    return session.scalar(
        select(Identifier).where(
            Identifier.institution_id == institution_id,
            Identifier.party_type == party_type,
            Identifier.party_id == party_id,
        )
    )


def _register(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    customer: Customer,
    *,
    party_type: str,
    party_id: str,
) -> None:
    now = wallet.clock.now()
    row = Identifier(
        id=new_id(),
        institution_id=institution.id,
        customer_id=customer.id,
        party_type=party_type,
        party_id=party_id,
        registration=Registration.PENDING.value,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    outgoing.send(
        session,
        wallet,
        institution,
        method="POST",
        path=f"/participants/{party_type}/{party_id}",
        body={"fspId": institution.id, "currency": institution.currency},
        destination=None,
        subject=fspiop_client.Subject("identifier", str(row.id)),
    )


def remove_alias(wallet: Wallet, *, institution_id: str, alias: str) -> None:
    """Take an alias out of the switch's directory (DELETE /participants/ALIAS/{alias})."""
    alias = normalise_alias(alias)
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        row = _identifier(session, institution_id, PartyType.ALIAS.value, alias)
        if row is None or row.registration == Registration.REMOVED.value:
            raise WalletError("unknown_alias", lazy("There is no alias {alias} here.", alias=alias))
        row.registration = Registration.REMOVING.value
        row.updated_at = wallet.clock.now()
        outgoing.send(
            session,
            wallet,
            institution,
            method="DELETE",
            path=f"/participants/{PartyType.ALIAS.value}/{alias}",
            body=None,
            destination=None,
            subject=fspiop_client.Subject("identifier", str(row.id)),
        )


def on_registration(
    wallet: Wallet,
    *,
    institution_id: str,
    party_type: str,
    party_id: str,
    error: str | None,
) -> None:
    """PUT /participants/{Type}/{ID} (or its /error): the directory took the change, or not."""
    with wallet.database.transaction() as session:
        row = _identifier(session, institution_id, party_type, party_id)
        if row is not None:
            _settle_registration(row, error, wallet)


def identifier_refused(wallet: Wallet, session: Session, identifier_id: str, error: str) -> None:
    row = session.get(Identifier, uuid.UUID(identifier_id))
    if row is not None:
        _settle_registration(row, error, wallet)


def _settle_registration(row: Identifier, error: str | None, wallet: Wallet) -> None:
    removing = row.registration == Registration.REMOVING.value
    if error is not None:
        row.registration = (Registration.REGISTERED if removing else Registration.FAILED).value
        row.error = error[:200]
    else:
        row.registration = (Registration.REMOVED if removing else Registration.REGISTERED).value
        row.error = None
    row.updated_at = wallet.clock.now()


def list_customers(wallet: Wallet, *, institution_id: str) -> list[CustomerView]:
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        rows = session.scalars(
            select(Customer).where(Customer.institution_id == institution_id).order_by(Customer.id)
        ).all()
        return [customer_view(session, row, institution.currency) for row in rows]


def get_customer_view(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID
) -> CustomerView:
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = get_customer(session, institution_id, customer_id)
        return customer_view(session, customer, institution.currency)


def find_by_identifier(
    session: Session, institution_id: str, party_type: str, party_id: str
) -> Customer | None:
    """Our customer named by an identifier (a removed one names nobody). An MSISDN may come
    with the "+" that FSPIOP allows before it."""
    if party_type == PartyType.MSISDN.value:
        phone = "+" + party_id.removeprefix("+")
        return session.scalar(
            select(Customer).where(
                Customer.institution_id == institution_id, Customer.phone == phone
            )
        )
    row = _identifier(session, institution_id, party_type, party_id)
    if row is None or row.registration == Registration.REMOVED.value:
        return None
    return session.get(Customer, row.customer_id)
